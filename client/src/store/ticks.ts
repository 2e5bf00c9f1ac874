/**
 * Shared clocks: every listener of the same period is called from one timer, so the clocks of fifty lanes tick
 * together and cost one render and one frame, not fifty of each.
 */
type Listener = () => void;

const clocks = new Map<number, { listeners: Set<Listener>; timer: ReturnType<typeof setInterval> }>();

/** Calls `listener` every `ms`, in step with every other listener of that period; returns the unsubscribe. */
export function everyTick(ms: number, listener: Listener): () => void {
  let clock = clocks.get(ms);
  if (!clock) {
    const listeners = new Set<Listener>();
    const timer = setInterval(() => {
      for (const l of [...listeners]) l();
    }, ms);
    clock = { listeners, timer };
    clocks.set(ms, clock);
  }
  const { listeners, timer } = clock;
  // A function passed twice would be one listener: wrap it, so each call subscribes once.
  const own = () => listener();
  listeners.add(own);
  return () => {
    listeners.delete(own);
    if (listeners.size > 0 || clocks.get(ms)?.timer !== timer) return;
    clearInterval(timer);
    clocks.delete(ms);
  };
}

/** Calls `listener` once, at the next tick of the `ms` clock; returns the cancel. */
export function nextTick(ms: number, listener: Listener): () => void {
  const stop = everyTick(ms, () => {
    stop();
    listener();
  });
  return stop;
}
