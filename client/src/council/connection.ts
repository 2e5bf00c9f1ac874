// The one seam between the SPA and the hub: the part of `@council/client` the session uses.
// Only types are imported here, so the store and its tests do not load SignalR; `connect.ts` does.
import type { CouncilClient, CouncilRunError, ResumeRunResult } from '@council/client';

export type { ConnectionState } from '@council/client';

/** What the session needs of a hub connection: a structural subset of `CouncilClient`. */
export type CouncilConnection = Pick<
  CouncilClient,
  'state' | 'onStateChange' | 'listModels' | 'startRun' | 'cancelModel' | 'cancelRun' | 'resumeRun' | 'onEvent' | 'close'
> &
  Partial<Pick<CouncilClient, 'listWorkflows'>> & {
    /** Called when a run can no longer be followed completely (resume failed, events lost, connection gone). */
    onRunError?(handler: (error: Pick<CouncilRunError, 'runId' | 'reason' | 'message'>) => void): () => void;
    /** Called when a run is replayed from seq 1 because the server's log diverged from what was received. */
    onRunReplay?(handler: (runId: string, result: ResumeRunResult) => void): () => void;
  };

/** Connects to the hub; `accessToken` is asked before every (re)connection ('' when there is no key). */
export type Connect = (url: string, accessToken: () => string) => Promise<CouncilConnection>;

/** The server wants an API key it did not get, or refused the one it got (HTTP 401). */
export function isUnauthorized(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  if ('unauthorized' in error && error.unauthorized === true) return true;
  if ('statusCode' in error && error.statusCode === 401) return true;
  return error instanceof Error && error.name === 'UnauthorizedError';
}

/** The hub's message for a rejected call, without SignalR's or the client's wrapping: for a person to read. */
export function hubErrorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'serverMessage' in error && typeof error.serverMessage === 'string') {
    return error.serverMessage;
  }
  const message = error instanceof Error ? error.message : String(error);
  const match = /HubException: ([\s\S]*)$/.exec(message);
  return (match ? match[1] : message).trim();
}
