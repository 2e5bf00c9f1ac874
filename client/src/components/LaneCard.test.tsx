// @vitest-environment jsdom
import { act } from 'react';
import type { Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventScript } from '../store/test-events';
import { renderLane } from './lane-test-page';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
});

/** A lane of a run fed the given token events, applied at once. */
function render(tokens: (s: EventScript) => ReturnType<EventScript['token']>[]) {
  const page = renderLane((runs, s) => {
    for (const event of [s.start(0, 'sim/a'), ...tokens(s)]) runs.receive(event);
  });
  root = page.root;
  return page.container;
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
