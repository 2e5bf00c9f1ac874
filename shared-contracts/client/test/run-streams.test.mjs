// Ordering, deduplication, gap recovery and buffering of a run's events, without a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunStreams } from '../dist/run-streams.js';
import { CouncilHubError, CouncilRunError } from '../dist/errors.js';
import { resumeFailure } from '../dist/errors.js';

const token = (seq, runId = 'r1') => ({ type: 'token', runId, seq, stage: 0, model: 'sim/a', delta: `t${seq}` });
const complete = (seq, runId = 'r1') => ({ type: 'run_complete', runId, seq, status: 'ok', metrics: { durationMs: 1, promptTokens: 0, completionTokens: 0, calls: [] } });

function setup(options = {}) {
  const delivered = [];
  const failures = [];
  const replays = [];
  const restarts = [];
  const streams = new RunStreams(
    {
      deliver: (e) => delivered.push(e),
      runFailed: (e) => failures.push(e),
      requestReplay: (runId, afterSeq) => replays.push({ runId, afterSeq }),
      restarted: (runId) => restarts.push(runId),
    },
    { bufferLimit: 100, finishedRunTtlMs: 60_000, gapTimeoutMs: 50, ...options },
  );
  return { streams, delivered, failures, replays, restarts };
}

async function collect(iterable) {
  const out = [];
  for await (const e of iterable) out.push(e);
  return out;
}

test('delivers each seq once and in order, dropping duplicates', () => {
  const { streams, delivered } = setup();
  for (const seq of [1, 2, 2, 1, 3]) streams.receive(token(seq));
  assert.deepEqual(delivered.map((e) => e.seq), [1, 2, 3]);
  assert.equal(streams.duplicates, 2);
});

test('holds events after a gap, asks for a replay, and delivers in order once it is filled', () => {
  const { streams, delivered, replays, failures } = setup();
  streams.receive(token(1));
  streams.receive(token(4));
  streams.receive(token(3));
  assert.deepEqual(delivered.map((e) => e.seq), [1]);
  assert.deepEqual(replays, [{ runId: 'r1', afterSeq: 1 }], 'one replay request per gap');
  streams.receive(token(2));
  streams.receive(token(3)); // the replay repeats what was held
  streams.receive(token(4));
  streams.receive(token(5));
  assert.deepEqual(delivered.map((e) => e.seq), [1, 2, 3, 4, 5]);
  assert.deepEqual(failures, []);
});

test('a gap that is never filled fails the run with reason gap', async () => {
  const { streams, failures } = setup();
  streams.receive(token(1));
  const reader = streams.reader('r1');
  streams.receive(token(3));
  const keepAlive = setInterval(() => {}, 1000); // the gap timer is unref'd: a live connection keeps the process up
  await assert.rejects(collect(reader), (error) => error instanceof CouncilRunError && error.reason === 'gap' && /seq 2/.test(error.message));
  clearInterval(keepAlive);
  assert.equal(failures.length, 1);
  assert.equal(failures[0].lastSeq, 1);
});

test('events() sees events that arrived before it was called, then live ones, and ends after run_complete', async () => {
  const { streams } = setup();
  streams.receive(token(1));
  streams.receive(token(2));
  const reader = streams.reader('r1');
  streams.receive(token(3));
  streams.receive(complete(4));
  streams.receive(token(5)); // nothing after run_complete is delivered
  assert.deepEqual((await collect(reader)).map((e) => e.seq), [1, 2, 3, 4]);
  assert.deepEqual((await collect(streams.reader('r1'))).map((e) => e.seq), [1, 2, 3, 4], 'a late reader of a finished run gets the buffer');
});

test('runs are independent', () => {
  const { streams, delivered } = setup();
  streams.receive(token(1, 'a'));
  streams.receive(token(1, 'b'));
  streams.receive(token(2, 'b'));
  streams.receive(token(2, 'a'));
  assert.deepEqual(delivered.map((e) => `${e.runId}${e.seq}`), ['a1', 'b1', 'b2', 'a2']);
  assert.deepEqual(streams.unfinished().map((r) => [r.runId, r.lastSeq]), [['a', 2], ['b', 2]]);
});

