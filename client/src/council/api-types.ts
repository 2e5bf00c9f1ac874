// Types of the server's REST API over stored conversations (GET /api/conversations, /api/conversations/{id}).
// They are not part of the hub contract, so @council/contracts does not generate them; they mirror
// shared-contracts/Council.Contracts/Api/ConversationRecords.cs.
import type { AggregateRanking, ModelStatus, RunMetrics, RunStatus, Usage } from '@council/contracts';


export interface ConversationSummary {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  runs: number;
  /** The conversation's run that is still going, if any. */
  runningRunId?: string | null;
}

/** GET /api/limits. */
export interface ServerLimits {
  maxPromptChars: number;
  maxModelsPerRun: number;
}

export interface StoredModelOutput {
  stage: number;
  model: string;
  status: ModelStatus;
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
