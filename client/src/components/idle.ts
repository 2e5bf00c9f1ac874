/**
 * Work that can wait for a quiet moment: done a piece at a time in the browser's idle periods (at the latest a
 * second after it was asked for), so a burst of it never makes one long task.
 */
type Task = () => void;

const queue = new Set<Task>();
let scheduled = false;

/** Runs `task` in an idle period; returns a function that takes it back. */
export function whenIdle(task: Task): () => void {
  queue.add(task);
  schedule();
  return () => {
    queue.delete(task);
  };
}

function schedule(): void {
  if (scheduled || queue.size === 0) return;
  scheduled = true;
  if (typeof requestIdleCallback === 'function') requestIdleCallback(drain, { timeout: 1000 });
  else setTimeout(() => drain(), 16);
}

function drain(deadline?: IdleDeadline): void {
  scheduled = false;
  const started = performance.now();
  // One task at least, then more while the period lasts.
  for (const task of queue) {
    queue.delete(task);
    task();
    const left = deadline && !deadline.didTimeout ? deadline.timeRemaining() : 8 - (performance.now() - started);
    if (left < 4) break;
  }
  schedule();
}
