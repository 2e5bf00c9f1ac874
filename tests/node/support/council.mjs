// Thin helpers over the official @microsoft/signalr client for hub tests: no wrapper logic under test here.
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';

export const EVENT_NAMES = ['stage_progress', 'model_start', 'token', 'model_complete', 'search_results', 'run_complete'];

/** The hub protocol tests use unless they name one: `COUNCIL_PROTOCOL=messagepack` runs a suite over MessagePack. */
export const DEFAULT_PROTOCOL = process.env.COUNCIL_PROTOCOL ?? 'json';

/** The official client's implementation of a protocol name: 'json' or 'messagepack'. */
export function hubProtocol(name = DEFAULT_PROTOCOL) {
  switch (name) {
    case 'json': return new signalR.JsonHubProtocol();
    case 'messagepack': return new MessagePackHubProtocol();
    default: throw new Error(`Unknown hub protocol '${name}': use 'json' or 'messagepack'.`);
  }
}

/**
 * Connects to the hub and records every event by runId, in arrival order.
 * @param {string} hubUrl
 * @param {{ protocol?: 'json' | 'messagepack' | import('@microsoft/signalr').IHubProtocol, accessToken?: string }} [options]
 */
export async function connect(hubUrl, options = {}) {
  const protocol = typeof options.protocol === 'object' ? options.protocol : hubProtocol(options.protocol);
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(hubUrl, {
      transport: signalR.HttpTransportType.WebSockets,
      skipNegotiation: true,
      ...(options.accessToken ? { accessTokenFactory: () => options.accessToken } : {}),
    })
    .withHubProtocol(protocol)
    .configureLogging(signalR.LogLevel.None)
    .build();
  const byRun = new Map();
  const waiters = [];
  for (const name of EVENT_NAMES) {
    connection.on(name, (payload) => {
      const event = { type: name, ...payload, receivedAt: performance.now() };
      if (!byRun.has(payload.runId)) byRun.set(payload.runId, []);
      byRun.get(payload.runId).push(event);
      for (const w of [...waiters]) {
        if (w.match(event)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(event); }
      }
    });
  }
  await connection.start();
  return {
    connection,
    invoke: (method, ...args) => connection.invoke(method, ...args),
    events: (runId) => byRun.get(runId) ?? [],
    /** Resolves with the first event (already received or future) matching `match`. */
    waitFor(match, timeoutMs = 20000) {
      for (const events of byRun.values()) {
        const found = events.find(match);
        if (found) return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs);
        waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
    /** Starts a run and resolves with its result and every event up to run_complete. */
    async run(request, timeoutMs = 30000) {
      const started = await connection.invoke('start_run', request);
      await this.waitFor((e) => e.type === 'run_complete' && e.runId === started.runId, timeoutMs);
      return { started, events: byRun.get(started.runId) };
    },
    stop: () => connection.stop(),
  };
}

/** Concatenates a (stage, model)'s token deltas in seq order. */
export function textOf(events, stage, model) {
  return events.filter((e) => e.type === 'token' && e.stage === stage && e.model === model)
    .sort((a, b) => a.seq - b.seq).map((e) => e.delta).join('');
}

export const sim = {
  fast: 'sim/fast?ttft=30&tps=300&tokens=40',
  quick: 'sim/quick?ttft=50&tps=250&tokens=40',
  steady: 'sim/steady?ttft=60&tps=200&tokens=40',
  chair: 'sim/chair?ttft=30&tps=300&tokens=30',
};
