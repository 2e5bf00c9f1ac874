import {
  HubConnectionBuilder,
  LogLevel,
  type HubConnection,
  type IHubProtocol,
} from '@microsoft/signalr';
import {
  HubMethods,
  ServerEvents,
  type AcceptedResult,
  type CancelModelRequest,
  type CancelRunRequest,
  type CouncilEvent,
  type CouncilEventOf,
  type HubMethodMap,
  type HubMethodName,
  type ModelInfo,
  type ResumeRunRequest,
  type ResumeRunResult,
  type RunEvent,
  type ServerEventName,
  type StartRunRequest,
  type StartRunResult,
  type WorkflowInfo,
} from '@council/contracts';
import { CouncilConnectionError, CouncilHubError, CouncilRunError, resumeFailure } from './errors.js';
import { resolveHubUrl } from './hub-url.js';
import { RunStreams } from './run-streams.js';
import { withoutNils } from './without-nils.js';

/** Where the connection is. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** SignalR log levels by name. */
export type LogLevelName = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Hub protocol: `json` (default) or `messagepack` (binary, same field names). */
  protocol?: 'json' | 'messagepack';
  /**
   * The API key (or any bearer token) for servers that require one: a string, or a function asked again
   * before every (re)connection. Sent as `Authorization: Bearer` on the hub's HTTP requests and as
   * `access_token` on the WebSocket (browsers cannot set headers there). A missing or refused key makes
   * {@link connect} reject with a {@link CouncilConnectionError} whose `unauthorized` is true.
   */
  accessToken?: string | (() => string | Promise<string>);
  /** SignalR's own logging; default `warning`. */
  logLevel?: LogLevel | LogLevelName;
  /** Delays in ms before each reconnect attempt; default [0, 2000, 10000, 30000]. Empty: never reconnect. */
  reconnectDelays?: number[];
  /**
   * SignalR stateful reconnect (default true, where the server allows it): a short transport drop is
   * bridged without losing the connection. Longer outages reconnect and resume runs with `resume_run`.
   */
  statefulReconnect?: boolean;
  /** Events kept per run for late `events(runId)` callers; default 10000. */
  bufferLimit?: number;
  /** How long a finished run's events stay buffered; default 60000 ms. */
  finishedRunTtlMs?: number;
  /** How long missing events may take to be replayed before the run fails with reason `gap`; default 5000 ms. */
  gapTimeoutMs?: number;
}

type Listener = (event: CouncilEvent) => void;

/**
 * A connection to the Council hub. Each run's events are delivered once, in seq order, to
 * {@link CouncilClient.on}/{@link CouncilClient.onEvent} listeners and {@link CouncilClient.events}
 * iterators. After a reconnect every unfinished run is resumed from its last seq.
 */
export class CouncilClient {
  private readonly listeners = new Map<ServerEventName, Set<Listener>>();
  private readonly anyListeners = new Set<Listener>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly runErrorListeners = new Set<(error: CouncilRunError) => void>();
  private readonly replayListeners = new Set<(runId: string, result: ResumeRunResult) => void>();
  private readonly streams: RunStreams;
  private currentState: ConnectionState = 'connecting';
  private readonly protocolName: 'json' | 'messagepack';
  private closing = false;

  /** @internal Use {@link connect}. */
  constructor(
    /** The underlying SignalR connection, for what this client does not cover. Raw payloads, no ordering. */
    readonly connection: HubConnection,
    /** The hub URL in use. */
    readonly hubUrl: string,
    options: ConnectOptions = {},
  ) {
    this.protocolName = options.protocol ?? 'json';
    this.streams = new RunStreams(
      {
        deliver: (event) => this.dispatch(event),
        runFailed: (error) => this.emit(this.runErrorListeners, error),
        requestReplay: (runId, afterSeq) => { if (this.state === 'connected') void this.resume(runId, afterSeq); },
        restarted: (runId, result) => {
          this.emit([...this.replayListeners].map((listener) => () => listener(runId, result)), undefined);
          void this.resume(runId, 0);
        },
      },
      {
        bufferLimit: options.bufferLimit ?? 10_000,
        finishedRunTtlMs: options.finishedRunTtlMs ?? 60_000,
        gapTimeoutMs: options.gapTimeoutMs ?? 5_000,
      },
    );
    for (const type of Object.values(ServerEvents)) {
      connection.on(type, (payload: RunEvent) => this.receive(type, payload));
    }
    connection.onreconnecting(() => this.setState('reconnecting'));
    connection.onreconnected(() => {
      this.setState('connected');
      void this.resumeAll();
    });
    connection.onclose((error) => {
      this.setState('disconnected');
      this.streams.closeAll(this.closing ? null : (runId, lastSeq) => new CouncilRunError(runId, 'connection_closed',
        `lost the connection to ${hubUrl} while following run ${runId}${error ? `: ${error.message}` : ''}`, lastSeq, { cause: error }));
      this.streams.dispose();
    });
  }

