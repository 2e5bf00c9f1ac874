// Compile-time check of the public API the SPA codes against (`npm test` type-checks this file; it is never run).
import {
  connect,
  CouncilRunError,
  type AcceptedResult,
  type ConnectionState,
  type CouncilEvent,
  type ModelInfo,
  type ResumeRunResult,
  type StartRunResult,
  type TokenEvent,
  type RunCompleteEvent,
  type WorkflowInfo,
} from '@council/client';

export async function usesTheApi(): Promise<void> {
  const council = await connect('http://127.0.0.1:5000', { protocol: 'messagepack', accessToken: async () => 'token', logLevel: 'warning' });
  const state: ConnectionState = council.state;
  const offState: () => void = council.onStateChange((s: ConnectionState) => void s);
  const models: ModelInfo[] = await council.listModels();
  const workflows: WorkflowInfo[] = await council.listWorkflows();
  const protocol: 'json' | 'messagepack' = council.protocol;
  const started: StartRunResult = await council.startRun({ prompt: 'q', models: models.map((m) => m.id), chairman: 'sim/c', workflow: 'council' });
  const skipped: AcceptedResult = await council.cancelModel({ runId: started.runId, model: 'sim/a', stage: 0 });
  const cancelled: AcceptedResult = await council.cancelRun({ runId: started.runId });
  const resumed: ResumeRunResult = await council.resumeRun({ runId: started.runId, afterSeq: 0 });
  const offToken: () => void = council.on('token', (e: TokenEvent) => void e.delta);
  council.on('run_complete', (e: RunCompleteEvent) => void e.metrics.calls);
  // @ts-expect-error the handler's payload type follows the event name
  council.on('token', (e: RunCompleteEvent) => void e);
  const offAll: () => void = council.onEvent((e: CouncilEvent) => {
    switch (e.type) {
      case 'token': return void e.delta;
      case 'model_complete': return void e.status;
      case 'run_complete': return void e.final;
      default: return void e.seq;
    }
  });
  council.onRunError((e: CouncilRunError) => void e.reason);
  for await (const event of council.events(started.runId)) void event.seq;
  await council.close();
  void [state, offState, workflows, protocol, skipped, cancelled, resumed, offToken, offAll];
}
