// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { CouncilSession } from '../store/council-session';
import { SessionContext } from '../store/hooks';
import { SnapshotStore } from '../store/snapshot-store';
import { RunStore } from '../store/run-store';
import { councilPlan, EventScript } from '../store/test-events';
import { LaneCard } from './LaneCard';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
});

/** A lane of a run fed the given token events, applied at once. */
function render(tokens: (s: EventScript) => ReturnType<EventScript['token']>[]) {
  const runs = new RunStore(() => () => {}, () => 0);
  const s = new EventScript();
  runs.started(councilPlan(), 'Why?', 0);
  for (const event of [s.start(0, 'sim/a'), ...tokens(s)]) runs.receive(event);
  runs.flush();
  const container = document.createElement('div');
  root = createRoot(container);
  act(() =>
    root!.render(
      <SessionContext.Provider value={{ runs, connection: new SnapshotStore({ state: 'connected' }) } as unknown as CouncilSession}>
        <LaneCard runId="r1" stage={0} model="sim/a" />
      </SessionContext.Provider>,
    ),
  );
  return container;
}

describe('<LaneCard>', () => {
  it('shows a model’s reasoning collapsed, apart from its answer', () => {
    const container = render((s) => [s.token(0, 'sim/a', '', 'Let me think'), s.token(0, 'sim/a', '', ' it over.'), s.token(0, 'sim/a', 'Blue.')]);
    const details = container.querySelector('details.lane-reasoning') as HTMLDetailsElement;
    expect(details).not.toBeNull();
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')?.textContent).toBe('Reasoning 5 words');
    expect(details.querySelector('.lane-reasoning-text')?.textContent).toBe('Let me think it over.');
    expect(container.querySelector('.lane-body')?.textContent?.trim()).toBe('Blue.');
  });

  it('says the model is thinking while only reasoning has come, and shows no reasoning for a model without any', () => {
    const thinking = render((s) => [s.token(0, 'sim/a', '', 'Hmm')]);
    expect(thinking.querySelector('details.lane-reasoning summary')?.textContent).toBe('Thinking… 1 word');
    act(() => root?.unmount());
    const plain = render((s) => [s.token(0, 'sim/a', 'Blue.')]);
    expect(plain.querySelector('details.lane-reasoning')).toBeNull();
  });
});
