// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useStoreFields, useThrottledStore } from './hooks';
import { SnapshotStore } from './snapshot-store';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

interface State {
  status: string;
  tokens: number;
}

class TestStore extends SnapshotStore<State> {
  change(next: Partial<State>) {
    this.update((s) => ({ ...s, ...next }));
  }
}

let root: Root | undefined;
let container: HTMLDivElement;
beforeEach(() => {
  container = document.createElement('div');
  root = createRoot(container);
});
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
  vi.useRealTimers();
});

describe('useStoreFields', () => {
  it('re-renders when a picked field changes, not when the rest of the store does', () => {
    const store = new TestStore({ status: 'running', tokens: 0 });
    let renders = 0;
    function Status() {
      renders++;
      const picked = useStoreFields(store, (s) => ({ status: s.status }));
      return <span>{picked?.status}</span>;
    }
    act(() => root!.render(<Status />));
    const before = renders;
    act(() => store.change({ tokens: 1 }));
    act(() => store.change({ tokens: 2 }));
    expect(renders).toBe(before);
    act(() => store.change({ status: 'ok' }));
    expect(renders).toBe(before + 1);
    expect(container.textContent).toBe('ok');
  });
});

describe('useThrottledStore', () => {
  it('does not follow the store while paused, and reads it afresh when resumed', () => {
    vi.useFakeTimers();
    const store = new TestStore({ status: 'running', tokens: 0 });
    function Tokens({ paused }: { paused: boolean }) {
      const tokens = useThrottledStore(store, (s) => s.tokens, 100, paused);
      return <span>{tokens}</span>;
    }
    act(() => root!.render(<Tokens paused={false} />));
    act(() => store.change({ tokens: 1 }));
    act(() => vi.advanceTimersByTime(150));
    expect(container.textContent).toBe('1');

    act(() => root!.render(<Tokens paused />));
    act(() => store.change({ tokens: 2 }));
    act(() => vi.advanceTimersByTime(500));
    expect(container.textContent).toBe('1');

    act(() => root!.render(<Tokens paused={false} />));
    expect(container.textContent).toBe('2');
  });
});
