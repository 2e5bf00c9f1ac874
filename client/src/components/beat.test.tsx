// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useBeat } from './beat';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function Blinking({ active }: { active: boolean }) {
  useBeat(active);
  return null;
}

let root: Root;
beforeEach(() => {
  vi.useFakeTimers();
  root = createRoot(document.createElement('div'));
});
afterEach(() => {
  act(() => root.unmount());
  vi.useRealTimers();
});

const beating = () => document.documentElement.hasAttribute('data-beat');

describe('useBeat', () => {
  it('flips the beat twice a second while anything blinks, from one timer, and stops with the last', () => {
    act(() => root.render(<><Blinking active /><Blinking active /><Blinking active={false} /></>));
    expect(vi.getTimerCount()).toBe(1);
    expect(beating()).toBe(false);
    act(() => vi.advanceTimersByTime(500));
    expect(beating()).toBe(true);
    act(() => vi.advanceTimersByTime(500));
    expect(beating()).toBe(false);
    act(() => vi.advanceTimersByTime(500));
    expect(beating()).toBe(true);

    act(() => root.render(<><Blinking active /><Blinking active={false} /><Blinking active={false} /></>));
    act(() => vi.advanceTimersByTime(500));
    expect(beating()).toBe(false);

    act(() => root.render(<><Blinking active={false} /></>));
    expect(vi.getTimerCount()).toBe(0);
    act(() => vi.advanceTimersByTime(500));
    expect(beating()).toBe(false);
  });

  it('leaves nothing dimmed when it stops on the "off" beat', () => {
    act(() => root.render(<Blinking active />));
    act(() => vi.advanceTimersByTime(500));
    expect(beating()).toBe(true);
    act(() => root.render(<Blinking active={false} />));
    expect(beating()).toBe(false);
  });
});
