import type { LatencySummary, ServerStats, StatusCounts } from '../council/stats-types';
import { UnauthorizedError } from './auth-store';
import { SnapshotStore } from './snapshot-store';

/** One point of the live charts: the server's rates at the time it computed them. */
export interface StatsSample {
  /** The server's clock (ms since the epoch). */
  readonly at: number;
  readonly tokensPerSecond: number;
  readonly eventsPerSecond: number;
}

/**
 * - `idle`: nobody is looking; nothing is polled.
 * - `loading`: the first answer is on its way.
 * - `live`: polling; the last answer came in.
 * - `paused`: the page is hidden; polling resumes when it shows again.
 * - `error`: the last request failed (`error` says why); polling goes on, more slowly.
 * - `forbidden`: the server answered 403: the user is not an admin. Polling stops.
 * - `unauthorized`: the server answered 401; the sign-in screen takes over. Polling stops.
 */
export type OperationsStatus = 'idle' | 'loading' | 'live' | 'paused' | 'error' | 'forbidden' | 'unauthorized';

export interface OperationsSnapshot {
  readonly status: OperationsStatus;
  /** The last figures the server gave, kept through errors and pauses. */
  readonly stats?: ServerStats;
  /** The rates of the last answers, oldest first, at most `maxSamples` and within `windowMs` of the newest. */
  readonly samples: readonly StatsSample[];
  readonly error?: string;
}

/** Whether the page is on screen; polling stops while it is not. */
export interface PageVisibility {
  hidden(): boolean;
  subscribe(listener: () => void): () => void;
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface OperationsStoreOptions {
  /** `GET /api/stats`. */
  url: string;
  /** `fetch` with the API key (AuthStore.fetch): a 401 rejects with UnauthorizedError. */
  fetch: Fetch;
  visibility?: PageVisibility;
  /** Between the starts of two requests (ms). */
  intervalMs?: number;
  /** The longest wait between requests after failures (ms). */
  maxRetryMs?: number;
  maxSamples?: number;
  /** Samples older than this before the newest are dropped (ms): a gap in polling shows as a gap. */
  windowMs?: number;
}

export const forbiddenMessage = 'Operations need the admin role.';

/**
 * The server's live figures (`GET /api/stats`), polled about once a second while a view watches them and the
 * page is visible, with a rolling buffer of recent rates for the charts. One request at a time; an answer that
 * arrives after the watching stopped is dropped.
 */
export class OperationsStore extends SnapshotStore<OperationsSnapshot> {
  private readonly intervalMs: number;
  private readonly maxRetryMs: number;
  private readonly maxSamples: number;
  private readonly windowMs: number;
  private readonly visibility: PageVisibility | undefined;
  private watchers = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private request: AbortController | undefined;
  private unsubscribeVisibility: (() => void) | undefined;
  private failures = 0;
  /** Bumped whenever polling stops: answers to requests made before are dropped. */
  private generation = 0;

  constructor(private readonly options: OperationsStoreOptions) {
    super({ status: 'idle', samples: [] });
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxRetryMs = options.maxRetryMs ?? 10_000;
    this.maxSamples = options.maxSamples ?? 60;
    this.windowMs = options.windowMs ?? 60_000;
    this.visibility = 'visibility' in options ? options.visibility : documentVisibility();
  }

  /** Starts polling (if nobody else is watching already); call the function returned to stop watching. */
  watch(): () => void {
    this.watchers++;
    if (this.watchers === 1) {
      this.unsubscribeVisibility = this.visibility?.subscribe(this.onVisibilityChange);
      this.begin();
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.watchers--;
      if (this.watchers > 0) return;
      this.unsubscribeVisibility?.();
      this.unsubscribeVisibility = undefined;
      this.halt();
      this.update((s) => ({ ...s, status: 'idle', error: undefined }));
    };
  }

  /** Tries again after a 403 or 401 (say, after signing in with another key). */
  retry(): void {
    if (this.watchers === 0) return;
    this.halt();
    this.begin();
  }

  /** Forgets the figures (sign out: they were another user's to see). */
  reset(): void {
    this.halt();
    this.set({ status: 'idle', samples: [] });
    if (this.watchers > 0) this.begin();
  }

  private begin(): void {
    this.failures = 0;
    if (this.visibility?.hidden()) {
      this.update((s) => ({ ...s, status: 'paused', error: undefined }));
      return;
    }
    this.update((s) => ({ ...s, status: s.stats ? 'live' : 'loading', error: undefined }));
    void this.poll();
  }

  private halt(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.request?.abort();
    this.request = undefined;
  }

  private readonly onVisibilityChange = (): void => {
    if (this.watchers === 0) return;
    const { status } = this.getSnapshot();
    if (status === 'forbidden' || status === 'unauthorized') return;
    if (this.visibility?.hidden()) {
      this.halt();
      this.update((s) => ({ ...s, status: 'paused', error: undefined }));
    } else if (status === 'paused') {
      this.begin();
    }
  };

