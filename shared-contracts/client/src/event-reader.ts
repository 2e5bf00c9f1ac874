import type { CouncilEvent } from '@council/contracts';

/**
 * One `for await` over a run's events: a queue the run pushes into, so a slow consumer loses
 * nothing, and that ends after `run_complete` or throws the run's error once its queue is drained.
 */
export class EventReader implements AsyncIterableIterator<CouncilEvent> {
  private readonly queue: CouncilEvent[] = [];
  private waiting: { resolve: (r: IteratorResult<CouncilEvent>) => void; reject: (e: unknown) => void } | undefined;
  private ended = false;
  private error: unknown;

  constructor(private readonly detach: (reader: EventReader) => void) {}

  push(event: CouncilEvent): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
    } else {
      this.queue.push(event);
    }
  }

  /** No more events: the reader finishes once its queue is drained. */
  end(): void {
    this.ended = true;
    this.settleIfDrained();
  }

  /** The run cannot go on: the reader throws `error` once its queue is drained. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.error = error;
    this.ended = true;
    this.settleIfDrained();
  }

  next(): Promise<IteratorResult<CouncilEvent>> {
    const event = this.queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.ended) return this.finish();
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; });
  }

  /** Called by `break` or `return` in a `for await`: stop receiving. */
  return(): Promise<IteratorResult<CouncilEvent>> {
    this.queue.length = 0;
    this.error = undefined;
    this.ended = true;
    this.detach(this);
    this.settleIfDrained();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<CouncilEvent> {
    return this;
  }

  private settleIfDrained(): void {
    if (!this.waiting || this.queue.length > 0) return;
    const { resolve, reject } = this.waiting;
    this.waiting = undefined;
    this.finish().then(resolve, reject);
  }

  private finish(): Promise<IteratorResult<CouncilEvent>> {
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined; // throw once; later calls just report done
      return Promise.reject(error);
    }
    return Promise.resolve({ value: undefined, done: true });
  }
}
