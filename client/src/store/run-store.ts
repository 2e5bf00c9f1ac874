import type { CouncilEvent, StartRunResult } from '@council/contracts';
import { animationFrames, paced, type FrameScheduler } from './frame-scheduler';
import {
  applyStart,
  createRun,
  receive,
  replayUntil,
  requestCancelModel,
  requestStop,
  revertCancelModel,
  revertStop,
  type Run,
} from './run-state';
import { SnapshotStore } from './snapshot-store';

export type Runs = Readonly<Record<string, Run>>;

/** What the page knows of a run it did not start. */
export interface AdoptedRun {
  /** When the run started, by the server's record (Date.now() clock). */
  startedAtMs?: number;
  plan?: StartRunResult;
  interrupted?: boolean;
}

function adopted(runId: string, base: number, prompt: string | undefined, from: AdoptedRun): Run {
  const empty: Run = { ...createRun(runId, base, prompt), replayed: true, replay: { base, at: 0, stageStarts: {} } };
  const planned = from.plan ? { ...applyStart(empty, from.plan, prompt ?? '', base), status: empty.status } : empty;
  return from.interrupted ? { ...planned, interrupted: true } : planned;
}

/**
 * Every run this page knows, keyed by run id. Hub events are queued as they arrive and applied
 * together once per animation frame, so a burst of tokens costs one snapshot and one render.
 */
export class RunStore extends SnapshotStore<Runs> {
  private queue: { event: CouncilEvent; at: number }[] = [];
  private cancelFrame: (() => void) | undefined;

  constructor(
    private readonly scheduleFrame: FrameScheduler = paced(animationFrames, 33),
    private readonly clock: () => number = () => performance.now(),
  ) {
    super({});
  }

  now(): number {
    return this.clock();
  }

  /** Queues a hub event; it is applied before the next frame. Events may precede their run's start result. */
  receive(event: CouncilEvent): void {
    this.queue.push({ event, at: this.clock() });
    this.cancelFrame ??= this.scheduleFrame(() => {
      this.cancelFrame = undefined;
      this.flush();
    });
  }

  /** Applies every queued event now. */
  flush(): void {
    this.cancelFrame?.();
    this.cancelFrame = undefined;
    if (this.queue.length === 0) return;
    const queued = this.queue;
    this.queue = [];
    const runs = this.getSnapshot();
    const changed: Record<string, Run> = {};
    for (const { event, at } of queued) {
      const run = changed[event.runId] ?? runs[event.runId] ?? createRun(event.runId, at);
      changed[event.runId] = receive(run, event, at);
    }
    this.set({ ...runs, ...changed });
  }

  /** The hub accepted a run: its lanes appear at once, from the plan. */
  started(result: StartRunResult, prompt: string, sentAt: number): void {
    this.flush();
    this.change(result.runId, (run) => applyStart(run ?? createRun(result.runId, sentAt, prompt), result, prompt, sentAt));
  }

  /**
   * A run this page did not start (a reload): an empty run that replayed events fill in. `startedAtMs` (the
   * server's record, Date.now() clock) dates the run's start; `plan` lays out its stages before their events come.
   */
  adopt(runId: string, prompt: string | undefined, from: AdoptedRun = {}): void {
    if (this.getSnapshot()[runId]) return;
    const wall = Date.now();
    const base = from.startedAtMs !== undefined ? this.clock() - Math.max(0, wall - from.startedAtMs) : this.clock();
    this.change(runId, () => adopted(runId, base, prompt, from));
  }

  /** The stages of an adopted run, once the workflow is known; a run whose events named other stages keeps those. */
  plan(runId: string, plan: StartRunResult): void {
    this.flush();
    this.change(runId, (run) => {
      if (!run || run.workflow !== undefined || !run.replayed) return run;
      const fits = run.stages.every((s, i) => plan.stages[i]?.name === s.name);
      return fits ? { ...applyStart(run, plan, run.prompt ?? '', run.createdAt), status: run.status } : run;
    });
  }

  /** The server answered resume_run: events up to `lastSeq` are the replay, later ones live. */
  resumed(runId: string, lastSeq: number, status: string): void {
    this.change(runId, (run) => run && replayUntil(run, lastSeq, status === 'interrupted'));
  }

  /**
   * The server's log diverged from what this page showed (it lost events in a crash and reused their seqs): the run
   * starts over from seq 0 and its stored log is replayed into it. Its plan and timing are kept.
   */
  restart(runId: string, lastSeq: number, status: string): void {
    this.flush();
    this.change(runId, (run) => {
      if (!run) return run;
      const plan: StartRunResult | undefined = run.workflow === undefined ? undefined : {
        runId,
        conversationId: run.conversationId ?? '',
        workflow: run.workflow,
        stages: run.stages.map((s) => ({ index: s.index, name: s.name, kind: s.kind, models: [...s.models] })),
      };
      const fresh = adopted(runId, run.createdAt, run.prompt, { plan, interrupted: status === 'interrupted' });
      // What was seen live stays known: the replay's figures may say less (a crash leaves no duration behind).
      return replayUntil({ ...fresh, conversationId: run.conversationId, lastEventAt: run.lastEventAt }, lastSeq, status === 'interrupted');
    });
  }

  /** The server no longer knows a run this page adopted. */
  lost(runId: string, error: string): void {
    this.change(runId, (run) => run && { ...run, status: 'interrupted', error, completedAt: this.clock() });
  }

  cancelModelRequested(runId: string, stage: number, model: string): void {
    this.flush();
    this.change(runId, (run) => run && requestCancelModel(run, stage, model));
  }

  /** The skip did not happen; `error` (the server's words) is shown on the run. */
  cancelModelFailed(runId: string, stage: number, model: string, error?: string): void {
    this.change(runId, (run) => run && revertCancelModel(run, stage, model, error));
  }

  stopRequested(runId: string): void {
    this.flush();
    this.change(runId, (run) => run && requestStop(run));
  }

  /** The stop did not happen; `error` (the server's words) is shown on the run. */
  stopFailed(runId: string, error?: string): void {
    this.change(runId, (run) => run && revertStop(run, error));
  }

  /** Forgets every run (sign out). */
  clear(): void {
    this.cancelFrame?.();
    this.cancelFrame = undefined;
    this.queue = [];
    this.set({});
  }

  private change(runId: string, update: (run: Run | undefined) => Run | undefined): void {
    const runs = this.getSnapshot();
    const next = update(runs[runId]);
    if (next && next !== runs[runId]) this.set({ ...runs, [runId]: next });
  }
}
