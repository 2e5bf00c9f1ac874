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
