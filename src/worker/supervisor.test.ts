import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { WorkerLostError, WorkerSupervisor, isFatalBackendError, type LostReason } from './supervisor';

/**
 * A stand-in for a Web Worker: the API is exposed on one end of a MessageChannel, the
 * supervisor talks to the other. `emit` fires the events a real Worker fires.
 */
function fakeWorker(api: Record<string, (...args: never[]) => unknown>) {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
  const target = new EventTarget();
  let terminated = false;
  (port1 as MessagePort).on('message', (data) => target.dispatchEvent(Object.assign(new Event('message'), { data })));
  const worker = {
    postMessage: (m: unknown, transfer?: Transferable[]) => {
      if (!terminated) port1.postMessage(m, transfer as never);
    },
    addEventListener: (type: string, fn: EventListener) => target.addEventListener(type, fn),
    removeEventListener: (type: string, fn: EventListener) => target.removeEventListener(type, fn),
    terminate: () => {
      terminated = true;
      port1.close();
      port2.close();
    },
    emit: (type: string, props: Record<string, unknown> = {}) => target.dispatchEvent(Object.assign(new Event(type, { cancelable: true }), props)),
    get terminated() {
      return terminated;
    },
  };
  return worker;
}

type Fake = ReturnType<typeof fakeWorker>;
const never = () => new Promise<never>(() => undefined);
const workers: Fake[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.terminate();
});

function supervise(makeApi: () => Record<string, (...args: never[]) => unknown>, opts: { heartbeatMs?: number; heartbeatTimeoutMs?: number; deadlines?: Record<string, number> } = {}) {
  const lost: LostReason[] = [];
  const supervisor = new WorkerSupervisor({
    create: () => {
      const w = fakeWorker(makeApi());
      workers.push(w);
      return w as unknown as Worker;
    },
    onLost: (r) => lost.push(r),
    heartbeatMs: opts.heartbeatMs ?? 20,
    heartbeatTimeoutMs: opts.heartbeatTimeoutMs ?? 300,
    deadlines: opts.deadlines,
  });
  return { supervisor, lost, api: supervisor.api as unknown as Record<string, (...args: unknown[]) => Promise<unknown>> };
}

async function lostReason(p: Promise<unknown>): Promise<LostReason> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkerLostError);
  return (err as WorkerLostError).reason;
}

describe('WorkerSupervisor', () => {
  it('passes answers and ordinary errors through without restarting', async () => {
    const { api, lost, supervisor } = supervise(() => ({
      ping: () => 1,
      memory: () => ({ numTensors: 7 }),
      setImage: () => {
        throw new Error('No digit found in the image.');
      },
    }));
    expect(await api.memory()).toEqual({ numTensors: 7 });
    await expect(api.setImage()).rejects.toThrow('No digit found in the image.');
    expect(lost).toEqual([]);
    expect(supervisor.starts).toBe(1);
  });

  it('a worker that stops answering fails the pending call after the heartbeat timeout, and a new one starts', async () => {
    let generation = 0;
    const { api, lost, supervisor } = supervise(() => {
      generation += 1;
      const hung = generation === 1;
      return { ping: () => (hung ? never() : 1), explain: () => (hung ? never() : 'map') };
    });
    const t0 = Date.now();
    const reason = await lostReason(api.explain());
    const waited = Date.now() - t0;
    expect(reason.kind).toBe('unresponsive');
    expect(reason.text).toBe('The compute worker stopped answering for 0.3 s.');
    // Noticed within the timeout (300 ms) plus one heartbeat period (20 ms) and scheduling slack.
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(1500);
    expect(lost.map((r) => r.kind)).toEqual(['unresponsive']);
    expect(workers[0].terminated).toBe(true);
    expect(await api.explain()).toBe('map');
    expect(supervisor.starts).toBe(2);
  });

  it('a call past its deadline fails with the deadline named, while the heartbeat still answers', async () => {
    const { api, lost } = supervise(() => ({ ping: () => 1, setImage: () => never() }), { deadlines: { setImage: 150 } });
    const reason = await lostReason(api.setImage());
    expect(reason).toEqual({ kind: 'deadline', text: 'The compute worker did not finish "setImage" within 0.15 s.' });
    expect(lost).toHaveLength(1);
  });

  it('an uncaught error in the worker fails every pending call at once', async () => {
    const { api, lost } = supervise(() => ({ ping: () => 1, explain: () => never(), setImage: () => never() }), { heartbeatTimeoutMs: 60_000 });
    const a = api.explain();
    const b = api.setImage();
    await new Promise((r) => setTimeout(r, 30));
    workers[0].emit('error', { message: 'Uncaught RangeError: Array buffer allocation failed' });
    const [ra, rb] = await Promise.all([lostReason(a), lostReason(b)]);
    expect(ra.text).toBe('The compute worker failed (Uncaught RangeError: Array buffer allocation failed).');
    expect(rb.kind).toBe('crashed');
    expect(lost).toHaveLength(1);
  });

  it('a message that cannot be read counts as a crash', async () => {
    const { api } = supervise(() => ({ ping: () => 1, explain: () => never() }), { heartbeatTimeoutMs: 60_000 });
    const a = api.explain();
    await new Promise((r) => setTimeout(r, 30));
    workers[0].emit('messageerror');
    expect((await lostReason(a)).text).toBe('The compute worker sent a message that could not be read.');
  });

  it('a lost GPU reported by the worker fails the pending calls with the device named', async () => {
    const { api, lost } = supervise(() => ({ ping: () => 1, explain: () => never() }), { heartbeatTimeoutMs: 60_000 });
    const a = api.explain();
    await new Promise((r) => setTimeout(r, 30));
    workers[0].emit('message', { data: { studioEvent: 'gpu-lost', backend: 'WebGL', detail: 'context lost' } });
    expect(await lostReason(a)).toEqual({ kind: 'gpu-lost', text: 'The WebGL device was lost (context lost).' });
    expect(lost).toHaveLength(1);
  });

  it('an error that means the backend is dead (WASM abort) replaces the worker', async () => {
    const { api, lost } = supervise(() => ({
      ping: () => 1,
      explain: () => {
        throw new Error('Aborted(). Build with -sASSERTIONS for more info.');
      },
    }));
    const reason = await lostReason(api.explain());
    expect(reason.kind).toBe('backend-failed');
    expect(reason.text).toBe('The compute backend failed (Aborted(). Build with -sASSERTIONS for more info.).');
    expect(lost).toHaveLength(1);
    expect(workers[0].terminated).toBe(true);
  });

  it('names running out of memory as such', async () => {
    const { api } = supervise(() => ({
      ping: () => 1,
      explain: () => {
        throw new RangeError('Invalid typed array length: 67108864');
      },
    }));
    expect((await lostReason(api.explain())).text).toBe('The compute worker ran out of memory (Invalid typed array length: 67108864).');
  });

  it('tells dead-backend errors from ordinary ones', () => {
    expect(isFatalBackendError('RuntimeError: memory access out of bounds')).toBe(true);
    expect(isFatalBackendError('Aborted()')).toBe(true);
    expect(isFatalBackendError('RangeError: Invalid typed array length: 67108864')).toBe(true);
    expect(isFatalBackendError('The run was cancelled.')).toBe(false);
    expect(isFatalBackendError('λ must be between 0 and 10000.')).toBe(false);
  });
});