  private async poll(): Promise<void> {
    this.timer = undefined;
    const generation = this.generation;
    const request = new AbortController();
    this.request = request;
    const startedAt = Date.now();
    try {
      const response = await this.options.fetch(this.options.url, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
        signal: request.signal,
      });
      if (generation !== this.generation) return;
      if (response.status === 403) {
        this.halt();
        this.update((s) => ({ ...s, status: 'forbidden', error: forbiddenMessage }));
        return;
      }
      if (!response.ok) throw new Error(`The server answered HTTP ${response.status}.`);
      const stats = parseStats(await response.json().catch(() => undefined));
      if (generation !== this.generation) return;
      this.failures = 0;
      this.update((s) => ({ status: 'live', stats, samples: pushSample(s.samples, sampleOf(stats), this.maxSamples, this.windowMs) }));
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof UnauthorizedError) {
        this.halt();
        this.update((s) => ({ ...s, status: 'unauthorized', error: 'Sign in to see the operations.' }));
        return;
      }
      this.failures++;
      this.update((s) => ({ ...s, status: 'error', error: `Could not refresh the figures: ${messageOf(error)}` }));
    } finally {
      if (this.request === request) this.request = undefined;
    }
    if (generation !== this.generation) return;
    const delay =
      this.failures > 0
        ? Math.min(this.intervalMs * 2 ** this.failures, this.maxRetryMs)
        : Math.max(0, this.intervalMs - (Date.now() - startedAt));
    this.timer = setTimeout(() => void this.poll(), delay);
  }
}

/** Adds a sample to the rolling buffer: newest last, at most `max`, none older than `windowMs` before it. */
export function pushSample(samples: readonly StatsSample[], sample: StatsSample, max: number, windowMs: number): StatsSample[] {
  // A sample from before the newest (the server's clock stepped back) replaces those after it.
  const kept = samples.filter((s) => s.at < sample.at && s.at >= sample.at - windowMs);
  kept.push(sample);
  return kept.length > max ? kept.slice(kept.length - max) : kept;
}

function sampleOf(stats: ServerStats): StatsSample {
  const at = Date.parse(stats.at);
  return { at: Number.isFinite(at) ? at : Date.now(), tokensPerSecond: stats.tokensPerSecond, eventsPerSecond: stats.eventsPerSecond };
}

/**
 * Reads the server's answer, tolerating missing figures (an older or newer server): counts default to 0,
 * percentiles to null. Anything that is not a stats object at all is an error.
 */
export function parseStats(json: unknown): ServerStats {
  if (!isObject(json) || !('activeRuns' in json || 'runs' in json)) throw new Error('The server’s answer is not a stats report.');
  const lastMinute = isObject(json.lastMinute) ? json.lastMinute : {};
  const errors: Record<string, number> = {};
  if (isObject(json.errorsByProvider)) {
    for (const [provider, count] of Object.entries(json.errorsByProvider)) errors[provider] = num(count);
  }
  return {
    at: typeof json.at === 'string' ? json.at : new Date().toISOString(),
    uptimeSeconds: num(json.uptimeSeconds),
    activeRuns: num(json.activeRuns),
    activeModelCalls: num(json.activeModelCalls),
    connections: num(json.connections),
    subscribers: num(json.subscribers),
    tokensPerSecond: num(json.tokensPerSecond),
    eventsPerSecond: num(json.eventsPerSecond),
    lastMinute: {
      timeToFirstTokenMs: latency(lastMinute.timeToFirstTokenMs),
      modelCallDurationMs: latency(lastMinute.modelCallDurationMs),
      cancelToCompleteMs: latency(lastMinute.cancelToCompleteMs),
      sendLagMs: latency(lastMinute.sendLagMs),
    },
    runs: counts(json.runs),
    modelCalls: counts(json.modelCalls),
    errorsByProvider: errors,
  };
}

function latency(value: unknown): LatencySummary {
  const v = isObject(value) ? value : {};
  const count = num(v.count);
  return { count, p50: count > 0 ? numOrNull(v.p50) : null, p99: count > 0 ? numOrNull(v.p99) : null };
}

function counts(value: unknown): StatusCounts {
  const v = isObject(value) ? value : {};
  return { started: num(v.started), ok: num(v.ok), cancelled: num(v.cancelled), failed: num(v.failed) };
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\.?$/, '.');
}

function documentVisibility(): PageVisibility | undefined {
  if (typeof document === 'undefined') return undefined;
  return {
    hidden: () => document.visibilityState === 'hidden',
    subscribe: (listener) => {
      document.addEventListener('visibilitychange', listener);
      return () => document.removeEventListener('visibilitychange', listener);
    },
  };
}
