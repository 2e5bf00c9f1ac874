import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { everyTick, nextTick } from './ticks';

describe('everyTick', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every listener of a period from one timer, together', () => {
    const calls: string[] = [];
    const stopA = everyTick(250, () => calls.push('a'));
    vi.advanceTimersByTime(100);
    const stopB = everyTick(250, () => calls.push('b'));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(150);
    expect(calls).toEqual(['a', 'b']);
    vi.advanceTimersByTime(250);
    expect(calls).toEqual(['a', 'b', 'a', 'b']);
    stopA();
    vi.advanceTimersByTime(250);
    expect(calls).toEqual(['a', 'b', 'a', 'b', 'b']);
    stopB();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps periods apart, and one function subscribed twice runs twice', () => {
    const fast = vi.fn();
    const stops = [everyTick(100, fast), everyTick(100, fast), everyTick(500, () => {})];
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(100);
    expect(fast).toHaveBeenCalledTimes(2);
    stops[0]();
    vi.advanceTimersByTime(100);
    expect(fast).toHaveBeenCalledTimes(3);
    for (const stop of stops) stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('nextTick', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once, on the shared tick, and can be cancelled', () => {
    const ticking = everyTick(200, () => {});
    vi.advanceTimersByTime(150);
    const once = vi.fn();
    nextTick(200, once);
    vi.advanceTimersByTime(50);
    expect(once).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(once).toHaveBeenCalledTimes(1);

    const cancelled = vi.fn();
    nextTick(200, cancelled)();
    vi.advanceTimersByTime(400);
    expect(cancelled).not.toHaveBeenCalled();
    ticking();
    expect(vi.getTimerCount()).toBe(0);
  });
});
