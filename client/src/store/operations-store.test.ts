import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerStats } from '../council/stats-types';
import { AuthStore } from './auth-store';
import { OperationsStore, parseStats, pushSample, type PageVisibility, type StatsSample } from './operations-store';

const url = 'http://127.0.0.1/api/stats';

function stats(patch: Partial<ServerStats> = {}): ServerStats {
  return {
    at: new Date().toISOString(),
    uptimeSeconds: 12.5,
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
    ...patch,
  };
}

/** A server whose answers the test decides: by default, stats stamped with the (fake) clock. */
function fakeServer() {
  const calls: { url: string; authorization: string | null; signal: AbortSignal | undefined }[] = [];
  let respond: () => Response | Promise<Response> = () => Response.json(stats({ at: new Date().toISOString(), tokensPerSecond: calls.length }));
  const fetch = vi.fn(async (u: string, init?: RequestInit) => {
    calls.push({ url: u, authorization: new Headers(init?.headers).get('authorization'), signal: init?.signal ?? undefined });
    return respond();
  });
  return {
    calls,
    fetch,
    answer(next: () => Response | Promise<Response>) {
      respond = next;
    },
  };
}

function fakeVisibility(hidden = false) {
  const listeners = new Set<() => void>();
  const visibility: PageVisibility & { set(hidden: boolean): void } = {
    hidden: () => hidden,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(value) {
      hidden = value;
      for (const l of listeners) l();
    },
  };
  return visibility;
}

const memoryStorage = (key?: string) => {
  const map = new Map<string, string>(key ? [['council.apiKey', key]] : []);
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
};

