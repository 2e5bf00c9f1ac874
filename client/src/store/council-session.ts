import type { ModelInfo, StartRunRequest, StartRunResult, WorkflowInfo } from '@council/contracts';
import type { ServerLimits } from '../council/api-types';
import { hubErrorMessage, isUnauthorized, type Connect, type ConnectionState, type CouncilConnection } from '../council/connection';
import { AuthStore } from './auth-store';
import { PicksStore } from './picks-store';
import { ConversationStore, newId, type Turn } from './conversations';
import { friendlyError } from './friendly-errors';
import { RunStore } from './run-store';
import { OperationsStore } from './operations-store';
import { isActive } from './run-state';
import { SettingsStore } from './settings-store';
import { SnapshotStore } from './snapshot-store';
import { ViewStore } from './view-store';

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
  /** What the server accepts (GET /api/limits), once known. */
  readonly limits?: ServerLimits;
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
  /** The API key of this tab; the server's 401s go there. */
  auth?: AuthStore;
  /** The server's live figures (`/api/stats`, fetched with the key); by default next to the hub's URL. */
  operations?: OperationsStore;
  view?: ViewStore;
  /** Delays between reconnection attempts after the hub was lost for good (ms); the last repeats. */
  retryDelaysMs?: number[];
}

/** The conversations list was not loaded for any key yet. */
const NOT_LOADED = Symbol('not loaded');

/**
 * The page's session with the hub: keeps a connection up, feeds its events into the run store,
 * and turns the user's actions (ask, skip, stop, sign in and out) into hub calls. A server that
 * wants an API key (401) stops the retries until the user signs in.
 */
export class CouncilSession {
  readonly runs: RunStore;
  readonly settings: SettingsStore;
  readonly conversations: ConversationStore;
  readonly auth: AuthStore;
  readonly operations: OperationsStore;
  readonly view: ViewStore;
  readonly picks: PicksStore;
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
  /** Runs this page adopted (after a reload) and what it knows of them, to resume once connected. */
  private readonly adopted = new Map<string, Turn>();
  /** What each run of this page asked, so Retry asks the same. */
  private readonly requests = new Map<string, StartRunRequest>();
  /** Bumped by sign in and out: answers to attempts made before are dropped. */
  private generation = 0;
  /** The key the conversations list was loaded with. */
  private conversationsKey: string | undefined | typeof NOT_LOADED = NOT_LOADED;

  constructor(private readonly options: CouncilSessionOptions) {
    this.runs = options.runs ?? new RunStore();
    this.settings = options.settings ?? new SettingsStore();
    this.conversations = options.conversations ?? new ConversationStore();
    this.auth = options.auth ?? new AuthStore(undefined);
    this.operations = options.operations ?? new OperationsStore({ url: new URL('/api/stats', options.url).toString(), fetch: this.auth.fetch });
    this.view = options.view ?? new ViewStore(undefined);
    this.picks = new PicksStore((path, init) => this.api(path, init));
  }

  /** A request to the server's `/api`, with the API key when there is one (a 401 asks to sign in). */
  api(path: string, init?: RequestInit): Promise<Response> {
    return this.auth.fetch(new URL(path, this.options.url).toString(), init);
  }

  start(): void {
    void this.loadConversations();
    void this.loadLimits();
    void this.open();
  }

  /** Tries an API key the user entered; the sign-in screen shows whether the server took it. */
  signIn(key: string): void {
    this.auth.submit(key);
    if (this.auth.getSnapshot().phase === 'checking') void this.restart();
  }

  /** Forgets the key, the connection and everything this user saw, and returns to the sign-in screen. */
  signOut(): Promise<void> {
    this.auth.signOut();
    return this.restart();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.detachAll();
    await this.council?.close();
  }

