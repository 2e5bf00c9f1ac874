// @vitest-environment jsdom
import { act } from 'react';
import type { Root } from 'react-dom/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventScript } from '../store/test-events';
import { renderLane } from './lane-test-page';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** jsdom has no IntersectionObserver: this one reports what the test says is on screen. */
class TestObserver {
  static all: TestObserver[] = [];
  readonly observed = new Set<Element>();
  constructor(private readonly callback: IntersectionObserverCallback) {
    TestObserver.all.push(this);
  }
  observe(el: Element) {
    this.observed.add(el);
  }
  unobserve(el: Element) {
    this.observed.delete(el);
  }
  disconnect() {
    this.observed.clear();
  }
  report(el: Element, isIntersecting: boolean) {
    this.callback([{ target: el, isIntersecting } as IntersectionObserverEntry], this as unknown as IntersectionObserver);
  }
}

function setOnScreen(el: Element, isIntersecting: boolean) {
  const observer = TestObserver.all.find((o) => o.observed.has(el));
  if (!observer) throw new Error('the lane is not observed');
  act(() => observer.report(el, isIntersecting));
}

let root: Root | undefined;
beforeAll(() => {
  (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver = TestObserver;
});
afterAll(() => {
  delete (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver;
});
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
  if (vi.isFakeTimers()) vi.runOnlyPendingTimers();
  vi.useRealTimers();
});

/** A streaming lane on the page; `feed` applies more events at once, as a frame would. */
function streamingLane() {
  const page = renderLane((runs, s) => {
    runs.receive(s.start(0, 'sim/a'));
    runs.receive(s.token(0, 'sim/a', 'The sky'));
  });
  root = page.root;
  const { runs, s, container } = page;
  const feed = (...events: ReturnType<EventScript['token']>[]) =>
    act(() => {
      for (const event of events) runs.receive(event);
      runs.flush();
    });
  const lane = container.querySelector('article.lane')!;
  const text = () => container.querySelector('.lane-body')?.textContent?.trim();
  return { s, feed, lane, text };
}

describe('<LaneCard> off screen', () => {
  it('stops following the tokens while off screen, and shows the whole text once back in view', () => {
    const { s, feed, lane, text } = streamingLane();
    feed(s.token(0, 'sim/a', ' is'));
    expect(text()).toBe('The sky is');

    setOnScreen(lane, false);
    feed(s.token(0, 'sim/a', ' blue'), s.token(0, 'sim/a', ' because'));
    expect(text()).toBe('The sky is');
    expect(lane.getAttribute('data-status')).toBe('streaming');

    setOnScreen(lane, true);
    expect(text()).toBe('The sky is blue because');
    feed(s.token(0, 'sim/a', ' of air.'));
    expect(text()).toBe('The sky is blue because of air.');
  });

  it('shows a lane that ends off screen as ended at once, and its whole text once the page is idle', () => {
    vi.useFakeTimers(); // jsdom has no requestIdleCallback: idle work waits for a timer
    const { s, feed, lane, text } = streamingLane();
    setOnScreen(lane, false);
    feed(s.token(0, 'sim/a', ' is blue.'));
    expect(text()).toBe('The sky');
    feed(s.complete(0, 'sim/a', 'ok', 'The sky is blue.'));
    expect(lane.getAttribute('data-status')).toBe('done');
    expect(lane.getAttribute('data-length')).toBe(String('The sky is blue.'.length));
    expect(text()).toBe('The sky');
    act(() => vi.advanceTimersByTime(50));
    expect(text()).toBe('The sky is blue.');
  });

  it('shows the whole text of a lane that ended off screen as soon as it comes into view', () => {
    vi.useFakeTimers();
    const { s, feed, lane, text } = streamingLane();
    setOnScreen(lane, false);
    feed(s.token(0, 'sim/a', ' is blue.'), s.complete(0, 'sim/a', 'ok', 'The sky is blue.'));
    expect(text()).toBe('The sky');
    setOnScreen(lane, true);
    expect(text()).toBe('The sky is blue.');
  });
});
