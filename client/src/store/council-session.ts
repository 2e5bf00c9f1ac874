import type { ModelInfo, StartRunRequest, WorkflowInfo } from '@council/contracts';
import { hubErrorMessage, type Connect, type ConnectionState, type CouncilConnection } from '../council/connection';
import { ConversationStore, newId } from './conversations';
import { RunStore } from './run-store';
import { isActive } from './run-state';
import { SettingsStore } from './settings-store';
import { SnapshotStore } from './snapshot-store';

export interface ConnectionSnapshot {
  readonly state: ConnectionState;
  /** Why the last attempt failed, while offline. */
  readonly error?: string;
  /** When the next attempt starts (Date.now() clock), while offline. */
  readonly retryAt?: number;
  readonly models?: readonly ModelInfo[];
  readonly modelsError?: string;
  /** The server's workflows, when it lists them. */
  readonly workflows?: readonly WorkflowInfo[];
}

export class ConnectionStore extends SnapshotStore<ConnectionSnapshot> {
  constructor() {
    super({ state: 'connecting' });
  }

  change(patch: Partial<ConnectionSnapshot>): void {
    this.update((s) => ({ ...s, ...patch }));
  }
}

export interface CouncilSessionOptions {
  url: string;
  connect: Connect;
  runs?: RunStore;
  settings?: SettingsStore;
  conversations?: ConversationStore;
  /** Delays between reconnection attempts after the hub was lost for good (ms); the last repeats. */
  retryDelaysMs?: number[];
}

/**
 * The page's session with the hub: keeps a connection up, feeds its events into the run store,
 * and turns the user's actions (ask, skip, stop) into hub calls.
 */
export class CouncilSession {
  readonly runs: RunStore;
  readonly settings: SettingsStore;
  readonly conversations: ConversationStore;
  readonly connection = new ConnectionStore();

  private council: CouncilConnection | undefined;
  private detach: (() => void)[] = [];
  private attempt = 0;
  private hadConnection = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** The first start of a conversation still on its way: follow-ups wait for its conversation id. */
  private readonly pendingConversations = new Map<string, Promise<string | undefined>>();
  private readonly resumed = new Set<string>();

  constructor(private readonly options: CouncilSessionOptions) {
    this.runs = options.runs ?? new RunStore();
    this.settings = options.settings ?? new SettingsStore();
    this.conversations = options.conversations ?? new ConversationStore();
  }

  start(): void {
    void this.conversations.load();
    void this.open();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.detachAll();
    await this.council?.close();
  }

  /** Asks the council a question in the conversation on screen. */
  async ask(prompt: string): Promise<void> {
    const text = prompt.trim();
    if (!text) return;
    const conversation = this.conversations.getSnapshot().active;
    const turnId = newId();
    const sentAt = this.runs.now();
    this.conversations.addTurn(conversation.id, { id: turnId, prompt: text, sentAt: Date.now() });

    const earlier = this.pendingConversations.get(conversation.id);
    let resolveConversation: (id: string | undefined) => void = () => {};
    if (!conversation.serverId && !earlier) {
      this.pendingConversations.set(conversation.id, new Promise((resolve) => (resolveConversation = resolve)));
    }
    try {
      const council = this.council;
      if (!council || council.state !== 'connected') throw new Error('Not connected to the server; try again once it is back.');
      const conversationId = this.conversations.get(conversation.id)?.serverId ?? (await earlier);
      const settings = this.settings.getSnapshot();
      const request: StartRunRequest = { prompt: text };
      if (settings.workflow.trim()) request.workflow = settings.workflow.trim();
      if (settings.models.length > 0) request.models = [...settings.models];
      if (settings.chairman) request.chairman = settings.chairman;
      if (settings.search) request.search = true;
      if (settings.quorumAnswers > 0 || settings.quorumDeadlineMs > 0) {
        request.quorum = {};
        if (settings.quorumAnswers > 0) request.quorum.answers = settings.quorumAnswers;
        if (settings.quorumDeadlineMs > 0) request.quorum.deadlineMs = settings.quorumDeadlineMs;
      }
      if (conversationId) request.conversationId = conversationId;
      const result = await council.startRun(request);
      this.runs.started(result, text, sentAt);
      this.conversations.turnStarted(conversation.id, turnId, result.runId, result.conversationId);
      resolveConversation(result.conversationId);
    } catch (error) {
      this.conversations.turnFailed(conversation.id, turnId, hubErrorMessage(error));
      resolveConversation(undefined);
    } finally {
      if (!earlier) this.pendingConversations.delete(conversation.id);
    }
  }