test('watch(afterSeq) on a new run counts earlier seqs as seen', () => {
  const { streams, delivered, replays } = setup();
  assert.equal(streams.watch('r1', 10), true);
  streams.receive(token(10));
  streams.receive(token(11));
  assert.deepEqual(delivered.map((e) => e.seq), [11]);
  assert.deepEqual(replays, []);
  assert.equal(streams.watch('r1', 0), false, 'a known run keeps its position');
});

test('a resumed run that is over but whose log lacks run_complete fails as interrupted', async () => {
  const { streams } = setup();
  streams.receive(token(1));
  const reader = streams.reader('r1');
  streams.resumed({ runId: 'r1', lastSeq: 2, status: 'failed' }, 1);
  streams.receive(token(2));
  const keepAlive = setInterval(() => {}, 1000);
  await assert.rejects(collect(reader), (error) => error.reason === 'interrupted');
  clearInterval(keepAlive);
});

test('replayed events that beat the resume answer do not count as a divergence', () => {
  const { streams, failures } = setup();
  streams.receive(token(1));
  streams.receive(token(2)); // replayed before the answer to resume_run(afterSeq: 1) arrived
  streams.resumed({ runId: 'r1', lastSeq: 1, status: 'running' }, 1);
  assert.deepEqual(failures, []);
});

test('a resumed run that does reach run_complete ends normally', async () => {
  const { streams } = setup();
  streams.receive(token(1));
  const reader = streams.reader('r1');
  streams.resumed({ runId: 'r1', lastSeq: 3, status: 'failed' }, 1);
  streams.receive(token(2));
  streams.receive(complete(3));
  assert.deepEqual((await collect(reader)).map((e) => e.seq), [1, 2, 3]);
});

test("a server whose log ends before what the client received: the run starts over from seq 1, its readers see the replay", async () => {
  const { streams, failures, restarts, delivered } = setup();
  for (let seq = 1; seq <= 5; seq++) streams.receive(token(seq));
  const reader = streams.reader('r1');
  streams.resumed({ runId: 'r1', lastSeq: 4, status: 'interrupted' }, 5);
  assert.deepEqual(restarts, ['r1']);
  assert.equal(streams.lastSeq('r1'), 0);
  for (let seq = 1; seq <= 3; seq++) streams.receive(token(seq));
  streams.receive(complete(4));
  assert.deepEqual(delivered.map((e) => e.seq), [1, 2, 3, 4, 5, 1, 2, 3, 4]);
  assert.deepEqual((await collect(reader)).map((e) => e.seq), [1, 2, 3, 4, 5, 1, 2, 3, 4]);
  assert.deepEqual(failures, []);
});

test('an interrupted run whose log is as long as what was received is replayed from the start too (seqs may have been reused)', () => {
  const { streams, restarts } = setup();
  for (let seq = 1; seq <= 3; seq++) streams.receive(token(seq));
  streams.resumed({ runId: 'r1', lastSeq: 6, status: 'interrupted' }, 3);
  assert.deepEqual(restarts, ['r1']);
  // A run followed from the start of its stored log needs no second replay.
  const fresh = setup();
  fresh.streams.watch('r2', 0);
  fresh.streams.resumed({ runId: 'r2', lastSeq: 6, status: 'interrupted' }, 0);
  assert.deepEqual(fresh.restarts, []);
});

test('a log that diverges again after the replay fails the run with reason log_diverged', async () => {
  const { streams, failures, restarts } = setup();
  for (let seq = 1; seq <= 5; seq++) streams.receive(token(seq));
  const reader = streams.reader('r1');
  streams.resumed({ runId: 'r1', lastSeq: 4, status: 'running' }, 5);
  for (let seq = 1; seq <= 5; seq++) streams.receive(token(seq));
  streams.resumed({ runId: 'r1', lastSeq: 2, status: 'running' }, 5);
  assert.equal(restarts.length, 1);
  await assert.rejects(collect(reader), (error) => error.reason === 'log_diverged' && /ends at seq 2, but seq 5/.test(error.message));
  assert.equal(failures.length, 1);
  streams.receive(complete(6)); // whatever the server sends for that run now is not delivered
});

test('the buffer keeps the most recent events up to its limit', async () => {
  const { streams } = setup({ bufferLimit: 3 });
  for (let seq = 1; seq <= 5; seq++) streams.receive(token(seq));
  streams.receive(complete(6));
  assert.deepEqual((await collect(streams.reader('r1'))).map((e) => e.seq), [4, 5, 6]);
});

