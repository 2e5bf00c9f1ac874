// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerStats } from '../council/stats-types';
import type { CouncilSession } from '../store/council-session';
import { SessionContext } from '../store/hooks';
import { OperationsStore } from '../store/operations-store';
import { formatLatency, formatRate, formatUptime } from './format';
import { OperationsView } from './OperationsView';
import { niceCeiling } from './Sparkline';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const report: ServerStats = {
  at: '2026-11-21T13:30:08.9+00:00',
  uptimeSeconds: 812.4,
  activeRuns: 1,
  activeModelCalls: 3,
  connections: 2,
  subscribers: 2,
  tokensPerSecond: 412.5,
  eventsPerSecond: 96.1,
  lastMinute: {
    timeToFirstTokenMs: { count: 12, p50: 212, p99: 1810 },
    modelCallDurationMs: { count: 12, p50: 4120, p99: 9870 },
    cancelToCompleteMs: { count: 0, p50: null, p99: null },
    sendLagMs: { count: 2310, p50: 0.21, p99: 3.4 },
  },
  runs: { started: 40, ok: 37, cancelled: 2, failed: 0 },
  modelCalls: { started: 190, ok: 181, cancelled: 5, failed: 1 },
  errorsByProvider: { openrouter: 1 },
};

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
});

async function render(answer: () => Response) {
  const operations = new OperationsStore({ url: 'http://127.0.0.1/api/stats', fetch: async () => answer(), visibility: undefined });
  const container = document.createElement('div');
  root = createRoot(container);
  act(() =>
    root!.render(
      <SessionContext.Provider value={{ operations } as unknown as CouncilSession}>
        <OperationsView />
      </SessionContext.Provider>,
    ),
  );
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  return { container, operations };
}

const text = (container: HTMLElement, selector: string) => container.querySelector(selector)?.textContent;

describe('<OperationsView>', () => {
  it('shows the figures, with "—" for a measure that had no data in the last minute', async () => {
    const { container } = await render(() => Response.json(report));
    expect(text(container, '[data-metric="active-runs"] .ops-figure')).toBe('1');
    expect(text(container, '[data-metric="tokens-per-second"] .ops-figure')).toBe('413');
    expect(text(container, '[data-metric="ttft"]')).toBe('Time to first token212 ms1.81 s12');
    expect(text(container, '[data-metric="cancel"]')).toBe('Cancel to complete——0');
    expect(text(container, '[data-metric="send-lag"]')).toBe('Send lag0.21 ms3.4 ms2,310');
    expect(text(container, 'tr[data-metric="runs"] [data-status="ok"]')).toBe('37');
    expect(text(container, 'tr[data-metric="runs"] [data-status="going"]')).toBe('1');
    expect(text(container, 'tr[data-provider="openrouter"]')).toBe('openrouter1');
    expect(container.querySelector('.sparkline svg')?.getAttribute('data-points')).toBe('1');
    expect(container.querySelector('.sparkline svg')?.getAttribute('aria-label')).toBe('Tokens per second, last 60 s: now 413, peak 413');
    expect(text(container, '[role="status"]')).toBe('Live');
  });

  it('says operations need the admin role on a 403', async () => {
    const { container } = await render(() => new Response('', { status: 403 }));
    expect(text(container, '[role="alert"] h2')).toBe('Operations need the admin role');
    expect(container.querySelector('.ops-tiles')).toBeNull();
  });

  it('says when there are no failed calls', async () => {
    const { container } = await render(() => Response.json({ ...report, errorsByProvider: {} }));
    expect(text(container, '.ops-empty')).toBe('No failed model calls since the server started.');
  });
});

describe('operations formats', () => {
  it('shows "—" for a missing latency and keeps sub-millisecond ones', () => {
    expect(formatLatency(null)).toBe('—');
    expect(formatLatency(undefined)).toBe('—');
    expect(formatLatency(0.09)).toBe('0.09 ms');
    expect(formatLatency(3.44)).toBe('3.4 ms');
    expect(formatLatency(212.4)).toBe('212 ms');
    expect(formatLatency(9870)).toBe('9.87 s');
  });

  it('rounds rates and uptimes for reading at a glance', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(2.25)).toBe('2.3');
    expect(formatRate(1234.4)).toBe('1,234');
    expect(formatUptime(42.9)).toBe('42 s');
    expect(formatUptime(812.4)).toBe('13 min');
    expect(formatUptime(7500)).toBe('2 h 5 min');
    expect(formatUptime(3 * 86_400 + 4 * 3600)).toBe('3 d 4 h');
  });

  it('tops a chart at a round number at or above its peak', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(3)).toBe(5);
    expect(niceCeiling(412.5)).toBe(500);
    expect(niceCeiling(1000)).toBe(1000);
    expect(niceCeiling(1001)).toBe(2000);
  });
});
