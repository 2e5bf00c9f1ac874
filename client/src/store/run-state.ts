// A run as the client sees it, and the pure functions that fold hub events into it.
// Every function returns a new object for whatever changed and the same object for what didn't,
// so components subscribed to one lane re-render only when that lane changes.
import type {
  AggregateRanking,
  ModelCompleteEvent,
  ModelStartEvent,
  RunCompleteEvent,
  RunMetrics,
  RunStatus,
  SearchResult,
  CouncilEvent,
  StageProgressEvent,
  StageStatus,
  StartRunResult,
  TokenEvent,
  Usage,
} from '@council/contracts';

export type LaneStatus = 'waiting' | 'streaming' | 'done' | 'cancelled' | 'failed' | 'interrupted';

/** One model's call in one stage. Times are client clock readings (ms). */
export interface Lane {
  readonly stage: number;
  readonly model: string;
  readonly status: LaneStatus;
  readonly text: string;
  /** The model's reasoning so far, where its provider streams it (shown collapsed, apart from the answer). */
  readonly reasoning?: string;
  /** Tokens streamed so far, counted from the deltas (the provider's count replaces it in `usage`). */
  readonly tokens: number;
  /** A model_start arrived: the model was asked. */
  readonly started: boolean;
  /** Planned for the stage but not part of it (dropped in an earlier stage, or the run ended first). */
  readonly leftOut: boolean;
  /** The user pressed Skip: shown as cancelled at once, until model_complete says how it really ended. */
  readonly cancelRequested: boolean;
  readonly startedAt?: number;
  readonly firstTokenAt?: number;
  readonly completedAt?: number;
  readonly ttftMs?: number;
  readonly durationMs?: number;
  readonly usage?: Usage;
  readonly error?: string;
  /** Review stage: the model ids in the order this reviewer ranked them. */
  readonly ranking?: readonly string[];
  /** False for an answer that came in after a quorum let the reviews start without it. */
  readonly reviewed?: boolean;
}

/** `stopped`: the run ended while the stage was going; `not-run`: it ended before the stage began. */
export type StagePhase = 'pending' | StageStatus | 'stopped' | 'not-run';

export interface Stage {
  readonly index: number;
  readonly name: string;
  /** "answers", "review", "synthesis", or a kind a later workflow adds. */
  readonly kind: string;
  /** Lane order: the planned models, then any that joined later (a fallback chairman). */
  readonly models: readonly string[];
  readonly lanes: Readonly<Record<string, Lane>>;
  readonly phase: StagePhase;
  readonly completed: number;
  readonly total: number;
  readonly elapsedMs: number;
  /** When the last stage_progress arrived, to count elapsed time on between heartbeats. */
  readonly progressAt?: number;
  readonly completedModels: readonly string[];
  readonly pendingModels: readonly string[];
  readonly fastestModel?: string;
  readonly fastestLatencyMs?: number;
}

/** A chairman that failed and the model that took over from it. */
export interface ChairmanFallback {
  readonly stage: number;
  readonly failedModel: string;
  readonly error?: string;
  readonly model: string;
}

export type RunPhase = 'starting' | RunStatus;

export interface Run {
  readonly runId: string;
  readonly conversationId?: string;
  readonly workflow?: string;
  readonly prompt?: string;
  readonly status: RunPhase;
  readonly stopRequested: boolean;
  readonly stages: readonly Stage[];
  /** The last seq applied; events are applied strictly in seq order. */
  readonly lastSeq: number;
  /** Events that arrived after a gap, waiting for the missing seq. */
  readonly buffered: readonly CouncilEvent[];
  readonly createdAt: number;
  readonly completedAt?: number;
  readonly final?: string;
  readonly error?: string;
  /** Why the server refused the user's last skip or stop (a limit, say), in its words. */
  readonly actionError?: string;
  readonly aggregateRankings?: readonly AggregateRanking[];
  readonly metrics?: RunMetrics;
  readonly searchResults: readonly { readonly stage: number; readonly results: readonly SearchResult[]; readonly error?: string }[];
  readonly fallbacks: readonly ChairmanFallback[];
  /** Replayed from the server's log (after a reload): client arrival times say nothing about the run's timing. */
  readonly replayed?: boolean;
  /** While replayed events arrive: the run's own clock, read from their figures. */
  readonly replay?: ReplayClock;
  /** The server stopped during the run (its log was closed at the next start). */
  readonly interrupted?: boolean;
  /** When the last event was applied (client clock): a run replayed after a crash keeps what it had seen live. */
  readonly lastEventAt?: number;
}

