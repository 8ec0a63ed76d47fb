/**
 * Lets queued events run (a cancel message, a newer request) between steps of a long loop in
 * the worker or in Node. A promise alone only yields to microtasks; this yields a macrotask.
 * setTimeout(0) would be clamped to 4 ms once nested, so the browser path posts a message to
 * itself instead, which has no clamp.
 */
let channel: MessageChannel | null = null;
const waiting: Array<() => void> = [];

export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}
