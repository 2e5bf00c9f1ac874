// TEMPORARY: a hand-written mirror of wire contract v1 (DESIGN.md), to be replaced by the
// types and name constants generated into `@council/contracts` once that package lands.

export type StageStatus = 'started' | 'running' | 'completed' | 'skipped';
export type ModelCallStatus = 'ok' | 'cancelled' | 'failed';
export type RunStatus = 'running' | 'ok' | 'cancelled' | 'failed' | 'interrupted';

export interface StartRunRequest {
  prompt: string;
  workflow?: string;
  models?: string[];
  chairman?: string;
  conversationId?: string;
  /** Search the web beside the first stage. */
  search?: boolean;
  /** Start the reviews once `answers` answers are in, or after `deadlineMs` with at least one. */
  quorum?: Quorum;
}

export interface Quorum {
  answers?: number;
  deadlineMs?: number;
}

export interface StageInfo {
  index: number;
  name: string;
  /** "answers", "review", "synthesis" or "role". */
  kind: string;
  models: string[];
}

export interface StartRunResult {
  runId: string;
  conversationId: string;
  workflow: string;
  stages: StageInfo[];
}

export interface CancelModelRequest {
  runId: string;
  model: string;
  stage?: number;
}

export interface CancelRunRequest {
  runId: string;
}

export interface ResumeRunRequest {
  runId: string;
  afterSeq: number;
}

export interface AcceptedResult {
  accepted: boolean;
}

export interface ResumeRunResult {
  runId: string;
  lastSeq: number;
  status: RunStatus;
}

export interface WorkflowStageInfo {
  name: string;
  kind: string;
  /** Runs only when a reviewer sends work back (a refiner). */
  loop: boolean;
}

export interface WorkflowInfo {
  name: string;
  description: string;
  stages: WorkflowStageInfo[];
}

export interface ModelInfo {
  id: string;
  provider: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cost?: number | null;
  partial?: boolean | null;
}

export interface AggregateRanking {
  model: string;
  averageRank: number;
  votes: number;
}

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

export interface ModelCallMetrics {
  stage: number;
  model: string;
  status: ModelCallStatus;
  ttftMs?: number | null;
  durationMs: number;
  promptTokens: number;
  completionTokens: number;
  cost?: number | null;
}

export interface RunMetrics {
  durationMs: number;
  promptTokens: number;
  completionTokens: number;
  cost?: number | null;
  calls: ModelCallMetrics[];
}

export interface StageProgressEvent {
  runId: string;
  seq: number;
  stage: number;
  name: string;
  status: StageStatus;
  completed: number;
  total: number;
  elapsedMs: number;
  completedModels: string[];
  pendingModels: string[];
  fastestModel?: string | null;
  fastestLatencyMs?: number | null;
}

export interface ModelStartEvent {
  runId: string;
  seq: number;
  stage: number;
  model: string;
}

export interface TokenEvent {
  runId: string;
  seq: number;
  stage: number;
  model: string;
  delta: string;
}

export interface ModelCompleteEvent {
  runId: string;
  seq: number;
  stage: number;
  model: string;
  status: ModelCallStatus;
  text: string;
  error?: string | null;
  ttftMs?: number | null;
  durationMs: number;
  usage?: Usage | null;
  ranking?: string[] | null;
  /** False for an answer that came in after a quorum let the reviews start without it. */
  reviewed?: boolean | null;
}

export interface SearchResultsEvent {
  runId: string;
  seq: number;
  stage: number;
  results: SearchResult[];
  /** Why the search failed; the run goes on without it. */
  error?: string | null;
}

export interface RunCompleteEvent {
  runId: string;
  seq: number;
  status: RunStatus;
  final?: string | null;
  error?: string | null;
  aggregateRankings?: AggregateRanking[] | null;
  metrics: RunMetrics;
}

/** Hub method names the client invokes (exact, wire contract v1). */
export const HubMethods = {
  startRun: 'start_run',
  cancelModel: 'cancel_model',
  cancelRun: 'cancel_run',
  resumeRun: 'resume_run',
  listModels: 'list_models',
  listWorkflows: 'list_workflows',
} as const;

/** Message names the server sends (exact, wire contract v1). */
export const ServerEvents = {
  stageProgress: 'stage_progress',
  modelStart: 'model_start',
  token: 'token',
  modelComplete: 'model_complete',
  searchResults: 'search_results',
  runComplete: 'run_complete',
} as const;

export type ServerEventName = (typeof ServerEvents)[keyof typeof ServerEvents];

export interface ServerEventPayloads {
  stage_progress: StageProgressEvent;
  model_start: ModelStartEvent;
  token: TokenEvent;
  model_complete: ModelCompleteEvent;
  search_results: SearchResultsEvent;
  run_complete: RunCompleteEvent;
}

/** Any server event, tagged with its message name. */
export type ServerEvent = {
  [K in ServerEventName]: { type: K } & ServerEventPayloads[K];
}[ServerEventName];

// REST: GET /api/conversations, GET /api/conversations/{id}, GET /api/runs/{id}. Dates are ISO 8601 strings.

export interface ConversationSummary {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  runs: number;
}

export interface StoredModelOutput {
  stage: number;
  model: string;
  status: ModelCallStatus;
  text: string;
  error?: string | null;
  ttftMs?: number | null;
  durationMs: number;
  usage?: Usage | null;
  ranking?: string[] | null;
}

export interface StoredRun {
  runId: string;
  conversationId: string;
  prompt: string;
  workflow: string;
  models: string[];
  status: RunStatus;
  final?: string | null;
  error?: string | null;
  aggregateRankings?: AggregateRanking[] | null;
  metrics?: RunMetrics | null;
  lastSeq: number;
  createdAt: string;
  completedAt?: string | null;
  outputs: StoredModelOutput[];
}

export interface ConversationDetail {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  runs: StoredRun[];
}