/**
 * Replayed events arrive at once, so their arrival times say nothing. Their own figures do: a stage's
 * `stage_progress` says how long it has been going, a `model_complete` how long the call took. Replayed events
 * are given the run time (ms since the run started) those figures reached, on the client clock.
 */
export interface ReplayClock {
  /** The client-clock reading at which the run started. */
  readonly base: number;
  /** The run time the events reached so far. */
  readonly at: number;
  /** When each stage started, in run time. */
  readonly stageStarts: Readonly<Record<number, number>>;
  /** The log's last seq when the resume was answered: later events are live. Unknown until then. */
  readonly until?: number;
}

export function createRun(runId: string, createdAt: number, prompt?: string): Run {
  return {
    runId,
    prompt,
    status: 'starting',
    stopRequested: false,
    stages: [],
    lastSeq: 0,
    buffered: [],
    createdAt,
    searchResults: [],
    fallbacks: [],
  };
}

export function isActive(run: Pick<Run, 'status'>): boolean {
  return run.status === 'starting' || run.status === 'running';
}

/** The stage has begun (or ended after beginning): not waiting for its turn, nor left unrun by the run's end. */
export function hasBegun(stage: Stage | undefined): boolean {
  return stage !== undefined && stage.phase !== 'pending' && stage.phase !== 'not-run';
}

export function isLanePending(lane: Lane): boolean {
  return !lane.leftOut && (lane.status === 'waiting' || lane.status === 'streaming');
}

/** Folds in the plan `start_run` returned; events that came first are kept. */
export function applyStart(run: Run, result: StartRunResult, prompt: string, sentAt: number): Run {
  let stages = [...run.stages];
  for (const info of result.stages) {
    const existing = stages[info.index];
    const base = existing ?? newStage(info.index, info.name, info.kind);
    const extra = base.models.filter((m) => !info.models.includes(m));
    const lanes: Record<string, Lane> = { ...base.lanes };
    for (const model of info.models) lanes[model] ??= newLane(info.index, model);
    stages[info.index] = { ...base, name: info.name, kind: info.kind, models: [...info.models, ...extra], lanes };
  }
  stages = fillStageGaps(stages);
  return {
    ...run,
    conversationId: result.conversationId,
    workflow: result.workflow,
    prompt,
    createdAt: Math.min(run.createdAt, sentAt),
    status: run.status === 'starting' ? 'running' : run.status,
    stages,
  };
}

/** Applies one event in seq order: duplicates are dropped, events after a gap wait for it. */
export function receive(run: Run, event: CouncilEvent, now: number): Run {
  if (event.seq <= run.lastSeq || run.buffered.some((e) => e.seq === event.seq)) return run;
  if (event.seq !== run.lastSeq + 1) {
    return { ...run, buffered: [...run.buffered, event].sort((a, b) => a.seq - b.seq) };
  }
  let next = applyTimed({ ...run, lastSeq: event.seq }, event, now);
  while (next.buffered.length > 0 && next.buffered[0].seq === next.lastSeq + 1) {
    const [head, ...rest] = next.buffered;
    next = applyTimed({ ...next, lastSeq: head.seq, buffered: rest }, head, now);
  }
  return next;
}

/** A replayed event at the run time its figures say; a live one at its arrival. */
function applyTimed(run: Run, event: CouncilEvent, now: number): Run {
  const clock = run.replay;
  if (!clock || (clock.until !== undefined && event.seq > clock.until)) return apply({ ...run, lastEventAt: now }, event, now, false);
  let { at, base } = clock;
  let stageStarts = clock.stageStarts;
  if (event.type === 'stage_progress') {
    const start = stageStarts[event.stage] ?? Math.max(0, at - event.elapsedMs);
    if (stageStarts[event.stage] === undefined) stageStarts = { ...stageStarts, [event.stage]: start };
    at = Math.max(at, start + event.elapsedMs);
  } else if (event.type === 'model_complete') {
    const startedAt = run.stages[event.stage]?.lanes[event.model]?.startedAt;
    if (startedAt !== undefined) at = Math.max(at, startedAt - base + event.durationMs);
  }
  // The server's clock may run ahead of this one: a run does not start in the future.
  if (base + at > now) base = now - at;
  const timed = { ...run, replay: { ...clock, at, base, stageStarts }, lastEventAt: Math.max(run.lastEventAt ?? 0, base + at) };
  return apply(timed, event, base + at, true);
}

