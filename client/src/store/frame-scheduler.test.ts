import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { animationFrames } from './frame-scheduler';

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
