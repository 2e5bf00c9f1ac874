import type { CouncilEvent, ResumeRunResult } from '@council/contracts';
import { CouncilRunError } from './errors.js';
import { EventReader } from './event-reader.js';

/** Limits of what a connection remembers about runs. */
export interface RunStreamsOptions {
  /** Events kept per run for `events(runId)` callers that start iterating late. */
  bufferLimit: number;
  /** How long a finished run stays known (and its events buffered). */
  finishedRunTtlMs: number;
  /** How long to wait for missing events (after asking the server to replay them) before failing the run. */
  gapTimeoutMs: number;
}

/** What the run streams need from the connection around them. */
export interface RunStreamsHost {
  /** An event in order, seen for the first time: hand it to listeners. */
  deliver(event: CouncilEvent): void;
  /** A run can no longer be followed completely. */
  runFailed(error: CouncilRunError): void;
  /** Events after `afterSeq` are missing: ask the server to replay them (`resume_run`). */
  requestReplay(runId: string, afterSeq: number): void;
  /**
   * The server's log no longer matches what was delivered (a crash lost events and the restarted server reused their
   * seqs): the run starts over at seq 0, and its stored log is to be replayed from the start.
   */
  restarted(runId: string, result: ResumeRunResult): void;
}

class RunStream {
  /** The highest seq delivered; every seq up to it was delivered exactly once, in order. */
  lastSeq = 0;
  finished = false;
  finishedAt = 0;
  error: CouncilRunError | undefined;
  /** From a resume result: the run is over and its log ends at this seq. */
  endsAt: number | undefined;
  /** Replayed from the start once already because the server's log diverged. */
  restarted = false;
  /**
   * resume_run calls on their way while events were delivered: until they are answered, arriving events are held,
   * for the answer may say the server's log is not the one delivered (and then they belong to a replay from seq 0).
   */
  resuming = 0;
  readonly buffer: CouncilEvent[] = [];
  /** Events past a gap, held until the missing ones arrive. */
  readonly held = new Map<number, CouncilEvent>();
  readonly readers = new Set<EventReader>();
  gapTimer: ReturnType<typeof setTimeout> | undefined;
  endTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly runId: string) {}
}

/**
 * The runs one connection follows. Puts each run's events in seq order, drops any seq seen
 * before, holds events that come after a gap until the gap is filled by a replay, and buffers
 * recent events per run so that `events(runId)` sees those that arrived before it was called
 * (a run's first events can beat `start_run`'s result).
 */
export class RunStreams {
  private readonly runs = new Map<string, RunStream>();
  /** Events dropped because their seq had been delivered already. */
  duplicates = 0;

  constructor(private readonly host: RunStreamsHost, private readonly options: RunStreamsOptions) {}

  /** An event from the server. */
  receive(event: CouncilEvent): void {
    const run = this.runFor(event.runId);
    if (run.finished || event.seq <= run.lastSeq || run.held.has(event.seq)) {
      this.duplicates++;
      return;
    }
    if (event.seq === run.lastSeq + 1 && run.resuming === 0) {
      this.deliver(run, event);
      this.drainHeld(run);
    } else {
      run.held.set(event.seq, event);
      if (run.resuming === 0) this.startGapRecovery(run);
    }
  }

  /**
   * A resume_run is being sent for this run. When events were delivered already, what arrives is held until its
   * answer: a server that lost events in a crash replays a log whose seqs go on from a point this client passed, and
   * delivering those as a continuation would hide that the run must be shown again from its stored log.
   */
  expectResume(runId: string): void {
    const run = this.runs.get(runId);
    if (run && !run.finished && run.lastSeq > 0) run.resuming++;
  }

  /** A resume_run that `expectResume` announced failed: what it held is delivered, or its gap recovered. */
  resumeFailed(runId: string): void {
    const run = this.runs.get(runId);
    if (!run || run.finished || run.resuming === 0) return;
    run.resuming--;
    this.release(run);
  }

