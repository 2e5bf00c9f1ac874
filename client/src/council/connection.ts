// The one seam between the SPA and the hub. Everything else imports `CouncilConnection` from here.
// TEMPORARY: this implements the agreed `@council/client` API over `@microsoft/signalr` directly;
// once `@council/client` lands, `connectCouncil` becomes a call to its `connect`.
import {
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
} from '@microsoft/signalr';
import {
  HubMethods,
  ServerEvents,
  type AcceptedResult,
  type CancelModelRequest,
  type CancelRunRequest,
  type ModelInfo,
  type ResumeRunRequest,
  type ResumeRunResult,
  type ServerEvent,
  type ServerEventName,
  type ServerEventPayloads,
  type StartRunRequest,
  type StartRunResult,
  type WorkflowInfo,
} from './contract';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface ConnectOptions {
  protocol?: 'json' | 'messagepack';
  accessToken?: () => string | Promise<string>;
}

/** What the SPA needs from a hub connection (the `@council/client` API). */
export interface CouncilConnection {
  readonly state: ConnectionState;
  onStateChange(callback: (state: ConnectionState) => void): () => void;
  listModels(): Promise<ModelInfo[]>;
  listWorkflows?(): Promise<WorkflowInfo[]>;
  startRun(request: StartRunRequest): Promise<StartRunResult>;
  cancelModel(request: CancelModelRequest): Promise<AcceptedResult>;
  cancelRun(request: CancelRunRequest): Promise<AcceptedResult>;
  /** Re-subscribes to a run and replays what was missed; optional in the agreed API. */
  resumeRun?(request: ResumeRunRequest): Promise<ResumeRunResult>;
  on<K extends ServerEventName>(name: K, handler: (payload: ServerEventPayloads[K]) => void): () => void;
  onEvent(handler: (event: ServerEvent) => void): () => void;
  stop(): Promise<void>;
}

export type Connect = (url: string, options?: ConnectOptions) => Promise<CouncilConnection>;

const eventNames = Object.values(ServerEvents);

/** Opens a connection to the hub at `url`; rejects when the first connection attempt fails. */
export const connectCouncil: Connect = async (url, options = {}) => {
  if (options.protocol === 'messagepack') {
    throw new Error('MessagePack needs @council/client; this interim adapter speaks JSON only.');
  }
  const hub = new HubConnectionBuilder()
    .withUrl(url, { accessTokenFactory: options.accessToken })
    .withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 10000, 30000])
    .configureLogging(LogLevel.Warning)
    .build();
  const connection = new SignalRCouncilConnection(hub);
  await connection.start();
  return connection;
};

class SignalRCouncilConnection implements CouncilConnection {
  private current: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly eventListeners = new Set<(event: ServerEvent) => void>();

  constructor(private readonly hub: HubConnection) {
    for (const name of eventNames) {
      hub.on(name, (payload: ServerEventPayloads[typeof name]) => {
        const event = { type: name, ...payload } as ServerEvent;
        for (const listener of this.eventListeners) listener(event);
      });
    }
    hub.onreconnecting(() => this.setState('reconnecting'));
    hub.onreconnected(() => this.setState('connected'));
    hub.onclose(() => this.setState('disconnected'));
  }

  get state(): ConnectionState {
    return this.current;
  }

  async start(): Promise<void> {
    try {
      await this.hub.start();
      this.setState(this.hub.state === HubConnectionState.Connected ? 'connected' : 'disconnected');
    } catch (error) {
      this.setState('disconnected');
      throw error;
    }
  }

  onStateChange(callback: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(callback);
    return () => this.stateListeners.delete(callback);
  }

  listModels(): Promise<ModelInfo[]> {
    return this.hub.invoke<ModelInfo[]>(HubMethods.listModels);
  }

  listWorkflows(): Promise<WorkflowInfo[]> {
    return this.hub.invoke<WorkflowInfo[]>(HubMethods.listWorkflows);
  }

  startRun(request: StartRunRequest): Promise<StartRunResult> {
    return this.hub.invoke<StartRunResult>(HubMethods.startRun, request);
  }

  cancelModel(request: CancelModelRequest): Promise<AcceptedResult> {
    return this.hub.invoke<AcceptedResult>(HubMethods.cancelModel, request);
  }

  cancelRun(request: CancelRunRequest): Promise<AcceptedResult> {
    return this.hub.invoke<AcceptedResult>(HubMethods.cancelRun, request);
  }

  resumeRun(request: ResumeRunRequest): Promise<ResumeRunResult> {
    return this.hub.invoke<ResumeRunResult>(HubMethods.resumeRun, request);
  }

  on<K extends ServerEventName>(name: K, handler: (payload: ServerEventPayloads[K]) => void): () => void {
    return this.onEvent((event) => {
      if (event.type === name) handler(event as unknown as ServerEventPayloads[K]);
    });
  }

  onEvent(handler: (event: ServerEvent) => void): () => void {
    this.eventListeners.add(handler);
    return () => this.eventListeners.delete(handler);
  }

  stop(): Promise<void> {
    return this.hub.stop();
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

/** The hub's message for a rejected invocation, without SignalR's wrapping. */
export function hubErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /HubException: ([\s\S]*)$/.exec(message);
  return (match ? match[1] : message).trim();
}
