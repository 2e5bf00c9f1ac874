import type { CouncilEvent, ModelStatus, RunCompleteEvent, StageStatus, StartRunResult, Usage } from '@council/contracts';

/** What a lane shows about one model in one stage. */
export type LaneStatus = 'waiting' | 'streaming' | 'done' | 'cancelled' | 'failed';

/** One model in one stage. */
export interface Lane {
  readonly stage: number;
  readonly model: string;
  /** 1-based position within its stage: the key that skips it. */
  readonly number: number;
  status: LaneStatus;
  text: string;
  /** When the first token arrived, in `now()` time. */
  firstTokenAt?: number;
  /** When the last token arrived. */
  lastTokenAt?: number;
  ttftMs?: number;
  durationMs?: number;
  usage?: Usage;
  error?: string;
  ranking?: string[];
  /** False for an answer that came in after a quorum let the reviews start without it. */
  reviewed?: boolean;
}

export interface StageView {
  readonly index: number;
  name: string;
  readonly kind: string;
  status: StageStatus | 'pending';
  elapsedMs: number;
  readonly lanes: Lane[];
}

function planned(run: StartRunResult): StageView[] {
  return run.stages.map((s) => ({
    index: s.index,
    name: s.name,
    kind: s.kind,
    status: 'pending',
    elapsedMs: 0,
    lanes: s.models.map((model, i) => newLane(s.index, model, i + 1)),
  }));
}

const laneStatus: Record<ModelStatus, LaneStatus> = { ok: 'done', cancelled: 'cancelled', failed: 'failed' };

/** The state of a run as the CLI shows it, built from its events. */
export class RunView {
  readonly stages: StageView[];
  /** Index of the stage that started last; -1 before the first. */
  currentStage = -1;
  complete: RunCompleteEvent | undefined;
  readonly startedAt: number;

  constructor(readonly run: StartRunResult, private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
    this.stages = planned(run);
  }

  /** Forgets every event applied, back to the run's plan: the server replays the run from its stored log. */
  restart(): void {
    this.stages.splice(0, this.stages.length, ...planned(this.run));
    this.currentStage = -1;
    this.complete = undefined;
  }

  apply(event: CouncilEvent): void {
    switch (event.type) {
      case 'stage_progress': {
        const stage = this.stage(event.stage);
        stage.name = event.name; // stages can be added as the run goes (a refiner loop)
        stage.status = event.status;
        stage.elapsedMs = event.elapsedMs;
        if (event.status === 'started' || event.status === 'running') this.currentStage = Math.max(this.currentStage, event.stage);
        break;
      }
      case 'model_start':
        this.currentStage = Math.max(this.currentStage, event.stage);
        this.lane(event.stage, event.model);
        break;
      case 'token': {
        const lane = this.lane(event.stage, event.model);
        const now = this.now();
        lane.firstTokenAt ??= now;
        lane.lastTokenAt = now;
        lane.text += event.delta;
        if (lane.status === 'waiting') lane.status = 'streaming';
        break;
      }
      case 'model_complete': {
        const lane = this.lane(event.stage, event.model);
        lane.status = laneStatus[event.status];
        lane.text = event.text;
        lane.ttftMs = event.ttftMs;
        lane.durationMs = event.durationMs;
        lane.usage = event.usage;
        lane.error = event.error;
        lane.ranking = event.ranking;
        lane.reviewed = event.reviewed;
        break;
      }
      case 'run_complete':
        this.complete = event;
        break;
      case 'search_results':
        break;
    }
  }

  /** The lane of (stage, model); a model the plan did not list (a fallback chairman) gets a new lane. */
  lane(stage: number, model: string): Lane {
    const view = this.stage(stage);
    let lane = view.lanes.find((l) => l.model === model);
    if (!lane) view.lanes.push((lane = newLane(stage, model, view.lanes.length + 1)));
    return lane;
  }

  stage(index: number): StageView {
    let stage = this.stages.find((s) => s.index === index);
    if (!stage) {
      stage = { index, name: `stage ${index + 1}`, kind: 'unknown', status: 'pending', elapsedMs: 0, lanes: [] };
      this.stages.push(stage);
      this.stages.sort((a, b) => a.index - b.index);
    }
    return stage;
  }

  /** Stages under way (started, not yet completed or skipped): usually one; more when a quorum let the next start early. */
  activeStages(): StageView[] {
    return this.stages.filter((s) => s.status === 'started' || s.status === 'running');
  }

  /** The lanes of the active stages in display order: number key k skips the k-th. */
  activeLanes(): Lane[] {
    return this.activeStages().flatMap((s) => s.lanes);
  }

  /** Tokens per second: exact once the call is done (from usage), estimated (~4 characters a token) while streaming. */
  tokensPerSecond(lane: Lane): { tokens: number; perSecond: number | undefined; estimated: boolean } {
    if (lane.usage && lane.durationMs !== undefined) {
      const streamingMs = lane.durationMs - (lane.ttftMs ?? 0);
      return { tokens: lane.usage.completionTokens, perSecond: streamingMs > 0 ? (lane.usage.completionTokens * 1000) / streamingMs : undefined, estimated: false };
    }
    const tokens = Math.round(lane.text.length / 4);
    const elapsed = lane.firstTokenAt !== undefined ? this.now() - lane.firstTokenAt : 0;
    return { tokens, perSecond: elapsed > 200 ? (tokens * 1000) / elapsed : undefined, estimated: true };
  }

  /**
   * "stage 2/3" while the plan is the whole run; a workflow of roles may loop (refiner, reviewer again) and add
   * stages as it goes, so there a growing total would say nothing: "stage 5".
   */
  stageLabel(stage: StageView): string {
    const loops = this.run.stages.some((s) => s.kind === 'role');
    return loops ? `stage ${stage.index + 1}` : `stage ${stage.index + 1}/${this.stages.length}`;
  }

  /** Milliseconds since the run started (client clock). */
  elapsedMs(): number {
    return this.now() - this.startedAt;
  }
}

function newLane(stage: number, model: string, number: number): Lane {
  return { stage, model, number, status: 'waiting', text: '' };
}