  /**
   * Starts following a run (or keeps following it). For a run not seen yet, events up to
   * `afterSeq` count as seen. Returns false when the run was known already.
   */
  watch(runId: string, afterSeq = 0): boolean {
    const known = this.runs.has(runId);
    const run = this.runFor(runId);
    if (!known) run.lastSeq = afterSeq;
    return !known;
  }

  /**
   * `resume_run` answered: if the run is over, its events end at `result.lastSeq`. `receivedSeq` is the
   * last seq this client had when it asked (replayed events may arrive before the answer does).
   */
  resumed(result: ResumeRunResult, receivedSeq: number): void {
    const run = this.runs.get(result.runId);
    if (!run || run.finished) return;
    if (run.resuming > 0) run.resuming--;
    // A server that stopped mid-run closes the run's log at its next start, after the last event it had stored: when
    // it lost events this client received, their seqs now name other events. Interrupted with events received, or a
    // log shorter than what was received: what was delivered may not be the server's log, so start over from seq 0.
    const diverged = result.lastSeq < receivedSeq || (result.status === 'interrupted' && receivedSeq > 0);
    if (diverged && run.restarted) {
      this.fail(run.runId, new CouncilRunError(run.runId, 'log_diverged',
        `the server's log of run ${run.runId} ends at seq ${result.lastSeq}, but seq ${receivedSeq} was already received, `
        + 'even after replaying it from the start', run.lastSeq));
      return;
    }
    if (diverged) {
      this.restart(run, result);
      return;
    }
    this.release(run);
    if (run.finished || result.status === 'running') return;
    run.endsAt = result.lastSeq;
    this.checkEnded(run);
  }

  /** Forgets what was delivered of a run and asks for its whole log again. */
  private restart(run: RunStream, result: ResumeRunResult): void {
    run.restarted = true;
    run.resuming = 0;
    run.lastSeq = 0;
    run.endsAt = undefined;
    run.buffer.length = 0;
    run.held.clear();
    this.clearTimers(run);
    this.host.restarted(run.runId, result);
  }

  /** Runs that have not completed, with the last seq delivered: what to resume after a reconnect. */
  unfinished(): { runId: string; lastSeq: number }[] {
    return [...this.runs.values()].filter((r) => !r.finished).map((r) => ({ runId: r.runId, lastSeq: r.lastSeq }));
  }

  isKnown(runId: string): boolean {
    return this.runs.has(runId);
  }

  lastSeq(runId: string): number | undefined {
    return this.runs.get(runId)?.lastSeq;
  }

  /** An iterator over the run's buffered events, then its live ones, ending after `run_complete`. */
  reader(runId: string): EventReader {
    const run = this.runFor(runId);
    const reader = new EventReader((r) => run.readers.delete(r));
    for (const event of run.buffer) reader.push(event);
    if (run.error) reader.fail(run.error);
    else if (run.finished) reader.end();
    else run.readers.add(reader);
    return reader;
  }

  /** Stops following a run: its readers throw `error`, and it is not resumed any more. */
  fail(runId: string, error: CouncilRunError): void {
    const run = this.runs.get(runId);
    if (!run || run.finished) return;
    this.finish(run, error);
    this.host.runFailed(error);
  }

  /** The connection is gone: fail every unfinished run with `reason`, or (when null) just end its readers. */
  closeAll(reason: ((runId: string, lastSeq: number) => CouncilRunError) | null): void {
    for (const run of this.runs.values()) {
      if (run.finished) continue;
      if (reason) this.fail(run.runId, reason(run.runId, run.lastSeq));
      else this.finish(run, undefined);
    }
  }

  /** Arms gap recovery again for runs still waiting on missing events (after a reconnect resumed them). */
  recheckGaps(): void {
    for (const run of this.runs.values()) {
      if (!run.finished && run.held.size > 0 && run.gapTimer === undefined) this.startGapRecovery(run);
    }
  }