/** The replay caught up with the log as it was when the resume was answered: events after `lastSeq` are live. */
export function replayUntil(run: Run, lastSeq: number, interrupted: boolean): Run {
  const marked = interrupted && !run.interrupted ? { ...run, interrupted: true } : run;
  return marked.replay && marked.replay.until === undefined ? { ...marked, replay: { ...marked.replay, until: lastSeq } } : marked;
}

/** Skip pressed: the lane shows cancelled at once and keeps its text. */
export function requestCancelModel(run: Run, stage: number, model: string): Run {
  return updateLane(withoutActionError(run), stage, model, (lane) =>
    isLanePending(lane) ? { ...lane, cancelRequested: true, status: 'cancelled' } : lane,
  );
}

/** The cancel request failed (the server refused it, or it never got there): show the lane as it really is, and why. */
export function revertCancelModel(run: Run, stage: number, model: string, error?: string): Run {
  const reverted = updateLane(run, stage, model, (lane) =>
    lane.cancelRequested && lane.completedAt === undefined
      ? { ...lane, cancelRequested: false, status: lane.firstTokenAt !== undefined ? 'streaming' : 'waiting' }
      : lane,
  );
  return error ? { ...reverted, actionError: error } : reverted;
}

export function requestStop(run: Run): Run {
  return isActive(run) ? { ...withoutActionError(run), stopRequested: true } : run;
}

export function revertStop(run: Run, error?: string): Run {
  return error ? { ...run, stopRequested: false, actionError: error } : { ...run, stopRequested: false };
}

function withoutActionError(run: Run): Run {
  if (run.actionError === undefined) return run;
  const { actionError: _, ...rest } = run;
  return rest;
}

/** The stage the run is in now: the last one that has started. */
export function currentStage(run: Run): Stage | undefined {
  for (let i = run.stages.length - 1; i >= 0; i--) {
    if (hasBegun(run.stages[i])) return run.stages[i];
  }
  return run.stages[0];
}

function apply(run: Run, event: CouncilEvent, now: number, replayed: boolean): Run {
  const started: Run = run.status === 'starting' ? { ...run, status: 'running' } : run;
  switch (event.type) {
    case 'stage_progress':
      return applyProgress(started, event, now);
    case 'model_start':
      return applyModelStart(started, event, now);
    case 'token':
      return applyToken(started, event, now, replayed);
    case 'model_complete':
      return applyModelComplete(started, event, now);
    case 'search_results':
      return {
        ...started,
        searchResults: [...started.searchResults, { stage: event.stage, results: event.results, error: event.error ?? undefined }],
      };
    case 'run_complete':
      return applyRunComplete(started, event, now);
    default:
      return started;
  }
}

function applyProgress(run: Run, e: StageProgressEvent, now: number): Run {
  return updateStage(ensureStage(insertLoopStage(run, e), e.stage, e.name), e.stage, (stage) => {
    const participants = new Set([...e.pendingModels, ...e.completedModels]);
    const lanes: Record<string, Lane> = { ...stage.lanes };
    const models = [...stage.models];
    for (const model of participants) {
      if (!lanes[model]) {
        lanes[model] = newLane(e.stage, model);
        models.push(model);
      }
    }
    const ended = e.status === 'completed' || e.status === 'skipped';
    for (const model of models) {
      const lane = lanes[model];
      // A stage asks its models when it starts: time to first token counts from then, not from model_start.
      if (e.status === 'started' && participants.has(model) && lane.startedAt === undefined) lanes[model] = { ...lane, startedAt: now };
      if (lane.started || lane.leftOut) continue;
      // Planned models missing from the stage's participants were dropped earlier; once the
      // stage is over, nobody who hasn't started will.
      if (ended || (e.status === 'started' && !participants.has(model))) {
        lanes[model] = { ...lane, leftOut: true };
      }
    }
    return {
      ...stage,
      name: e.name || stage.name,
      models,
      lanes,
      phase: e.status,
      completed: e.completed,
      total: e.total,
      elapsedMs: e.elapsedMs,
      progressAt: now,
      completedModels: e.completedModels,
      pendingModels: e.pendingModels,
      fastestModel: e.fastestModel ?? stage.fastestModel,
      fastestLatencyMs: e.fastestLatencyMs ?? stage.fastestLatencyMs,
    };
  });
}

