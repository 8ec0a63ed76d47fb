import { describe, expect, it } from 'vitest';
import { AbortedError } from '../core/methods/types';
import type { ExplainRequest, ExplainResult } from '../worker/protocol';
import { isCancellation, RunExecutor, type Run, type RunWorker } from './runExecutor';

/**
 * A stand-in worker: each explain waits until the test settles it, and cancel rejects it with
 * AbortedError as the real worker's methods do (their signal is checked between steps).
 */
function fakeWorker() {
  const pending = new Map<number, { request: ExplainRequest; resolve: (r: ExplainResult) => void; reject: (e: unknown) => void; progress?: (id: number, f: number) => void }>();
  const started: number[] = [];
  const cancelled: number[] = [];
  const worker: RunWorker = {
    explain: (request, onProgress) => new Promise<ExplainResult>((resolve, reject) => {
      started.push(request.runId);
      pending.set(request.runId, { request, resolve, reject, progress: onProgress });
    }),
    cancel: (runId) => {
      cancelled.push(runId);
      pending.get(runId)?.reject(new AbortedError());
      pending.delete(runId);
    },
  };
  const finish = (runId: number, value: number) => {
    const p = pending.get(runId)!;
    pending.delete(runId);
    p.resolve({
      runId, methodId: p.request.methodId, params: { ...p.request.params, full: true }, target: p.request.target,
      relevance: new Float32Array([value]), shape: [1, 1, 1, 1], milliseconds: 5, backend: 'cpu',
    });
  };
  return { worker, pending, started, cancelled, finish };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function executor(w: ReturnType<typeof fakeWorker>) {
  return new RunExecutor({ worker: () => w.worker, proxy: (f) => f });
}

describe('RunExecutor', () => {
  it('writes a run\'s states in order and gives the final one', async () => {
    const w = fakeWorker();
    const ex = executor(w);
    const seen: Run[] = [];
    const done = ex.start('a', { methodId: 'gradient', params: { variant: 'raw' }, target: 3, lane: 'now' }, (r) => seen.push(r));
    await tick();
    w.pending.get(1)!.progress!(1, 0.5);
    w.finish(1, 7);
    const final = await done;
    expect(seen.map((r) => `${r.status}:${r.progress}`)).toEqual(['running:0', 'running:0', 'running:0.5', 'done:1']);
    expect(final?.relevance?.[0]).toBe(7);
    expect(final?.params).toEqual({ variant: 'raw', full: true });
    expect(final?.requested).toEqual({ variant: 'raw' });
  });

  it('a new run in a slot cancels the old one, whose later result is never written (stale-result guard)', async () => {
    const w = fakeWorker();
    const ex = executor(w);
    const seen: Run[] = [];
    const first = ex.start('a', { methodId: 'm', params: {}, target: 0, lane: 'now' }, (r) => seen.push(r));
    await tick();
    const second = ex.start('a', { methodId: 'm', params: {}, target: 0, lane: 'now' }, (r) => seen.push(r));
    expect(w.cancelled).toEqual([1]);
    expect(await first).toBeNull();
    await tick();
    w.finish(2, 2);
    expect((await second)?.relevance?.[0]).toBe(2);
    // Run 1 never wrote 'cancelled': only run 2's states after it started.
    expect(seen.filter((r) => r.runId === 1).map((r) => r.status)).toEqual(['running', 'running']);
    expect(seen.filter((r) => r.runId === 2).map((r) => r.status)).toEqual(['running', 'running', 'done']);
  });

  it('a lane runs its jobs one at a time; a queued run cancelled by the user never reaches the worker', async () => {
    const w = fakeWorker();
    const ex = executor(w);
    const states: Record<string, string[]> = { a: [], b: [], c: [] };
    const a = ex.start('a', { methodId: 'm', params: {}, target: 0, lane: 'expensive' }, (r) => states.a.push(r.status));
    const b = ex.start('b', { methodId: 'm', params: {}, target: 0, lane: 'expensive' }, (r) => states.b.push(r.status));
    const c = ex.start('c', { methodId: 'm', params: {}, target: 0, lane: 'expensive' }, (r) => states.c.push(r.status));
    await tick();
    expect(w.started).toEqual([1]);
    await ex.requestCancel('b');
    expect(states.b).toEqual(['queued', 'cancelled']);
    expect(await b).toBeNull();
    w.finish(1, 1);
    await a;
    await tick();
    expect(w.started).toEqual([1, 3]);
    w.finish(3, 3);
    expect((await c)?.status).toBe('done');
    expect(states.c).toEqual(['queued', 'running', 'done']);
  });

  it('the user\'s cancel of a running run records cancelling, then cancelled with its progress', async () => {
    const w = fakeWorker();
    const ex = executor(w);
    const seen: Run[] = [];
    const done = ex.start('a', { methodId: 'm', params: {}, target: 0, lane: 'now' }, (r) => seen.push(r));
    await tick();
    w.pending.get(1)!.progress!(1, 0.25);
    await ex.requestCancel('a');
    const final = await done;
    expect(final?.status).toBe('cancelled');
    expect(final?.progress).toBe(0.25);
    expect(final?.error).toBe('The run was cancelled.');
    expect(seen.some((r) => r.cancelling === true)).toBe(true);
  });

  it('an error is recorded as an error, not a cancellation', async () => {
    const w = fakeWorker();
    const ex = executor(w);
    const done = ex.start('a', { methodId: 'm', params: {}, target: 0, lane: 'now' }, () => {});
    await tick();
    w.pending.get(1)!.reject(new Error('Error: Load an image first.'));
    const final = await done;
    expect(final?.status).toBe('error');
    expect(final?.error).toBe('Load an image first.');
  });

  it('cancelAll supersedes the runs of a prefix only', async () => {
    const w = fakeWorker();
    const ex = executor(w);
    void ex.start('compare:a', { methodId: 'm', params: {}, target: 0, lane: 'now' }, () => {});
    void ex.start('rde', { methodId: 'rde', params: {}, target: 0, lane: 'now' }, () => {});
    await tick();
    ex.cancelAll('compare:');
    expect(w.cancelled).toEqual([1]);
    expect(ex.current('compare:a')).toBeNull();
    expect(ex.current('rde')).toBe(2);
  });

  it('a task (an evaluation) lives in a slot like a run: it records what it returns, and a cancel ends it as cancelled', async () => {
    const w = fakeWorker();
    const ex = executor(w);
    let reject: (e: unknown) => void = () => {};
    const seen: string[] = [];
    const first = ex.startTask('evaluate', {
      methodId: 'evaluate', target: 2, params: { samples: 16 }, lane: 'now',
      execute: async (runId, onProgress) => {
        onProgress(runId, 0.25);
        return { milliseconds: 12, extras: { passesPerCurve: 256 } };
      },
    }, (r) => seen.push(`${r.status}:${r.progress}`));
    const done = await first;
    expect(seen).toEqual(['running:0', 'running:0', 'running:0.25', 'done:1']);
    expect(done).toMatchObject({ status: 'done', milliseconds: 12, extras: { passesPerCurve: 256 }, requested: { samples: 16 } });
    const second = ex.startTask('evaluate', {
      methodId: 'evaluate', target: 2, params: {}, lane: 'now',
      execute: (runId) => new Promise((_, rej) => { reject = rej; void runId; }),
    }, () => {});
    await tick();
    const cancelling = ex.requestCancel('evaluate');
    reject(new AbortedError());
    await cancelling;
    expect((await second)?.status).toBe('cancelled');
    expect(w.cancelled).toEqual([2]);
  });
});

describe('isCancellation', () => {
  it('knows a cancellation by the error\'s name, as it arrives through the worker boundary', () => {
    const crossed = Object.assign(new Error('The run was cancelled.'), { name: 'AbortedError' });
    expect(isCancellation(crossed)).toBe(true);
    expect(isCancellation(new AbortedError())).toBe(true);
    const replaced = Object.assign(new Error('x'), { name: 'WorkerLostError', reason: { kind: 'replaced' } });
    expect(isCancellation(replaced)).toBe(true);
    const crashed = Object.assign(new Error('x'), { name: 'WorkerLostError', reason: { kind: 'crashed' } });
    expect(isCancellation(crashed)).toBe(false);
    // A failure whose text mentions cancelling is still a failure.
    expect(isCancellation(new Error('Could not be cancelled.'))).toBe(false);
  });
});
