/** The connection to the hub could not be made. */
export class CouncilConnectionError extends Error {
  override readonly name = 'CouncilConnectionError';
  /** The HTTP status the server answered the hub's negotiate request with, when it answered with an error. */
  readonly statusCode: number | undefined;

  constructor(
    message: string,
    /** The hub URL that was tried. */
    readonly hubUrl: string,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(message, options);
    this.statusCode = options?.statusCode ?? httpStatusOf(options?.cause);
  }

  /**
   * The server wants credentials it did not get, or refused the ones it got (HTTP 401): pass an API key as
   * `accessToken`, or a different one.
   */
  get unauthorized(): boolean {
    return this.statusCode === 401;
  }
}

/** SignalR reports a failed negotiate only in the message ("...: Status code '401'"), not as a field. */
function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const own = (error as { statusCode?: unknown }).statusCode;
  if (typeof own === 'number') return own;
  const match = /Status code '(\d{3})'/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

/** A hub method failed on the server, e.g. bad input rejected with a `HubException`. */
export class CouncilHubError extends Error {
  override readonly name = 'CouncilHubError';

  constructor(
    /** The hub method's wire name, e.g. `start_run`. */
    readonly method: string,
    /** What the server said, without SignalR's wrapping; meant for a person to read. */
    readonly serverMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`${method}: ${serverMessage}`, options);
  }

  /** The server has no such hub method (e.g. a server that predates it). */
  get methodMissing(): boolean {
    // "Method does not exist." when the protocol binds the arguments, "Unknown hub method 'x'" otherwise.
    return /method does not exist|unknown hub method/i.test(this.serverMessage);
  }

  /** Wraps what `HubConnection.invoke` threw. */
  static from(method: string, error: unknown): CouncilHubError | Error {
    if (!(error instanceof Error)) return new Error(String(error));
    if (/^Unknown hub method\b/.test(error.message)) return new CouncilHubError(method, error.message, { cause: error });
    // SignalR reports a server error as "... invoking 'start_run' on the server. HubException: <message>".
    const match = /(?:on the server\.|due to an error on the server\.)\s*(?:HubException:\s*)?([\s\S]*)$/.exec(error.message);
    return match ? new CouncilHubError(method, match[1]!.trim() || error.message, { cause: error }) : error;
  }
}

/** Why the client stopped following a run before its `run_complete`. */
export type RunErrorReason =
  /** The server has no `resume_run`: events of the run missed during a reconnect cannot be replayed. */
  | 'resume_unsupported'
  /** The server does not know the run any more (or it belongs to someone else). */
  | 'run_unknown'
  /** `resume_run` failed for another reason. */
  | 'resume_failed'
  /** Events were missing in the sequence and could not be recovered. */
  | 'gap'
  /** The server says the run ended, but its log stops without a `run_complete` (e.g. a server restart). */
  | 'interrupted'
  /** The server's log of the run ends before events this client already received (it lost them, e.g. in a crash). */
  | 'log_diverged'
  /** The connection closed for good (reconnecting gave up). */
  | 'connection_closed';

/** The client can no longer deliver a run's events completely and in order. */
export class CouncilRunError extends Error {
  override readonly name = 'CouncilRunError';

  constructor(
    readonly runId: string,
    readonly reason: RunErrorReason,
    message: string,
    /** The last seq delivered for the run before the error. */
    readonly lastSeq: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The run error that a failed `resume_run` for `runId` amounts to. */
export function resumeFailure(runId: string, lastSeq: number, error: unknown): CouncilRunError {
  const hubError = error instanceof CouncilHubError ? error : undefined;
  const detail = error instanceof Error ? (hubError?.serverMessage ?? error.message) : String(error);
  if (hubError?.methodMissing) {
    return new CouncilRunError(runId, 'resume_unsupported',
      `cannot resume run ${runId}: the server does not support resume_run, so events after seq ${lastSeq} are lost`, lastSeq, { cause: error });
  }
  if (hubError && /unknown run|run .*not found|no such run|not exist/i.test(detail)) {
    return new CouncilRunError(runId, 'run_unknown', `cannot resume run ${runId}: the server does not know it (${detail})`, lastSeq, { cause: error });
  }
  return new CouncilRunError(runId, 'resume_failed', `cannot resume run ${runId} after seq ${lastSeq}: ${detail}`, lastSeq, { cause: error });
}