describe('OperationsStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-21T13:30:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls about once a second while watched, with the API key as a bearer token', async () => {
    const server = fakeServer();
    const auth = new AuthStore(memoryStorage('admin-key'), server.fetch);
    const store = new OperationsStore({ url, fetch: auth.fetch, visibility: fakeVisibility() });
    expect(store.getSnapshot().status).toBe('idle');

    const stop = store.watch();
    expect(store.getSnapshot().status).toBe('loading');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot()).toMatchObject({ status: 'live', stats: { activeRuns: 1, tokensPerSecond: 1 } });
    expect(server.calls).toEqual([{ url, authorization: 'Bearer admin-key', signal: expect.any(AbortSignal) }]);

    await vi.advanceTimersByTimeAsync(5000);
    expect(server.calls).toHaveLength(6);
    expect(store.getSnapshot().samples.map((s) => s.tokensPerSecond)).toEqual([1, 2, 3, 4, 5, 6]);

    stop();
    expect(store.getSnapshot().status).toBe('idle');
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.calls).toHaveLength(6);
  });

  it('keeps one poll going however many views watch, until the last one stops', async () => {
    const server = fakeServer();
    const store = new OperationsStore({ url, fetch: server.fetch, visibility: undefined });
    const first = store.watch();
    const second = store.watch();
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.calls).toHaveLength(3);
    first();
    first(); // twice changes nothing
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.calls).toHaveLength(4);
    second();
    await vi.advanceTimersByTimeAsync(3000);
    expect(server.calls).toHaveLength(4);
  });

  it('aborts the request on its way when the view closes, and drops its answer', async () => {
    const server = fakeServer();
    let release: (r: Response) => void = () => {};
    server.answer(() => new Promise<Response>((resolve) => (release = resolve)));
    const store = new OperationsStore({ url, fetch: server.fetch, visibility: undefined });
    const stop = store.watch();
    await vi.advanceTimersByTimeAsync(0);
    stop();
    expect(server.calls[0].signal?.aborted).toBe(true);
    release(Response.json(stats()));
    await vi.advanceTimersByTimeAsync(2000);
    expect(store.getSnapshot()).toEqual({ status: 'idle', samples: [] });
    expect(server.calls).toHaveLength(1);
  });

  it('does not overlap requests: a slow answer delays the next one', async () => {
    const server = fakeServer();
    server.answer(() => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json(stats())), 2500)));
    const store = new OperationsStore({ url, fetch: server.fetch, visibility: undefined });
    store.watch();
    await vi.advanceTimersByTimeAsync(2400);
    expect(server.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200); // answered at 2500: the next request goes at once
    expect(server.calls).toHaveLength(2);
  });

  it('stops polling while the page is hidden, and polls at once when it shows again', async () => {
    const server = fakeServer();
    const visibility = fakeVisibility(true);
    const store = new OperationsStore({ url, fetch: server.fetch, visibility });
    store.watch();
    await vi.advanceTimersByTimeAsync(3000);
    expect(server.calls).toHaveLength(0);
    expect(store.getSnapshot().status).toBe('paused');

    visibility.set(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.calls).toHaveLength(1);
    expect(store.getSnapshot().status).toBe('live');

    visibility.set(true);
    expect(store.getSnapshot()).toMatchObject({ status: 'paused', stats: { activeRuns: 1 } });
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.calls).toHaveLength(1);
  });

  it('says operations need the admin role on a 403, and stops asking until told to try again', async () => {
    const server = fakeServer();
    server.answer(() => new Response('', { status: 403 }));
    const store = new OperationsStore({ url, fetch: server.fetch, visibility: undefined });
    store.watch();
    await vi.advanceTimersByTimeAsync(5000);
    expect(store.getSnapshot()).toEqual({ status: 'forbidden', error: 'Operations need the admin role.', samples: [] });
    expect(server.calls).toHaveLength(1);

    server.answer(() => Response.json(stats()));
    store.retry();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().status).toBe('live');
  });

  it('leaves a 401 to the sign-in flow: the auth store asks for a key, and polling stops', async () => {
    const server = fakeServer();
    server.answer(() => new Response('', { status: 401 }));
    const auth = new AuthStore(memoryStorage('revoked-key'), server.fetch);
    auth.accepted('revoked-key');
    const store = new OperationsStore({ url, fetch: auth.fetch, visibility: undefined });
    store.watch();
    await vi.advanceTimersByTimeAsync(5000);
    expect(store.getSnapshot().status).toBe('unauthorized');
    expect(auth.getSnapshot()).toMatchObject({ phase: 'required', error: expect.stringMatching(/no longer accepted/) });
    expect(server.calls).toHaveLength(1);
  });

  it('keeps the last figures through failures, retries more slowly, and recovers', async () => {
    const server = fakeServer();
    const store = new OperationsStore({ url, fetch: server.fetch, visibility: undefined, maxRetryMs: 4000 });
    store.watch();
    await vi.advanceTimersByTimeAsync(0);
    server.answer(() => new Response('boom', { status: 502 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.getSnapshot()).toMatchObject({ status: 'error', error: 'Could not refresh the figures: The server answered HTTP 502.', stats: { activeRuns: 1 } });
    expect(store.getSnapshot().samples).toHaveLength(1);

    // Then 2 s, 4 s, 4 s between attempts.
    await vi.advanceTimersByTimeAsync(1999);
    expect(server.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(4000);
    expect(server.calls).toHaveLength(4);

    server.answer(() => Response.json(stats({ activeRuns: 7 })));
    await vi.advanceTimersByTimeAsync(4000);
    expect(store.getSnapshot()).toMatchObject({ status: 'live', stats: { activeRuns: 7 } });
    expect(store.getSnapshot().error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.calls).toHaveLength(6);
  });

  it('treats an answer that is not a stats report (say, the page itself) as an error', async () => {
    const server = fakeServer();
    server.answer(() => new Response('<!doctype html><html></html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    const store = new OperationsStore({ url, fetch: server.fetch, visibility: undefined });
    store.watch();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot()).toMatchObject({ status: 'error', error: expect.stringMatching(/not a stats report/) });
  });

  it('forgets the figures on reset (sign out)', async () => {
    const server = fakeServer();
    const store = new OperationsStore({ url, fetch: server.fetch, visibility: undefined });
    const stop = store.watch();
    await vi.advanceTimersByTimeAsync(2000);
    stop();
    store.reset();
    expect(store.getSnapshot()).toEqual({ status: 'idle', samples: [] });
  });
});

describe('pushSample', () => {
  const sample = (at: number, tokensPerSecond = at): StatsSample => ({ at, tokensPerSecond, eventsPerSecond: 0 });

  it('keeps the newest samples, oldest first, at most the maximum', () => {
    let buffer: StatsSample[] = [];
    for (let i = 1; i <= 75; i++) buffer = pushSample(buffer, sample(i * 1000), 60, 60_000);
    expect(buffer).toHaveLength(60);
    expect(buffer[0].at).toBe(16_000);
    expect(buffer.at(-1)?.at).toBe(75_000);
  });

  it('drops samples older than the window before the newest, so a pause leaves a gap rather than a stale line', () => {
    const buffer = pushSample([sample(1000), sample(2000), sample(50_000)], sample(61_500), 60, 60_000);
    expect(buffer.map((s) => s.at)).toEqual([2000, 50_000, 61_500]);
  });

  it('does not change the buffer it was given', () => {
    const before = [sample(1000)];
    const after = pushSample(before, sample(2000), 60, 60_000);
    expect(before).toHaveLength(1);
    expect(after).toHaveLength(2);
  });

  it('drops the samples after one from before them (the server clock stepped back)', () => {
    const buffer = pushSample([sample(5000), sample(6000)], sample(5500), 60, 60_000);
    expect(buffer.map((s) => s.at)).toEqual([5000, 5500]);
  });
});

describe('parseStats', () => {
  it('keeps the null percentiles of a measure with no data in the last minute', () => {
    const parsed = parseStats(JSON.parse(JSON.stringify(stats())));
    expect(parsed.lastMinute.cancelToCompleteMs).toEqual({ count: 0, p50: null, p99: null });
    expect(parsed.lastMinute.sendLagMs).toEqual({ count: 2310, p50: 0.21, p99: 3.4 });
    expect(parsed.errorsByProvider).toEqual({ openrouter: 1 });
  });

  it('reads missing figures as zero and missing percentiles as null', () => {
    const parsed = parseStats({ activeRuns: 2, lastMinute: { timeToFirstTokenMs: { count: 3 } } });
    expect(parsed).toMatchObject({
      activeRuns: 2,
      connections: 0,
      tokensPerSecond: 0,
      runs: { started: 0, ok: 0, cancelled: 0, failed: 0 },
      errorsByProvider: {},
    });
    expect(parsed.lastMinute.timeToFirstTokenMs).toEqual({ count: 3, p50: null, p99: null });
    expect(parsed.lastMinute.sendLagMs).toEqual({ count: 0, p50: null, p99: null });
  });

  it('refuses what is not a stats report', () => {
    expect(() => parseStats(undefined)).toThrow(/not a stats report/);
    expect(() => parseStats([])).toThrow(/not a stats report/);
    expect(() => parseStats({ hello: 'world' })).toThrow(/not a stats report/);
  });
});
