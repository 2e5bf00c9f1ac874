// Builders of hub events for tests: each run numbers its events 1, 2, 3, … like the server.
import type { ModelCompleteEvent, RunCompleteEvent, CouncilEvent, StageProgressEvent, StartRunResult } from '@council/contracts';

export const councilPlan = (runId = 'r1', models = ['sim/a', 'sim/b', 'sim/c'], chairman = 'sim/chair'): StartRunResult => ({
  runId,
  conversationId: 'c1',
  workflow: 'council',
  stages: [
    { index: 0, name: 'answers', kind: 'answers', models },
    { index: 1, name: 'reviews', kind: 'review', models },
    { index: 2, name: 'synthesis', kind: 'synthesis', models: [chairman] },
  ],
});

export class EventScript {
  private seq = 0;
  constructor(readonly runId = 'r1') {}

  progress(stage: number, name: string, status: StageProgressEvent['status'], pending: string[], completed: string[] = [], elapsedMs = 0): CouncilEvent {
    return {
      type: 'stage_progress', runId: this.runId, seq: ++this.seq, stage, name, status,
      completed: completed.length, total: pending.length + completed.length, elapsedMs,
      completedModels: completed, pendingModels: pending,
    };
  }

  start(stage: number, model: string): CouncilEvent {
    return { type: 'model_start', runId: this.runId, seq: ++this.seq, stage, model };
  }

  token(stage: number, model: string, delta: string, reasoning?: string): CouncilEvent {
    return { type: 'token', runId: this.runId, seq: ++this.seq, stage, model, delta, ...(reasoning === undefined ? {} : { reasoning }) };
  }

  complete(stage: number, model: string, status: ModelCompleteEvent['status'], text: string, extra: Partial<ModelCompleteEvent> = {}): CouncilEvent {
    return {
      type: 'model_complete', runId: this.runId, seq: ++this.seq, stage, model, status, text,
      ttftMs: 100, durationMs: 900, usage: { promptTokens: 10, completionTokens: 20, cost: 0.001 }, ...extra,
    };
  }

  runComplete(status: RunCompleteEvent['status'], extra: Partial<RunCompleteEvent> = {}): CouncilEvent {
    return {
      type: 'run_complete', runId: this.runId, seq: ++this.seq, status,
      metrics: { durationMs: 3000, promptTokens: 100, completionTokens: 200, cost: 0.01, calls: [] }, ...extra,
    };
  }
}
