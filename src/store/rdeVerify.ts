// Monte-Carlo verification of finished RDE masks (issue 17): the panel's point, the comparison
// card's map and every point of a λ sweep get D(s) re-estimated by sampling, after the run, in the
// worker. One entry per (class, parameters), so the panel, the card (which reuses the panel's
// mask for the same parameters) and the frontier read the same number. The ADF value shows at
// once; the Monte-Carlo value streams in as its samples do.
import type { MonteCarloCheck } from '../core/rde/verify';
import { rdeParams, type RdeParams } from '../core/rde/params';
import { proxyCallback, studioWorker } from '../worker/client';
import { useStudio } from './studioStore';
import { runs } from './runs';
import type { Run, RunLane } from './runExecutor';
import type { VerificationEntry } from './rdeSlice';

export type { MonteCarloCheck } from '../core/rde/verify';

export type { VerificationEntry } from './rdeSlice';

/** The seed of every verification (its draws are distinct from the optimiser's: core/rde/verify.ts). */
export const VERIFY_SEED = 1;

const get = useStudio.getState;

/** A finished mask: what was explained, how, and on which backend (masks differ by float rounding between backends). */
export interface MaskRef {
  target: number;
  params: Record<string, unknown>;
  backend: string;
}

/** The key of a mask: the backend, the class and every RDE parameter, in the schema's order. */
export function verificationKey({ target, params, backend }: MaskRef): string | null {
  const parsed = rdeParams.safeParse(params);
  if (!parsed.success) return null;
  const p: RdeParams = parsed.data;
  return `${backend}|${target}|${(Object.keys(rdeParams.shape) as Array<keyof RdeParams>).map((k) => `${k}=${String(p[k])}`).join('|')}`;
}

function write(key: string, patch: Partial<VerificationEntry>): void {
  useStudio.setState((s) => {
    const before = s.rde.verifications[key] ?? { status: 'queued', estimate: null };
    return { rde: { ...s.rde, verifications: { ...s.rde.verifications, [key]: { ...before, ...patch } } } };
  });
}

/**
 * Verifies a finished mask unless it is verified (or being verified) already. `slot` decides what
 * supersedes it: the panel's slot is cancelled by its next run, so verifying never delays a mask.
 * A cancelled verification keeps its partial estimate and runs again when asked.
 */
export function verifyMask(slot: string, ref: MaskRef & { mask: Float32Array }, lane: RunLane): Promise<Run | null> {
  const { mask, target, params } = ref;
  const key = verificationKey(ref);
  if (key === null) return Promise.resolve(null);
  const existing = get().rde.verifications[key];
  if (existing && (existing.status === 'done' || existing.status === 'running' || existing.status === 'queued')) return Promise.resolve(null);
  const rank = Number(params.rank ?? 0);
  write(key, { status: 'queued', error: undefined });
  return runs.startTask(slot, {
    methodId: 'rde-verify', target, params: { rank }, lane,
    execute: async (runId, onProgress) => {
      const result = await studioWorker().verifyRde(
        { runId, mask: mask.slice(), target, rank, seed: VERIFY_SEED }, onProgress,
        proxyCallback((partial: MonteCarloCheck) => { if (runs.current(slot) === runId) write(key, { estimate: partial }); }),
      );
      write(key, { estimate: result });
      return { extras: { ...result } };
    },
  }, (run) => {
    // A superseded verification is recorded as cancelled (its partial estimate stays), so asking again runs it.
    write(key, { status: run.status, ...(run.error ? { error: run.error } : {}) });
  }).then((run) => {
    if (run === null && get().rde.verifications[key]?.status !== 'done') write(key, { status: 'cancelled' });
    return run;
  });
}

/** The verification of a mask (by backend, class and parameters), if any. */
export function selectVerification(verifications: Record<string, VerificationEntry>, ref: MaskRef | null): VerificationEntry | null {
  if (!ref) return null;
  const key = verificationKey(ref);
  return key === null ? null : verifications[key] ?? null;
}
