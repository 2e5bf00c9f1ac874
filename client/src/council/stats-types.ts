// The answer of GET /api/stats (admins only). Not part of the hub contract, so @council/contracts does not
// generate it; it mirrors server/Council.Server/Operations/StatsSnapshot.cs (JSON in camelCase).

/** How many values in the last minute, and their median and 99th percentile in ms (null when there were none). */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p99: number | null;
}

export interface LatencyWindow {
  timeToFirstTokenMs: LatencySummary;
  modelCallDurationMs: LatencySummary;
  cancelToCompleteMs: LatencySummary;
  sendLagMs: LatencySummary;
}

/** Started, and ended by status, since the server started; started minus the three ended is what is going now. */
export interface StatusCounts {
  started: number;
  ok: number;
  cancelled: number;
  failed: number;
}

export interface ServerStats {
  /** When the server computed these figures (ISO 8601). */
  at: string;
  uptimeSeconds: number;
  activeRuns: number;
  activeModelCalls: number;
  /** SignalR connections open now. */
  connections: number;
  /** Connection-to-run subscriptions. */
  subscribers: number;
  /** Output tokens per second over the last 10 s (estimated at 4 characters a token). */
  tokensPerSecond: number;
  /** Run events appended per second over the last 10 s. */
  eventsPerSecond: number;
  lastMinute: LatencyWindow;
  runs: StatusCounts;
  modelCalls: StatusCounts;
  /** Failed model calls since the server started, by provider name. */
  errorsByProvider: Record<string, number>;
}
