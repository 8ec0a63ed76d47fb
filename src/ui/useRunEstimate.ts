// The time an expensive run will take, shown before it starts (issue: no run of minutes without
// an estimate). The worker computes it (Method.estimate's passes × a measured time per pass).
import { useEffect, useState } from 'react';
import { useStudio } from '../store/studioStore';
import { estimateRun } from '../store/actions';

export function duration(ms: number): string {
  return ms < 1000 ? `${Math.max(10, Math.round(ms / 10) * 10)} ms`
    : ms < 60_000 ? `${Number((ms / 1000).toPrecision(2))} s`
      : ms < 3_600_000 ? `${Number((ms / 60_000).toPrecision(2))} min` : `${Number((ms / 3_600_000).toPrecision(2))} h`;
}

/** "≈ 12 s", "at most ≈ 16 s", "≈ 2 s (at most 16 s)", "≈ 3 min": an estimate in words. */
export function estimateText(e: { milliseconds: number; atMost: boolean; typicalMilliseconds?: number }): string {
  // The last run used (nearly) its whole budget: the bound says it all.
  if (e.atMost && e.typicalMilliseconds !== undefined && e.typicalMilliseconds >= 0.9 * e.milliseconds) return `≈ ${duration(e.milliseconds)}`;
  if (e.atMost && e.typicalMilliseconds !== undefined) return `≈ ${duration(e.typicalMilliseconds)} (at most ${duration(e.milliseconds)})`;
  return `${e.atMost ? 'at most ' : ''}≈ ${duration(e.milliseconds)}`;
}

/** The estimate for a method and parameters on the current input, model and backend (null until known). */
export function useRunEstimate(methodId: string, params: Record<string, unknown>, enabled: boolean): string | null {
  const [text, setText] = useState<string | null>(null);
  const key = JSON.stringify(params);
  const classification = useStudio((s) => s.classification);
  const backend = useStudio((s) => s.backend?.active);
  const ready = useStudio((s) => s.backendStatus === 'ready');
  useEffect(() => {
    if (!classification || !ready) return setText(null);
    // Off (a run in flight): the last estimate stays until it can be asked again.
    if (!enabled) return;
    let live = true;
    void estimateRun(methodId, JSON.parse(key) as Record<string, unknown>).then((e) => { if (live) setText(e ? estimateText(e) : null); });
    return () => { live = false; };
  }, [methodId, key, enabled, classification, backend, ready]);
  return text;
}
