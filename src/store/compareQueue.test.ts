import { describe, expect, it } from 'vitest';
import { SerialLane } from './compareQueue';

/** A job that records when it starts and ends and finishes when `release` is called. */
function controlled(log: string[], name: string) {
  let release = () => {};
  const job = () => new Promise<void>((resolve) => {
    log.push(`start ${name}`);
    release = () => {
      log.push(`end ${name}`);
      resolve();
    };
  });
  return { job, release: () => release() };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SerialLane', () => {
  it('runs jobs one after another, replaces a waiting job of the same key and drops on request', async () => {
    const log: string[] = [];
    const lane = new SerialLane();
    const a = controlled(log, 'a');
    const b1 = controlled(log, 'b1');
    const b2 = controlled(log, 'b2');
    const c = controlled(log, 'c');
    lane.enqueue('a', a.job);
    lane.enqueue('b', b1.job);
    lane.enqueue('b', b2.job);
    lane.enqueue('c', c.job);
    await tick();
    expect(log).toEqual(['start a']);
    expect(lane.drop('c')).toBe(true);
    expect(lane.drop('c')).toBe(false);
    a.release();
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start b2']);
    b2.release();
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start b2', 'end b2']);
  });

  it('clear forgets waiting jobs; the lane takes new ones afterwards', async () => {
    const log: string[] = [];
    const lane = new SerialLane();
    const a = controlled(log, 'a');
    const b = controlled(log, 'b');
    const c = controlled(log, 'c');
    lane.enqueue('a', a.job);
    lane.enqueue('b', b.job);
    await tick();
    lane.clear();
    a.release();
    await tick();
    lane.enqueue('c', c.job);
    await tick();
    c.release();
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start c', 'end c']);
  });
});