function applyModelStart(run: Run, e: ModelStartEvent, now: number): Run {
  let next = ensureStage(run, e.stage);
  const stage = next.stages[e.stage];
  // A second model asked in a synthesis stage after one failed: a fallback chairman took over.
  if (stage.kind === 'synthesis') {
    const failed = stage.models.map((m) => stage.lanes[m]).filter((l) => l.started && l.status === 'failed' && l.model !== e.model);
    const last = failed[failed.length - 1];
    if (last && !next.fallbacks.some((f) => f.stage === e.stage && f.model === e.model)) {
      next = {
        ...next,
        fallbacks: [...next.fallbacks, { stage: e.stage, failedModel: last.model, error: last.error, model: e.model }],
      };
    }
  }
  next = updateStage(next, e.stage, (s) => (s.phase === 'pending' ? { ...s, phase: 'running' } : s));
  return upsertLane(next, e.stage, e.model, (lane) => ({
    ...lane,
    started: true,
    leftOut: false,
    startedAt: lane.startedAt ?? now,
    status: lane.cancelRequested ? 'cancelled' : lane.status,
  }));
}

/**
 * Tokens in a delta: a token is about a word piece, leading white space and up to six more characters (what
 * BPE tokenizers and the simulated models make of English). A delta holds whole tokens.
 */
export function countTokens(text: string): number {
  return text.match(/\s*[^\s]{1,6}/g)?.length ?? 0;
}

function applyToken(run: Run, e: TokenEvent, now: number, replayed: boolean): Run {
  return upsertLane(ensureStage(run, e.stage), e.stage, e.model, (lane) => ({
    ...lane,
    started: true,
    startedAt: lane.startedAt ?? now,
    text: lane.text + e.delta,
    reasoning: e.reasoning ? (lane.reasoning ?? '') + e.reasoning : lane.reasoning,
    tokens: lane.tokens + countTokens(e.delta),
    // A replayed first token's time is not known (the events between two figures carry none): the TTFT comes with
    // model_complete; a replay never shows one made up of arrival times.
    firstTokenAt: lane.firstTokenAt ?? (replayed || lane.text !== '' ? undefined : now),
    status: lane.status === 'waiting' ? 'streaming' : lane.status,
  }));
}

function applyModelComplete(run: Run, e: ModelCompleteEvent, now: number): Run {
  return upsertLane(ensureStage(run, e.stage), e.stage, e.model, (lane) => ({
    ...lane,
    started: true,
    leftOut: false,
    startedAt: lane.startedAt ?? now,
    status: e.status === 'ok' ? 'done' : e.status,
    // The complete text is authoritative; a cancelled call may report less than what streamed.
    text: e.text.length >= lane.text.length ? e.text : lane.text,
    error: e.error ?? undefined,
    ttftMs: e.ttftMs ?? undefined,
    durationMs: e.durationMs,
    usage: e.usage ?? undefined,
    ranking: e.ranking ?? undefined,
    reviewed: e.reviewed ?? undefined,
    completedAt: now,
  }));
}

function applyRunComplete(run: Run, e: RunCompleteEvent, now: number): Run {
  const unfinished: LaneStatus = e.status === 'failed' ? 'failed' : 'cancelled';
  const stages = run.stages.map((stage) => {
    let changed = false;
    const lanes: Record<string, Lane> = { ...stage.lanes };
    for (const model of stage.models) {
      const lane = lanes[model];
      if (!lane.started && !lane.leftOut) {
        lanes[model] = { ...lane, leftOut: true };
        changed = true;
      } else if (lane.started && lane.completedAt === undefined) {
        lanes[model] = { ...lane, status: lane.cancelRequested ? 'cancelled' : unfinished, completedAt: now };
        changed = true;
      } else if (e.error && lane.error === e.error) {
        // Closed by the run's own end (the server stopped): the run says why, once; the lane says it was cut off,
        // when it was last heard of (the closing event's duration of 0 says nothing).
        const { durationMs: _, ...rest } = lane;
        lanes[model] = { ...rest, status: 'interrupted', error: undefined, completedAt: Math.max(lane.startedAt ?? 0, run.lastEventAt ?? lane.completedAt ?? now) };
        changed = true;
      }
    }
    // A stage the run never reached was not skipped (that is the review with too few answers): it did not run.
    const going = stage.phase === 'started' || stage.phase === 'running';
    const phase: StagePhase = stage.phase === 'pending' ? 'not-run' : going ? 'stopped' : stage.phase;
    // A stage that stopped went on until the last event the page had of it.
    const elapsedMs = going && stage.progressAt !== undefined && run.lastEventAt !== undefined
      ? Math.max(stage.elapsedMs, run.lastEventAt - (stage.progressAt - stage.elapsedMs))
      : stage.elapsedMs;
    return changed || phase !== stage.phase ? { ...stage, lanes, phase, elapsedMs } : stage;
  });
  return {
    ...run,
    stages,
    status: e.status,
    stopRequested: false,
    completedAt: now,
    final: e.final ?? undefined,
    error: e.error ?? undefined,
    aggregateRankings: e.aggregateRankings ?? undefined,
    metrics: e.metrics,
  };
}

