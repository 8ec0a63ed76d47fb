// The worker is single-threaded: requests sent together only interleave and all finish late.
// A lane runs its jobs one after another, so the first map of a grid appears as soon as it can.

type Job = () => Promise<void>;

export class SerialLane {
  private queue: Array<{ key: string; job: Job }> = [];
  private running = false;

  /** Adds a job; a job of the same key still waiting is replaced (only the latest request counts). */
  enqueue(key: string, job: Job): void {
    this.queue = this.queue.filter((q) => q.key !== key).concat({ key, job });
    void this.drain();
  }

  /** Removes a waiting job; returns whether there was one. */
  drop(key: string): boolean {
    const before = this.queue.length;
    this.queue = this.queue.filter((q) => q.key !== key);
    return this.queue.length < before;
  }

  /** Forgets every waiting job (the job running now finishes or is cancelled by its owner). */
  clear(): void {
    this.queue = [];
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await next.job();
    } finally {
      this.running = false;
    }
  }
}
