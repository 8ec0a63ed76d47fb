// Run ids are unique across every kind of run, so the worker can cancel any one of them.
let next = 1;

export function newRunId(): number {
  return next++;
}

/** An error as a sentence for the message bar, without the "Error: " prefix. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^Error: /, '');
}
