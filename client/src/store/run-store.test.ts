import { describe, expect, it } from 'vitest';
import { RunStore } from './run-store';
import { councilPlan, EventScript } from './test-events';

function manualFrames() {
  const pending: (() => void)[] = [];
  return {
    schedule: (callback: () => void) => {
      pending.push(callback);
      return () => {
        const i = pending.indexOf(callback);
        if (i >= 0) pending.splice(i, 1);
      };
    },
    get count() {
      return pending.length;
    },
    tick() {
      for (const callback of pending.splice(0)) callback();
    },
  };
}

describe('RunStore', () => {
  it('applies a burst of tokens in one snapshot per frame', () => {
    const frames = manualFrames();
    const store = new RunStore(frames.schedule, () => 0);
    let notified = 0;
    store.subscribe(() => notified++);
    const s = new EventScript();
    store.started(councilPlan(), 'Why?', 0);
    notified = 0;

    store.receive(s.start(0, 'sim/a'));
    for (let i = 0; i < 100; i++) store.receive(s.token(0, 'sim/a', `${i} `));
    expect(frames.count).toBe(1);
    expect(notified).toBe(0);
    expect(store.getSnapshot().r1.stages[0].lanes['sim/a'].text).toBe('');

    frames.tick();
    expect(notified).toBe(1);
    expect(store.getSnapshot().r1.stages[0].lanes['sim/a'].text).toMatch(/^0 1 2 .* 99 $/);

    frames.tick();
    expect(notified).toBe(1);
  });

  it('keeps events of a run whose start result has not come back yet', () => {
    const frames = manualFrames();
    const store = new RunStore(frames.schedule, () => 5);
    const s = new EventScript('r9');
    store.receive(s.start(0, 'sim/a'));
    store.receive(s.token(0, 'sim/a', 'early'));
    store.started(councilPlan('r9'), 'Q', 1);
    const run = store.getSnapshot().r9;
    expect(run.prompt).toBe('Q');
    expect(run.stages[0].lanes['sim/a'].text).toBe('early');
    expect(frames.count).toBe(0);
  });

  it('shows a skip at once, without waiting for a frame', () => {
    const frames = manualFrames();
    const store = new RunStore(frames.schedule, () => 0);
    const s = new EventScript();
    store.started(councilPlan(), 'Q', 0);
    store.receive(s.start(0, 'sim/b'));
    store.receive(s.token(0, 'sim/b', 'so far'));
    store.cancelModelRequested('r1', 0, 'sim/b');
    expect(store.getSnapshot().r1.stages[0].lanes['sim/b']).toMatchObject({ status: 'cancelled', text: 'so far' });
  });

  it('leaves unrelated runs untouched', () => {
    const frames = manualFrames();
    const store = new RunStore(frames.schedule, () => 0);
    store.started(councilPlan('r1'), 'Q1', 0);
    store.started(councilPlan('r2'), 'Q2', 0);
    const r2 = store.getSnapshot().r2;
    store.receive(new EventScript('r1').start(0, 'sim/a'));
    frames.tick();
    expect(store.getSnapshot().r2).toBe(r2);
  });
});