test('closing without an error ends readers; with one, readers throw it', async () => {
  const { streams } = setup();
  streams.receive(token(1, 'a'));
  streams.receive(token(1, 'b'));
  const a = streams.reader('a');
  streams.closeAll(null);
  assert.deepEqual((await collect(a)).map((e) => e.seq), [1]);

  const other = setup();
  other.streams.receive(token(1, 'c'));
  const c = other.streams.reader('c');
  other.streams.closeAll((runId, lastSeq) => new CouncilRunError(runId, 'connection_closed', 'gone', lastSeq));
  await assert.rejects(collect(c), (error) => error.reason === 'connection_closed' && error.lastSeq === 1);
});

test('breaking out of for await detaches the reader', async () => {
  const { streams } = setup();
  streams.receive(token(1));
  for await (const e of streams.reader('r1')) { assert.equal(e.seq, 1); break; }
  streams.receive(token(2)); // no reader left to push to; must not throw
});

test('a failed resume_run is classified: missing method, unknown run, anything else', () => {
  const missing = CouncilHubError.from('resume_run', new Error("Failed to invoke 'resume_run' due to an error on the server. HubException: Unknown hub method 'resume_run'."));
  assert.equal(resumeFailure('r1', 5, missing).reason, 'resume_unsupported');
  const old = CouncilHubError.from('resume_run', new Error("Failed to invoke 'resume_run' due to an error on the server. HubException: Method does not exist."));
  assert.equal(resumeFailure('r1', 5, old).reason, 'resume_unsupported');
  const unknown = CouncilHubError.from('resume_run', new Error("An unexpected error occurred invoking 'resume_run' on the server. HubException: Unknown run 'r1'. Use the runId that start_run returned."));
  assert.equal(unknown.serverMessage, "Unknown run 'r1'. Use the runId that start_run returned.");
  assert.equal(resumeFailure('r1', 5, unknown).reason, 'run_unknown');
  assert.equal(resumeFailure('r1', 5, new Error('Invocation canceled due to the underlying connection being closed.')).reason, 'resume_failed');
});

test('while a resume is answered, arriving events are held: a crash-shortened log whose seqs run past what was received restarts the run instead of continuing it', () => {
  const { streams, delivered, restarts, replays } = setup();
  for (let seq = 1; seq <= 5; seq++) streams.receive(token(seq));
  // The restarted server stored up to seq 4 and closed the run at 5 and 6: seq 6 would read as the next event.
  streams.expectResume('r1');
  streams.receive(token(5));
  streams.receive(complete(6));
  assert.deepEqual(delivered.map((e) => e.seq), [1, 2, 3, 4, 5], 'nothing delivered before the answer');
  assert.deepEqual(replays, [], 'held for the answer, not for a gap');
  streams.resumed({ runId: 'r1', lastSeq: 6, status: 'interrupted' }, 5);
  assert.deepEqual(restarts, ['r1']);
  for (let seq = 1; seq <= 5; seq++) streams.receive(token(seq));
  streams.receive(complete(6));
  assert.deepEqual(delivered.map((e) => e.seq), [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6]);
});

test('a resume answer that finds the log unchanged delivers what it held, in order; a failed resume does too', () => {
  const { streams, delivered, failures } = setup();
  streams.receive(token(1));
  streams.expectResume('r1');
  streams.receive(token(3));
  streams.receive(token(2));
  assert.deepEqual(delivered.map((e) => e.seq), [1]);
  streams.resumed({ runId: 'r1', lastSeq: 3, status: 'running' }, 1);
  assert.deepEqual(delivered.map((e) => e.seq), [1, 2, 3]);

  streams.expectResume('r1');
  streams.receive(token(4));
  assert.deepEqual(delivered.map((e) => e.seq), [1, 2, 3]);
  streams.resumeFailed('r1');
  assert.deepEqual(delivered.map((e) => e.seq), [1, 2, 3, 4]);
  assert.deepEqual(failures, []);

  // A run followed from seq 0 has nothing that could diverge: its events are not held.
  const fresh = setup();
  fresh.streams.watch('r2', 0);
  fresh.streams.expectResume('r2');
  fresh.streams.receive(token(1, 'r2'));
  assert.deepEqual(fresh.delivered.map((e) => e.seq), [1]);
});