  /** The hub protocol in use. */
  get protocol(): 'json' | 'messagepack' {
    return this.protocolName;
  }

  /** `connecting`, `connected`, `reconnecting` or `disconnected`. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** Calls `callback` with every new state; returns the unsubscribe function. */
  onStateChange(callback: (state: ConnectionState) => void): () => void {
    return subscribe(this.stateListeners, callback);
  }

  /** The models this server can run. */
  listModels(): Promise<ModelInfo[]> {
    return this.invoke(HubMethods.listModels);
  }

  /** The workflows a run may name, with their stages. */
  listWorkflows(): Promise<WorkflowInfo[]> {
    return this.invoke(HubMethods.listWorkflows);
  }

  /** Starts a run; resolves once the server accepted it. Its events may arrive before this resolves: none are lost. */
  async startRun(request: StartRunRequest): Promise<StartRunResult> {
    const result = await this.invoke(HubMethods.startRun, request);
    this.streams.watch(result.runId);
    return result;
  }

  /** Skips one model of a run (in the current stage unless `stage` is given); `accepted` is false if it had finished. */
  cancelModel(request: CancelModelRequest): Promise<AcceptedResult> {
    return this.invoke(HubMethods.cancelModel, request);
  }

  /** Cancels everything a run has in flight; its `run_complete` follows with status `cancelled`. */
  cancelRun(request: CancelRunRequest): Promise<AcceptedResult> {
    return this.invoke(HubMethods.cancelRun, request);
  }

  /**
   * Follows a run from `afterSeq` on (0: from the start), e.g. after a page reload: the server
   * replays the events after it, then sends live ones. Events this client delivered already are not delivered again.
   */
  async resumeRun(request: ResumeRunRequest): Promise<ResumeRunResult> {
    const isNew = this.streams.watch(request.runId, request.afterSeq);
    const receivedSeq = this.streams.lastSeq(request.runId) ?? request.afterSeq;
    this.streams.expectResume(request.runId);
    try {
      const result = await this.invoke(HubMethods.resumeRun, request);
      this.streams.resumed(result, receivedSeq);
      return result;
    } catch (error) {
      this.streams.resumeFailed(request.runId);
      if (isNew) this.streams.fail(request.runId, resumeFailure(request.runId, request.afterSeq, error));
      throw error;
    }
  }

  /** Listens to one event type, e.g. `on('token', (e) => e.delta)`; returns the unsubscribe function. */
  on<K extends ServerEventName>(type: K, handler: (event: CouncilEventOf<K>) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    return subscribe(set, handler as unknown as Listener);
  }

  /** Listens to every event, tagged with its `type`; returns the unsubscribe function. */
  onEvent(handler: (event: CouncilEvent) => void): () => void {
    return subscribe(this.anyListeners, handler);
  }

  /** Called when a run can no longer be followed completely (resume failed, events lost, connection gone). */
  onRunError(handler: (error: CouncilRunError) => void): () => void {
    return subscribe(this.runErrorListeners, handler);
  }

  /**
   * Called when a run is replayed from the start because the server's log diverged from the events delivered (a
   * crash lost events and the restarted server reused their seqs, `log_diverged`): forget what the run showed; its
   * events come again from seq 1, to listeners and iterators alike. `result` is the resume answer that showed it.
   */
  onRunReplay(handler: (runId: string, result: ResumeRunResult) => void): () => void {
    return subscribe(this.replayListeners, handler);
  }

  /**
   * A run's events in seq order, from the first one still buffered (normally seq 1), ending after
   * `run_complete`; throws a {@link CouncilRunError} if the run cannot be followed to its end.
   * For a run this connection has not seen, it first asks the server to replay it from the start.
   * After {@link close} the iteration simply ends.
   */
  events(runId: string): AsyncIterable<CouncilEvent> {
    if (!this.streams.isKnown(runId)) {
      this.streams.watch(runId, 0);
      void this.resume(runId, 0);
    }
    return this.streams.reader(runId);
  }

