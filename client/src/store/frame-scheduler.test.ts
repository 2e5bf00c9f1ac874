import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { animationFrames, paced, type FrameScheduler } from './frame-scheduler';

describe('animationFrames', () => {
  let frames: Map<number, FrameRequestCallback>;

  beforeEach(() => {
    vi.useFakeTimers();
    frames = new Map();
    let next = 1;
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => {
      frames.set(next, cb);
      return next++;
    });
    vi.stubGlobal('cancelAnimationFrame', (id: number) => frames.delete(id));
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const runFrames = () => {
    const pending = [...frames.values()];
    frames.clear();
    for (const cb of pending) cb(performance.now());
  };

  it('runs the callback once, on the next frame', () => {
    const callback = vi.fn();
    animationFrames(callback);
    expect(callback).not.toHaveBeenCalled();
    runFrames();
    expect(callback).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('falls back to a timer when no frame comes (a background tab)', () => {
    const callback = vi.fn();
    animationFrames(callback);
    vi.advanceTimersByTime(250);
    expect(callback).toHaveBeenCalledTimes(1);
    runFrames();
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('can be cancelled', () => {
    const callback = vi.fn();
    animationFrames(callback)();
    runFrames();
    vi.advanceTimersByTime(1000);
    expect(callback).not.toHaveBeenCalled();
  });
});

describe('paced', () => {
  /** Frames 16.7 ms apart, by hand: `frame()` advances the clock and runs what waits for it. */
  function frames() {
    let now = 0;
    let waiting: (() => void)[] = [];
    const schedule: FrameScheduler = (callback) => {
      waiting.push(callback);
      return () => (waiting = waiting.filter((c) => c !== callback));
    };
    const frame = () => {
      now += 1000 / 60;
      const due = waiting;
      waiting = [];
      for (const c of due) c();
    };
    return { schedule, frame, clock: () => now };
  }

  it('runs at most one callback every interval: at 60 frames a second and 33 ms, on every second frame', () => {
    const f = frames();
    const schedule = paced(f.schedule, 33, f.clock);
    const ranOn: number[] = [];
    let pending = false;
    let current = 0;
    for (let frame = 1; frame <= 12; frame++) {
      current = frame;
      // As the run store does: one callback waits at a time, asked for again as soon as it ran.
      if (!pending) {
        pending = true;
        schedule(() => {
          pending = false;
          ranOn.push(current);
        });
      }
      f.frame();
    }
    expect(ranOn).toEqual([1, 3, 5, 7, 9, 11]);
  });

  it('runs on the first frame when nothing ran for a while', () => {
    const f = frames();
    const schedule = paced(f.schedule, 33, f.clock);
    const callback = vi.fn();
    schedule(callback);
    f.frame();
    expect(callback).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 3; i++) f.frame();
    schedule(callback);
    f.frame();
    expect(callback).toHaveBeenCalledTimes(2);
  });

  it('can be cancelled while it waits for a later frame', () => {
    const f = frames();
    const schedule = paced(f.schedule, 33, f.clock);
    schedule(() => {});
    f.frame();
    const callback = vi.fn();
    const cancel = schedule(callback);
    f.frame(); // too soon: passed over
    cancel();
    for (let i = 0; i < 4; i++) f.frame();
    expect(callback).not.toHaveBeenCalled();
  });
});
