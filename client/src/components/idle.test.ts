import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { whenIdle } from './idle';

describe('whenIdle', () => {
  let periods: ((deadline: IdleDeadline) => void)[];
  let left: number;
  beforeEach(() => {
    periods = [];
    vi.stubGlobal('requestIdleCallback', (callback: (deadline: IdleDeadline) => void) => periods.push(callback));
  });
  afterEach(() => vi.unstubAllGlobals());

  /** The browser's next idle period, `ms` long. */
  const idlePeriod = (ms: number) => {
    left = ms;
    periods.shift()?.({ didTimeout: false, timeRemaining: () => left });
  };
  /** A task that takes 6 ms of the period. */
  const task = (done: number[], i: number) => () => {
    done.push(i);
    left -= 6;
  };

  it('does as many tasks as fit in an idle period, the rest in the next ones', () => {
    const done: number[] = [];
    for (let i = 1; i <= 5; i++) whenIdle(task(done, i));
    expect(done).toEqual([]);
    idlePeriod(14); // two tasks of 6 ms leave 2 ms: too little for a third
    expect(done).toEqual([1, 2]);
    idlePeriod(14);
    expect(done).toEqual([1, 2, 3, 4]);
    idlePeriod(2); // one task at least, however short the period
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect(periods).toHaveLength(0);
  });

  it('does not do a task taken back', () => {
    const done: number[] = [];
    whenIdle(task(done, 1));
    const takeBack = whenIdle(task(done, 2));
    whenIdle(task(done, 3));
    takeBack();
    idlePeriod(50);
    expect(done).toEqual([1, 3]);
  });
});
