// One virtual user: a hub connection that runs councils one after another and checks and times every event.
import * as signalR from '@microsoft/signalr';
import { createProtocol, nowNs } from './protocol.mjs';
import { simTiming } from './options.mjs';

export const EVENT_NAMES = ['stage_progress', 'model_start', 'token', 'model_complete', 'search_results', 'run_complete'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a run is expected to take, from its models' stated timing (null when some model does not state it). */
export function planRun(options) {
  const timings = options.models.map(simTiming);
  const chair = simTiming(options.chairman);
  const known = timings.every(Boolean) && chair;
  const slowest = known ? Math.max(...timings.map((t) => t.durationMs)) : null;
  return {
    fastestTtftMs: timings.every(Boolean) ? Math.min(...timings.map((t) => t.ttft)) : null,
    // Answers, reviews (each reviewer has its own timing), synthesis; twice that and 30 s of slack before giving up.
    timeoutMs: known ? 2 * (2 * slowest + chair.durationMs) + 30_000 : 180_000,
    cancelTarget: timings.every(Boolean) ? options.models[timings.indexOf(timings.reduce((a, b) => (b.durationMs > a.durationMs ? b : a)))] : options.models.at(-1),
  };
}

class RunTracker {
  constructor(plan, cancel) {
    this.plan = plan;
    this.runId = undefined;
    this.nextSeq = 1;
    this.seqProblem = false;
    this.invokedNs = 0;
    this.firstTokenNs = 0;
    this.cancelTarget = cancel ? plan.cancelTarget : null;
    this.cancelSentNs = 0;
    this.done = new Promise((resolve) => { this.resolve = resolve; });
  }
}

export class VirtualUser {
  constructor(id, ctx) {
    this.id = id;
    this.ctx = ctx;
    this.current = null;
    this.stopping = false;
    this.runs = 0;
  }

  async connect() {
    const { ctx } = this;
    this.connection = new signalR.HubConnectionBuilder()
      .withUrl(ctx.hubUrl, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
      .withHubProtocol(await createProtocol(ctx.options.protocol))
      .configureLogging(signalR.LogLevel.None)
      .build();
    for (const name of EVENT_NAMES) this.connection.on(name, (payload) => this.onEvent(name, payload));
    this.connection.onclose((error) => {
      if (this.stopping) return;
      ctx.metrics.disconnects++;
      ctx.metrics.error(`connection ${this.id} closed`, error ?? 'without an error');
      this.current?.resolve(false);
    });
    const started = performance.now();
    await this.connection.start();
    ctx.metrics.connectMs.add(performance.now() - started);
  }

  get connected() {
    return this.connection?.state === signalR.HubConnectionState.Connected;
  }

  /** Runs councils until `deadline` (performance.now() ms) or `maxRuns`, pausing `thinkMs` between them. */
  async loop(deadline, firstDelayMs) {
    const { options } = this.ctx;
    await sleep(firstDelayMs);
    while (performance.now() < deadline && this.runs < options.maxRuns && this.connected) {
      await this.runOnce();
      const pause = Math.min(options.thinkMs, Math.max(0, deadline - performance.now()));
      if (pause > 0) await sleep(pause);
    }
  }

  async runOnce() {
    const { ctx } = this;
    const m = ctx.metrics;
    const o = ctx.options;
    const run = new RunTracker(ctx.plan, Math.random() < o.cancelFraction);
    this.current = run;
    this.runs++;
    m.runsStarted++;
    const request = { prompt: `load ${this.id}-${this.runs}: how do councils of models compare answers?`, models: o.models, chairman: o.chairman };
    if (o.workflow) request.workflow = o.workflow;
    run.invokedNs = nowNs();
    try {
      const result = await this.connection.invoke('start_run', request);
      m.startRunMs.add((nowNs() - run.invokedNs) / 1e6);
      if (run.runId !== undefined && run.runId !== result.runId) m.error('start_run', `events of ${run.runId} before the result naming ${result.runId}`);
      run.runId = result.runId;
    } catch (e) {
      m.error('start_run', e);
      this.current = null;
      return;
    }
    let timer;
    const finished = await Promise.race([run.done, new Promise((resolve) => { timer = setTimeout(() => resolve(false), ctx.plan.timeoutMs); })]);
    clearTimeout(timer);
    if (!finished && this.connected) {
      m.runTimeouts++;
      m.error('run', `${run.runId} did not complete within ${ctx.plan.timeoutMs} ms`);
    }
    if (run.seqProblem) m.runsWithSeqProblems++;
    this.current = null;
  }

  onEvent(name, p) {
    const m = this.ctx.metrics;
    const arrived = p.__arrivedNs ?? nowNs();
    const run = this.current;
    if (!run || (run.runId !== undefined && p.runId !== run.runId)) {
      m.strayEvents++;
      return;
    }
    run.runId ??= p.runId;
    m.eventsTotal++;
    if (p.seq === run.nextSeq) {
      run.nextSeq++;
    } else if (p.seq > run.nextSeq) {
      m.seqGaps += p.seq - run.nextSeq;
      run.seqProblem = true;
      run.nextSeq = p.seq + 1;
    } else {
      m.seqDuplicates++;
      run.seqProblem = true;
    }

    switch (name) {
      case 'token': {
        m.tokenEventsTotal++;
        m.charsTotal += p.delta.length;
        const s = p.__stamp;
        if (s) {
          m.tokensTotal += s.tokens;
          for (let j = 0; j < s.tokens; j++) {
            // Tokens merged into one event: the simulated models pace evenly, so the ones between first and last
            // were emitted at even steps.
            const emitted = s.tokens > 1 ? s.first + ((s.last - s.first) * j) / (s.tokens - 1) : s.first;
            const ms = (arrived - emitted) / 1e6;
            if (ms < 0) m.negativeLatencies++;
            m.addedLatencyMs.add(ms);
          }
          m.inServerMs.add((s.sent - s.first) / 1e6);
          m.wireMs.add((arrived - s.sent) / 1e6);
        } else {
          m.tokensTotal++;
          m.unstampedTokenEvents++;
        }
        if (!run.firstTokenNs) {
          run.firstTokenNs = arrived;
          if (run.plan.fastestTtftMs !== null) m.firstTokenOverTtftMs.add((arrived - run.invokedNs) / 1e6 - run.plan.fastestTtftMs);
        }
        if (run.cancelTarget === p.model && p.stage === 0 && !run.cancelScheduled) {
          run.cancelScheduled = true;
          setTimeout(() => this.cancel(run), Math.random() * 200);
        }
        break;
      }
      case 'model_complete':
        m.modelStatus[p.status] = (m.modelStatus[p.status] ?? 0) + 1;
        if (run.cancelSentNs && p.stage === 0 && p.model === run.cancelTarget && p.status === 'cancelled') {
          m.cancelToCompleteMs.add((arrived - run.cancelSentNs) / 1e6);
        }
        break;
      case 'run_complete':
        m.runsCompleted++;
        m.runStatus[p.status] = (m.runStatus[p.status] ?? 0) + 1;
        run.resolve(true);
        break;
    }
  }

  async cancel(run) {
    const m = this.ctx.metrics;
    if (this.current !== run || !this.connected) return;
    m.cancelsSent++;
    run.cancelSentNs = nowNs();
    try {
      const { accepted } = await this.connection.invoke('cancel_model', { runId: run.runId, model: run.cancelTarget, stage: 0 });
      if (!accepted) {
        m.cancelsNotAccepted++;
        run.cancelSentNs = 0;
      }
    } catch (e) {
      m.error('cancel_model', e);
    }
  }

  async stop() {
    this.stopping = true;
    try {
      await this.connection?.stop();
    } catch {
      // Already gone.
    }
  }
}
