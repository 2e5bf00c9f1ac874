import type { CouncilEvent, StartRunResult } from '@council/contracts';
import { animationFrames, type FrameScheduler } from './frame-scheduler';
import {
  applyStart,
  createRun,
  receive,
  requestCancelModel,
  requestStop,
  revertCancelModel,
  revertStop,
  type Run,
} from './run-state';
import { SnapshotStore } from './snapshot-store';

export type Runs = Readonly<Record<string, Run>>;

/**
 * Every run this page knows, keyed by run id. Hub events are queued as they arrive and applied
 * together once per animation frame, so a burst of tokens costs one snapshot and one render.
 */
export class RunStore extends SnapshotStore<Runs> {
  private queue: { event: CouncilEvent; at: number }[] = [];
  private cancelFrame: (() => void) | undefined;

  constructor(
    private readonly scheduleFrame: FrameScheduler = animationFrames,
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

  /** A run this page did not start (a reload): an empty run that replayed events fill in. */
  adopt(runId: string, prompt: string | undefined): void {
    if (this.getSnapshot()[runId]) return;
    this.change(runId, () => ({ ...createRun(runId, this.clock(), prompt), replayed: true }));
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