/**
 * Stage indices count stages as they run, while the plan lists the first pass only. A stage that
 * runs in a loop (a refiner, then the reviewer again) starts at an index the plan gave to a later
 * stage: insert it there and move the stages still to come one further.
 */
function insertLoopStage(run: Run, e: StageProgressEvent): Run {
  const planned = run.stages[e.stage];
  if (e.status !== 'started' || !planned || planned.phase !== 'pending' || planned.name === e.name || run.workflow === undefined) {
    return run;
  }
  const sameName = run.stages.find((s) => s.name === e.name);
  const roles = run.stages.every((s) => s.kind === 'role');
  const inserted = newStage(e.stage, e.name, sameName?.kind ?? (roles ? 'role' : undefined));
  const later = run.stages.slice(e.stage).map((s) => reindex(s, s.index + 1));
  return { ...run, stages: [...run.stages.slice(0, e.stage), inserted, ...later] };
}

function reindex(stage: Stage, index: number): Stage {
  const lanes: Record<string, Lane> = {};
  for (const model of stage.models) lanes[model] = { ...stage.lanes[model], stage: index };
  return { ...stage, index, lanes };
}

function newLane(stage: number, model: string): Lane {
  return { stage, model, status: 'waiting', text: '', tokens: 0, started: false, leftOut: false, cancelRequested: false };
}

function newStage(index: number, name?: string, kind?: string): Stage {
  const stageName = name ?? `stage ${index + 1}`;
  return {
    index,
    name: stageName,
    kind: kind ?? guessKind(stageName),
    models: [],
    lanes: {},
    phase: 'pending',
    completed: 0,
    total: 0,
    elapsedMs: 0,
    completedModels: [],
    pendingModels: [],
  };
}

/** A resumed run has no plan: tell the council's stages by name. */
function guessKind(name: string): string {
  const n = name.toLowerCase();
  if (n.startsWith('review') || n.startsWith('rank')) return 'review';
  if (n.startsWith('synth') || n.startsWith('final') || n.startsWith('chair')) return 'synthesis';
  return 'answers';
}

function fillStageGaps(stages: Stage[]): Stage[] {
  const filled: Stage[] = [];
  for (let i = 0; i < stages.length; i++) filled.push(stages[i] ?? newStage(i));
  return filled;
}

function ensureStage(run: Run, index: number, name?: string): Run {
  const existing = run.stages[index];
  if (existing) {
    if (!name || existing.name === name || run.workflow !== undefined) return run;
    return updateStage(run, index, (s) => ({ ...s, name, kind: guessKind(name) }));
  }
  const stages = [...run.stages];
  stages[index] = newStage(index, name);
  return { ...run, stages: fillStageGaps(stages) };
}

function updateStage(run: Run, index: number, update: (stage: Stage) => Stage): Run {
  const stage = run.stages[index];
  const next = update(stage);
  if (next === stage) return run;
  const stages = [...run.stages];
  stages[index] = next;
  return { ...run, stages };
}

function updateLane(run: Run, stage: number, model: string, update: (lane: Lane) => Lane): Run {
  const s = run.stages[stage];
  const lane = s?.lanes[model];
  if (!lane) return run;
  const next = update(lane);
  if (next === lane) return run;
  return updateStage(run, stage, (st) => ({ ...st, lanes: { ...st.lanes, [model]: next } }));
}

function upsertLane(run: Run, stage: number, model: string, update: (lane: Lane) => Lane): Run {
  return updateStage(run, stage, (s) => {
    const existing = s.lanes[model];
    const lane = update(existing ?? newLane(stage, model));
    return {
      ...s,
      models: existing ? s.models : [...s.models, model],
      lanes: { ...s.lanes, [model]: lane },
    };
  });
}
