/**
 * A run's progress bar with its percentage beside it (the bar carries the value for assistive
 * technology; the percentage is for the eye). `progress` null: indeterminate (queued), no percentage.
 */
export function RunProgress({ progress, label, testId, percentTestId }: { progress: number | null; label: string; testId: string; percentTestId?: string }) {
  return (
    <div className="compare-progress">
      <progress max={1} value={progress ?? undefined} aria-label={label} data-testid={testId} />
      {progress !== null && <span aria-hidden="true" data-testid={percentTestId}>{Math.round(progress * 100)}%</span>}
    </div>
  );
}
