/** Runs a callback before the next frame; returns a function that cancels it. */
export type FrameScheduler = (callback: () => void) => () => void;

/**
 * Animation frames, with a timer as a backstop: background tabs get no frames, and events
 * should not pile up unapplied there.
 */
export const animationFrames: FrameScheduler = (callback) => {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    callback();
  };
  const frame = requestAnimationFrame(run);
  const timer = setTimeout(run, 250);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
};

/**
 * `frames`, but at most one callback every `ms`: a frame that comes sooner is passed over for a later one.
 */
export function paced(frames: FrameScheduler, ms: number, clock: () => number = () => performance.now()): FrameScheduler {
  let last = -Infinity;
  return (callback) => {
    let cancel: () => void;
    const attempt = () => {
      // A little slack: at 60 frames a second, 33 ms means every second frame, not every third.
      if (clock() - last < ms - 4) {
        cancel = frames(attempt);
        return;
      }
      last = clock();
      callback();
    };
    cancel = frames(attempt);
    return () => cancel();
  };
}