  /** Stops timers (connection closed). */
  dispose(): void {
    for (const run of this.runs.values()) this.clearTimers(run);
  }

  private runFor(runId: string): RunStream {
    let run = this.runs.get(runId);
    if (!run) {
      this.sweep();
      run = new RunStream(runId);
      this.runs.set(runId, run);
    }
    return run;
  }

  private deliver(run: RunStream, event: CouncilEvent): void {
    run.lastSeq = event.seq;
    run.buffer.push(event);
    if (run.buffer.length > this.options.bufferLimit) run.buffer.splice(0, run.buffer.length - this.options.bufferLimit);
    for (const reader of run.readers) reader.push(event);
    this.host.deliver(event);
    if (event.type === 'run_complete') this.finish(run, undefined);
    else this.checkEnded(run);
  }

  /** No resume answer is awaited any more: deliver what was held in order, and recover a gap after it. */
  private release(run: RunStream): void {
    if (run.resuming > 0) return;
    this.drainHeld(run);
    if (!run.finished && run.held.size > 0) this.startGapRecovery(run);
  }

  private drainHeld(run: RunStream): void {
    for (let next = run.held.get(run.lastSeq + 1); next && !run.finished; next = run.held.get(run.lastSeq + 1)) {
      run.held.delete(next.seq);
      this.deliver(run, next);
    }
    if (run.held.size === 0) this.clearGapTimer(run);
  }

  private startGapRecovery(run: RunStream): void {
    if (run.gapTimer !== undefined) return;
    this.host.requestReplay(run.runId, run.lastSeq);
    run.gapTimer = setTimeout(() => {
      run.gapTimer = undefined;
      if (run.finished || run.held.size === 0) return;
      const firstHeld = Math.min(...run.held.keys());
      const missing = firstHeld - 1 === run.lastSeq + 1 ? `seq ${run.lastSeq + 1}` : `seqs ${run.lastSeq + 1}-${firstHeld - 1}`;
      this.fail(run.runId, new CouncilRunError(run.runId, 'gap',
        `events of run ${run.runId} are missing (${missing}) and the server did not replay them`, run.lastSeq));
    }, this.options.gapTimeoutMs);
    unref(run.gapTimer);
  }

  /** A run that is over and whose log was delivered to its end without run_complete fails, after a grace period for stragglers. */
  private checkEnded(run: RunStream): void {
    if (run.finished || run.endsAt === undefined || run.lastSeq < run.endsAt || run.endTimer !== undefined) return;
    run.endTimer = setTimeout(() => {
      run.endTimer = undefined;
      if (run.finished) return;
      this.fail(run.runId, new CouncilRunError(run.runId, 'interrupted',
        `run ${run.runId} ended without run_complete (its log stops at seq ${run.lastSeq})`, run.lastSeq));
    }, this.options.gapTimeoutMs);
    unref(run.endTimer);
  }

  private finish(run: RunStream, error: CouncilRunError | undefined): void {
    run.finished = true;
    run.finishedAt = Date.now();
    run.error = error;
    run.held.clear();
    this.clearTimers(run);
    for (const reader of run.readers) {
      if (error) reader.fail(error);
      else reader.end();
    }
    run.readers.clear();
  }

  private clearGapTimer(run: RunStream): void {
    if (run.gapTimer !== undefined) clearTimeout(run.gapTimer);
    run.gapTimer = undefined;
  }

  private clearTimers(run: RunStream): void {
    this.clearGapTimer(run);
    if (run.endTimer !== undefined) clearTimeout(run.endTimer);
    run.endTimer = undefined;
  }

  /** Forgets runs finished longer ago than the TTL. */
  private sweep(): void {
    const cutoff = Date.now() - this.options.finishedRunTtlMs;
    for (const [runId, run] of this.runs) {
      if (run.finished && run.finishedAt < cutoff) this.runs.delete(runId);
    }
  }
}

/** Lets Node exit while only this timer is pending (browsers have no unref). */
function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
