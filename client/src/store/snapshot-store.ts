/**
 * A value that changes over time, held outside React: each change swaps in a new immutable
 * snapshot and notifies subscribers. Components read it through `useSyncExternalStore`.
 */
export class SnapshotStore<T> {
  private snapshot: T;
  private readonly listeners = new Set<() => void>();

  constructor(initial: T) {
    this.snapshot = initial;
  }

  readonly getSnapshot = (): T => this.snapshot;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  protected set(next: T): void {
    if (Object.is(next, this.snapshot)) return;
    this.snapshot = next;
    for (const listener of [...this.listeners]) listener();
  }

  protected update(change: (current: T) => T): void {
    this.set(change(this.snapshot));
  }
}