  /** Closes the connection; iterators of unfinished runs end. */
  async close(): Promise<void> {
    this.closing = true;
    await this.connection.stop();
  }

  /** @internal Starts the connection; used by {@link connect}. */
  async start(): Promise<void> {
    try {
      await this.connection.start();
    } catch (error) {
      this.setState('disconnected');
      const failure = new CouncilConnectionError(`cannot connect to ${this.hubUrl}: ${error instanceof Error ? error.message : String(error)}`, this.hubUrl, { cause: error });
      if (!failure.unauthorized) throw failure;
      throw new CouncilConnectionError(
        `cannot connect to ${this.hubUrl}: HTTP 401 Unauthorized (the server requires an API key: none was given, or it was not accepted)`,
        this.hubUrl, { cause: error, statusCode: 401 });
    }
    this.setState('connected');
  }

  private async invoke<M extends HubMethodName>(method: M, ...args: HubMethodMap[M]['args']): Promise<HubMethodMap[M]['result']> {
    try {
      return withoutNils(await this.connection.invoke<HubMethodMap[M]['result']>(method, ...args));
    } catch (error) {
      throw CouncilHubError.from(method, error);
    }
  }

  private receive(type: ServerEventName, payload: RunEvent): void {
    if (typeof payload?.runId !== 'string' || typeof payload.seq !== 'number') {
      console.warn(`@council/client: ignored a '${type}' message without runId and seq`);
      return;
    }
    this.streams.receive({ type, ...withoutNils(payload) } as CouncilEvent);
  }

  private dispatch(event: CouncilEvent): void {
    const typed = this.listeners.get(event.type);
    if (typed) this.emit(typed, event);
    this.emit(this.anyListeners, event);
  }

  private async resumeAll(): Promise<void> {
    await Promise.all(this.streams.unfinished().map(({ runId, lastSeq }) => this.resume(runId, lastSeq)));
    this.streams.recheckGaps();
  }

  private async resume(runId: string, afterSeq: number): Promise<void> {
    this.streams.expectResume(runId);
    try {
      this.streams.resumed(await this.invoke(HubMethods.resumeRun, { runId, afterSeq }), afterSeq);
    } catch (error) {
      this.streams.resumeFailed(runId);
      // A connection that drops again is resumed again after the next reconnect.
      if (this.state === 'connected') this.streams.fail(runId, resumeFailure(runId, afterSeq, error));
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit(this.stateListeners, state);
  }

  private emit<T>(listeners: Iterable<(value: T) => void>, value: T): void {
    for (const listener of [...listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error('@council/client: a listener threw', error);
      }
    }
  }
}

/**
 * Connects to a Council server. `url` is the server (`http://127.0.0.1:5000`) or its hub
 * (`…/hubs/council`). Rejects with a {@link CouncilConnectionError} if the server cannot be reached.
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<CouncilClient> {
  const hubUrl = resolveHubUrl(url);
  const builder = new HubConnectionBuilder()
    .withUrl(hubUrl, tokenFactory(options.accessToken))
    .withAutomaticReconnect(options.reconnectDelays ?? [0, 2000, 10000, 30000])
    .configureLogging(options.logLevel ?? LogLevel.Warning);
  if (options.statefulReconnect ?? true) builder.withStatefulReconnect();
  if (options.protocol === 'messagepack') builder.withHubProtocol(await messagePackProtocol());
  else if (options.protocol !== undefined && options.protocol !== 'json') {
    throw new TypeError(`unknown protocol '${String(options.protocol)}' (use 'json' or 'messagepack')`);
  }
  const client = new CouncilClient(builder.build(), hubUrl, options);
  await client.start();
  return client;
}

function tokenFactory(token: ConnectOptions['accessToken']): { accessTokenFactory?: () => string | Promise<string> } {
  if (token === undefined || token === '') return {};
  return { accessTokenFactory: typeof token === 'string' ? () => token : token };
}

/** Loaded on demand so JSON-only apps do not bundle MessagePack. */
async function messagePackProtocol(): Promise<IHubProtocol> {
  const { MessagePackHubProtocol } = await import('@microsoft/signalr-protocol-msgpack');
  return new MessagePackHubProtocol();
}

function subscribe<T>(set: Set<T>, item: T): () => void {
  set.add(item);
  return () => { set.delete(item); };
}
