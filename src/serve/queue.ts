/**
 * The generation queue: at most `concurrency` generations run at once and at most `maxWaiting` wait;
 * beyond that a request is refused (429). A waiter whose client goes away leaves the queue.
 */
import { queueFull } from './errors.js';

/** Releases a slot taken with {@link GenerationQueue.acquire}. */
export type Release = () => void;

/** A counting semaphore with a bounded, cancellable wait list. */
export class GenerationQueue {
  private running = 0;
  private readonly waiting: { grant: (r: Release) => void; fail: (e: unknown) => void }[] = [];

  /** Allows `concurrency` generations at once and `maxWaiting` more in line. */
  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

  /** Generations running now. */
  get active(): number {
    return this.running;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Waits for a slot; throws 429 when the line is full, or the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.running < this.concurrency) return Promise.resolve(this.take());
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(queueFull());
    return new Promise<Release>((resolve, reject) => {
      const entry = {
        grant: (r: Release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        fail: reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private take(): Release {
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const next = this.waiting.shift();
      if (next) next.grant(this.take());
    };
  }
}