  /** Asks the council a question in the conversation on screen; `repeat` asks with that run's settings instead of the current ones. */
  async ask(prompt: string, repeat?: StartRunRequest): Promise<void> {
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
      const request: StartRunRequest = repeat ? { ...repeat, prompt: text } : this.requestFromSettings(text);
      delete request.conversationId;
      if (conversationId) request.conversationId = conversationId;
      const result = await council.startRun(request);
      this.requests.set(result.runId, request);
      this.runs.started(result, text, sentAt);
      this.conversations.turnStarted(conversation.id, turnId, result.runId, result.conversationId);
      resolveConversation(result.conversationId);
    } catch (error) {
      this.conversations.turnFailed(conversation.id, turnId, friendlyError(hubErrorMessage(error)));
      resolveConversation(undefined);
    } finally {
      if (!earlier) this.pendingConversations.delete(conversation.id);
    }
  }

  /** Asks a run's question again, with the same settings, in the conversation on screen (a run that failed or was interrupted). */
  retry(runId: string): Promise<void> {
    const turn = this.conversations.getSnapshot().active.turns.find((t) => t.runId === runId);
    const run = this.runs.getSnapshot()[runId];
    const prompt = run?.prompt ?? turn?.prompt;
    if (!prompt) return Promise.resolve();
    const stored = this.adopted.get(runId) ?? turn;
    const request: StartRunRequest = this.requests.get(runId) ?? { prompt };
    if (!this.requests.has(runId)) {
      const workflow = stored?.workflow ?? run?.workflow;
      if (workflow) request.workflow = workflow;
      if (stored?.models?.length) request.models = [...stored.models];
    }
    return this.ask(prompt, request);
  }

  /** Skips one model: its lane shows cancelled at once; model_complete confirms. */
  async skip(runId: string, stage: number, model: string): Promise<void> {
    this.runs.cancelModelRequested(runId, stage, model);
    try {
      if (!this.council) throw new Error('Not connected to the server.');
      await this.council.cancelModel({ runId, model, stage });
    } catch (error) {
      this.runs.cancelModelFailed(runId, stage, model, `Could not skip ${model}: ${hubErrorMessage(error)}`);
    }
  }

  async stop(runId: string): Promise<void> {
    this.runs.stopRequested(runId);
    try {
      if (!this.council) throw new Error('Not connected to the server.');
      await this.council.cancelRun({ runId });
    } catch (error) {
      this.runs.stopFailed(runId, `Could not stop the run: ${hubErrorMessage(error)}`);
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
  ensureRun(runId: string, prompt: string, turn?: Turn): void {
    if (this.runs.getSnapshot()[runId] && this.resumed.has(runId)) return;
    if (!this.runs.getSnapshot()[runId]) {
      this.adopted.set(runId, turn ?? { id: runId, prompt, runId, sentAt: Date.now() });
      this.runs.adopt(runId, prompt, {
        startedAtMs: turn?.sentAt,
        plan: this.planOf(runId, turn),
        interrupted: turn?.status === 'interrupted',
      });
    }
    if (this.council?.state === 'connected' && !this.resumed.has(runId)) {
      this.resumed.add(runId);
      void this.resume(runId);
    }
  }

  /** The stages an adopted run will have, from its workflow as the server lists it and the models it stored. */
  private planOf(runId: string, turn: Turn | undefined): StartRunResult | undefined {
    const workflow = this.connection.getSnapshot().workflows?.find((w) => w.name === turn?.workflow);
    if (!workflow || !turn?.models) return undefined;
    const models = [...turn.models];
    const firstPass = workflow.stages.filter((s) => !s.loop);
    const roles = firstPass.every((s) => s.kind === 'role');
    return {
      runId,
      conversationId: '',
      workflow: workflow.name,
      stages: firstPass.map((s, index) => ({
        index,
        name: s.name,
        kind: s.kind,
        // Roles take the run's models in turn; a synthesis names its chairman when it starts.
        models: s.kind === 'synthesis' ? [] : roles ? [models[index % models.length]] : models,
      })),
    };
  }

  /** Drops the connection and everything of the previous key, and connects afresh with the current one. */
  private restart(): Promise<void> {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.detachAll();
    const previous = this.council;
    this.council = undefined;
    this.hadConnection = false;
    this.attempt = 0;
    this.runs.clear();
    this.resumed.clear();
    this.adopted.clear();
    this.requests.clear();
    this.pendingConversations.clear();
    this.conversations.clear();
    this.conversationsKey = NOT_LOADED;
    this.operations.reset();
    this.connection.change({ state: 'disconnected', error: undefined, retryAt: undefined, models: undefined, modelsError: undefined, workflows: undefined });
    void this.open();
    return previous?.close() ?? Promise.resolve();
  }

  private async open(): Promise<void> {
    if (this.disposed) return;
    const generation = this.generation;
    const key = this.auth.key;
    this.connection.change({ state: 'connecting', error: undefined, retryAt: undefined });
    let council: CouncilConnection;
    try {
      council = await this.options.connect(this.options.url, () => this.auth.key ?? '');
    } catch (error) {
      if (generation !== this.generation) return;
      if (isUnauthorized(error)) {
        // No retrying: only another key can change the answer.
        this.auth.rejected(key);
        this.connection.change({ state: 'disconnected', error: 'The server needs an API key.', retryAt: undefined });
        return;
      }
      this.scheduleRetry(hubErrorMessage(error));
      return;
    }
    if (this.disposed || generation !== this.generation) {
      void council.close();
      return;
    }
    this.auth.accepted(key);
    void this.loadConversations();
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
      council.onRunReplay?.((runId, result) => this.runs.restart(runId, result.lastSeq, result.status)) ?? (() => {}),
    ];
    this.onState(council, council.state);
    // The client resumes its runs after its own reconnects; a new connection knows none of them.
    if (replacesLostConnection) this.resumeAll();
    // Runs adopted before there was a connection (a reload lands on a running conversation at once).
    for (const runId of this.adopted.keys()) {
      if (!this.resumed.has(runId)) {
        this.resumed.add(runId);
        void this.resume(runId);
      }
    }
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

  /** The conversations list of the current key, once per key. */
  private async loadConversations(): Promise<void> {
    const key = this.auth.key;
    if (this.conversationsKey === key) return;
    this.conversationsKey = key;
    try {
      await this.conversations.load();
      // A reload (or a second tab) during a run lands on the conversation whose run is going.
      const running = this.conversations.running();
      if (running) await this.conversations.select(running.id);
    } catch {
      // A 401: the auth store asks for a key, and the list loads once the server accepts one.
      if (this.conversationsKey === key) this.conversationsKey = NOT_LOADED;
    }
  }

  private scheduleRetry(error: string): void {
    if (this.disposed) return;
    const delays = this.options.retryDelaysMs ?? [1000, 2000, 5000, 10000];
    const delay = delays[Math.min(this.attempt, delays.length - 1)];
    this.attempt++;
    this.connection.change({ state: 'disconnected', error, retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => void this.open(), delay);
  }

  /** The server's limits, for checks while typing; an older server without /api/limits leaves them to start_run. */
  private async loadLimits(): Promise<void> {
    if (this.connection.getSnapshot().limits) return;
    try {
      const response = await this.auth.fetch(new URL('/api/limits', this.options.url).toString(), { headers: { accept: 'application/json' } });
      if (response.ok) this.connection.change({ limits: (await response.json()) as ServerLimits });
    } catch {
      // Not signed in yet, or no such endpoint: tried again on the next connection.
    }
  }

  private async loadModels(council: CouncilConnection): Promise<void> {
    void this.loadLimits();
    council
      .listWorkflows?.()
      .then((workflows) => {
        this.connection.change({ workflows });
        // Runs adopted before the workflows were known get their stages now.
        for (const [runId, turn] of this.adopted) {
          const plan = this.planOf(runId, turn);
          if (plan) this.runs.plan(runId, plan);
        }
      })
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
      const result = await council.resumeRun({ runId, afterSeq: run?.lastSeq ?? 0 });
      this.runs.resumed(runId, result.lastSeq, result.status);
    } catch (error) {
      // An unknown or expired run: what we have is all there is.
      if (!run || run.lastSeq === 0) this.runs.lost(runId, hubErrorMessage(error));
    }
  }

  private requestFromSettings(prompt: string): StartRunRequest {
    const settings = this.settings.getSnapshot();
    const request: StartRunRequest = { prompt };
    if (settings.workflow.trim()) request.workflow = settings.workflow.trim();
    if (settings.models.length > 0) request.models = [...settings.models];
    if (settings.chairman) request.chairman = settings.chairman;
    if (settings.search) request.search = true;
    if (settings.quorumAnswers > 0 || settings.quorumDeadlineMs > 0) {
      request.quorum = {};
      if (settings.quorumAnswers > 0) request.quorum.answers = settings.quorumAnswers;
      if (settings.quorumDeadlineMs > 0) request.quorum.deadlineMs = settings.quorumDeadlineMs;
    }
    return request;
  }

  private detachAll(): void {
    for (const off of this.detach) off();
    this.detach = [];
  }
}
