// D(s) of an RDE mask as the optimiser computed it (ADF, or its own Monte-Carlo draws) beside
// the independent Monte-Carlo check (store/rdeVerify.ts): "D = 9.38 (ADF) · 10.75 ± 0.06 (Monte
// Carlo, 2,048 samples)". The ADF value shows at once, the check as it streams in.
import { useStudio } from '../store/studioStore';
import { selectVerification, type VerificationEntry } from '../store/rdeVerify';
import { formatNumber } from './plots/Axis';
import { stopVerification } from '../store/rdeActions';

/** A value with its standard error, both to the standard error's first significant digit (two when it starts with 1 or 2). */
export function formatWithError(value: number, error: number): string {
  if (!(error > 0) || !Number.isFinite(error)) return `${formatNumber(value)} ± ${Number.isFinite(error) ? '0' : '?'}`;
  const magnitude = Math.floor(Math.log10(error));
  const lead = error / 10 ** magnitude;
  const decimals = Math.max(0, -magnitude + (lead < 3 ? 1 : 0));
  if (decimals > 6) return `${value.toExponential(2)} ± ${error.toExponential(1)}`;
  return `${value.toFixed(decimals)} ± ${error.toFixed(decimals)}`;
}

/** The check's text in one phrase, from where it stands. */
export function monteCarloText(entry: VerificationEntry | null): string {
  if (!entry) return 'Monte-Carlo check waiting';
  const e = entry.estimate;
  const value = e && e.samples > 1 ? formatWithError(e.distortion, e.standardError) : null;
  const n = (k: number) => k.toLocaleString('en');
  if (entry.status === 'done' && value) return `${value} (Monte Carlo, ${n(e!.samples)} samples${e!.converged ? '' : ', the cap'})`;
  if (entry.status === 'error') return `Monte-Carlo check failed: ${entry.error ?? 'unknown error'}`;
  if (entry.status === 'cancelled') return value ? `${value} (Monte Carlo, stopped at ${n(e!.samples)} samples)` : 'Monte-Carlo check stopped';
  return value ? `${value} (Monte Carlo, ${n(e!.samples)} samples so far…)` : 'Monte-Carlo check running…';
}

/** What the optimiser's own D is: ADF, or Monte Carlo over its fixed draws (mode mc, or after a refinement). */
export function optimiserDistortionLabel(params: Record<string, unknown>): string {
  if (params.mode === 'mc') return `Monte Carlo, the optimiser's ${String(params.samples)} draws`;
  if (Number(params.refine) > 0) return `refined on ${String(params.samples)} draws`;
  return 'ADF';
}

/** "D = 9.38 (ADF) · 10.75 ± 0.06 (Monte Carlo, …)" for a finished mask of this class and these parameters. */
export function DistortionCheck({ distortion, target, params, backend, testId }: {
  distortion: number; target: number; params: Record<string, unknown>; backend: string; testId: string;
}) {
  const entry = useStudio((s) => selectVerification(s.rde.verifications, { target, params, backend }));
  const e = entry?.estimate;
  return (
    <span data-testid={testId} data-backend={backend} data-status={entry?.status ?? 'none'} data-adf={distortion}
      data-mc={e && e.samples > 1 ? e.distortion : undefined} data-mc-se={e && e.samples > 1 ? e.standardError : undefined} data-mc-samples={e?.samples}>
      D = {formatNumber(distortion)} ({optimiserDistortionLabel(params)}) · {monteCarloText(entry)}
      {(entry?.status === 'running' || entry?.status === 'queued') && (
        // On a slow backend (software WebGPU: ~1.5 min a mask) the check can be stopped; its estimate so far stays.
        <>{' '}<button type="button" className="link-button" onClick={() => void stopVerification()} data-testid={`${testId}-stop`}
          aria-label="Stop the Monte-Carlo check">Stop check</button></>
      )}
    </span>
  );
}
