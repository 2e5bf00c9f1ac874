// @council/client: connect to a Council server from a browser or Node 20+.
export { connect, CouncilClient, type ConnectOptions, type ConnectionState, type LogLevelName } from './council-client.js';
export { CouncilConnectionError, CouncilHubError, CouncilRunError, type RunErrorReason } from './errors.js';
export { resolveHubUrl } from './hub-url.js';
export { withoutVerdict } from './verdict.js';
export type { LeaderboardEntry, LeaderboardFilter, LeaderboardReport } from './leaderboard-types.js';
export type {
  AcceptedResult,
  AggregateRanking,
  CancelModelRequest,
  CancelRunRequest,
  CouncilEvent,
  CouncilEventOf,
  ModelCallMetrics,
  ModelCompleteEvent,
  ModelInfo,
  ModelStartEvent,
  ModelStatus,
  ResumeRunRequest,
  ResumeRunResult,
  RunCompleteEvent,
  RunEvent,
  RunMetrics,
  RunStatus,
  SearchResult,
  SearchResultsEvent,
  ServerEventMap,
  ServerEventName,
  StageInfo,
  StageProgressEvent,
  StageStatus,
  StartRunRequest,
  StartRunResult,
  TokenEvent,
  Quorum,
  Usage,
  WorkflowInfo,
  WorkflowStageInfo,
} from '@council/contracts';
export { HubMethods, ServerEvents, HubPath } from '@council/contracts';