  /** Skips one model: its lane shows cancelled at once; model_complete confirms. */
  async skip(runId: string, stage: number, model: string): Promise<void> {
    this.runs.cancelModelRequested(runId, stage, model);
    try {
      if (!this.council) throw new Error('not connected');
      await this.council.cancelModel({ runId, model, stage });
    } catch {
      this.runs.cancelModelFailed(runId, stage, model);
    }
  }

  async stop(runId: string): Promise<void> {
    this.runs.stopRequested(runId);
    try {
      if (!this.council) throw new Error('not connected');
      await this.council.cancelRun({ runId });
    } catch {
      this.runs.stopFailed(runId);
    }
  }

  /** Stops every run of the conversation on screen that is still going (Esc). */
  stopActive(): void {
    const runs = this.runs.getSnapshot();
    for (const turn of this.conversations.getSnapshot().active.turns) {
      const run = turn.runId ? runs[turn.runId] : undefined;
      if (run && isActive(run) && !run.stopRequested) void this.stop(run.runId);
    }
  }

  /** A run this page has no events for (after a reload): replay it from the server's log. */
  ensureRun(runId: string, prompt: string): void {
    if (this.runs.getSnapshot()[runId] && this.resumed.has(runId)) return;
    if (!this.runs.getSnapshot()[runId]) this.runs.adopt(runId, prompt);
    if (this.council?.state === 'connected' && !this.resumed.has(runId)) {
      this.resumed.add(runId);
      void this.resume(runId);
    }
  }

  private async open(): Promise<void> {
    if (this.disposed) return;
    this.connection.change({ state: 'connecting', error: undefined, retryAt: undefined });
    let council: CouncilConnection;
    try {
      council = await this.options.connect(this.options.url);
    } catch (error) {
      this.scheduleRetry(hubErrorMessage(error));
      return;
    }
    if (this.disposed) {
      void council.close();
      return;
    }
    const replacesLostConnection = this.hadConnection;
    this.attempt = 0;
    this.hadConnection = true;
    this.council = council;
    this.detach = [
      council.onEvent((event) => this.runs.receive(event)),
      council.onStateChange((state) => this.onState(council, state)),
      council.onRunError?.((error) => {
        // A connection closing is not the run's end: the next connection resumes it.
        if (error.reason !== 'connection_closed') this.runs.lost(error.runId, error.message);
      }) ?? (() => {}),
    ];
    this.onState(council, council.state);
    // The client resumes its runs after its own reconnects; a new connection knows none of them.
    if (replacesLostConnection) this.resumeAll();
  }

  private onState(council: CouncilConnection, state: ConnectionState): void {
    if (council !== this.council) return;
    if (state === 'disconnected') {
      this.detachAll();
      this.council = undefined;
      this.scheduleRetry('The connection to the server was lost.');
      return;
    }
    this.connection.change({ state, error: undefined, retryAt: undefined });
    if (state === 'connected') void this.loadModels(council);
  }

  private scheduleRetry(error: string): void {
    if (this.disposed) return;
    const delays = this.options.retryDelaysMs ?? [1000, 2000, 5000, 10000];
    const delay = delays[Math.min(this.attempt, delays.length - 1)];
    this.attempt++;
    this.connection.change({ state: 'disconnected', error, retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => void this.open(), delay);
  }

  private async loadModels(council: CouncilConnection): Promise<void> {
    council
      .listWorkflows?.()
      .then((workflows) => this.connection.change({ workflows }))
      .catch(() => {
        // An older server: the workflow stays free text.
      });
    try {
      const models = await council.listModels();
      this.connection.change({ models, modelsError: undefined });
    } catch (error) {
      this.connection.change({ modelsError: hubErrorMessage(error) });
    }
  }

  /** A new connection has no subscriptions: resume every run still going, from its last seq. */
  private resumeAll(): void {
    for (const run of Object.values(this.runs.getSnapshot())) {
      if (isActive(run) || this.resumed.has(run.runId)) void this.resume(run.runId);
    }
  }

  private async resume(runId: string): Promise<void> {
    const council = this.council;
    if (!council) return;
    this.runs.flush();
    const run = this.runs.getSnapshot()[runId];
    if (run && !isActive(run)) return;
    try {
      await council.resumeRun({ runId, afterSeq: run?.lastSeq ?? 0 });
    } catch (error) {
      // An unknown or expired run: what we have is all there is.
      if (!run || run.lastSeq === 0) this.runs.lost(runId, hubErrorMessage(error));
    }
  }

  private detachAll(): void {
    for (const off of this.detach) off();
    this.detach = [];
  }
}
