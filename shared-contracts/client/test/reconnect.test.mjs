// After the connection drops, the client reconnects and resumes every unfinished run from its last seq:
// nothing lost, nothing twice. If the server no longer knows the run, the run fails with a clear reason.
// A server that restarts on the same database replays the run from storage to its (interrupted) end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../dist/index.js';
import { startProxy } from './support/proxy.mjs';
import { assertContiguous, sim, startServer } from './support/helpers.mjs';

const portOf = (url) => Number(new URL(url).port);

test('without stateful reconnect, a run survives a dropped connection: reconnect, resume_run, contiguous events, complete texts', async (t) => {
  const server = await startServer();
  const proxy = await startProxy(() => portOf(server.url));
  t.after(async () => { await proxy.close(); await server.stop(); });

  const council = await connect(proxy.url, { logLevel: 'none', reconnectDelays: [0, 200, 500, 1000], statefulReconnect: false });
  t.after(() => council.close());
  const states = [];
  council.onStateChange((s) => states.push(s));

  const started = await council.startRun({ prompt: 'Survive a cut', models: [sim.slow, sim.slower], chairman: sim.chair });
  const events = [];
  let cut = false;
  for await (const e of council.events(started.runId)) {
    events.push(e);
    if (!cut && e.type === 'token' && events.filter((x) => x.type === 'token').length === 5) {
      cut = true;
      proxy.cutAll();
    }
  }

  assert.ok(cut);
  assert.deepEqual(states.slice(0, 2), ['reconnecting', 'connected'], 'the client reconnected');
  assertContiguous(events);
  assert.equal(events.at(-1).type, 'run_complete');
  assert.equal(events.at(-1).status, 'ok');
  assertTextsComplete(events);
});

test('with stateful reconnect (the default), a short drop is bridged without leaving the connected state', async (t) => {
  const server = await startServer();
  const proxy = await startProxy(() => portOf(server.url));
  t.after(async () => { await proxy.close(); await server.stop(); });

  const council = await connect(proxy.url, { logLevel: 'none' });
  t.after(() => council.close());
  const states = [];
  council.onStateChange((s) => states.push(s));

  const started = await council.startRun({ prompt: 'Bridge a cut', models: [sim.slow, sim.slower], chairman: sim.chair });
  const events = [];
  for await (const e of council.events(started.runId)) {
    events.push(e);
    if (e.type === 'token' && events.filter((x) => x.type === 'token').length === 5) proxy.cutAll();
  }
  assert.deepEqual(states, []);
  assertContiguous(events);
  assert.equal(events.at(-1).status, 'ok');
  assertTextsComplete(events);
});

test('a server restarted on the same database replays the run from storage to its interrupted end', async (t) => {
  let server = await startServer();
  const proxy = await startProxy(() => portOf(server.url));
  t.after(async () => { await proxy.close(); await server.stop(); });

  const council = await connect(proxy.url, { logLevel: 'none', reconnectDelays: [0, 500, 1000, 2000, 4000, 8000] });
  t.after(() => council.close());

  // A model that waits long for its first token: after the first heartbeat nothing is sent for about a
  // second, so everything this client saw is stored by the time the server crashes.
  const started = await council.startRun({ prompt: 'Survive a restart', models: ['sim/sleepy?ttft=20000&tps=25&tokens=50'], chairman: sim.chair });
  const events = [];
  for await (const e of council.events(started.runId)) {
    events.push(e);
    if (e.type === 'stage_progress' && e.status === 'running' && !events.crashed) {
      events.crashed = true;
      await new Promise((resolve) => setTimeout(resolve, 300)); // the store commits at least every 50 ms
      await server.stop('SIGKILL');
      server = await startServer({ dbPath: server.dbPath });
      proxy.cutAll();
    }
  }
  assert.ok(events.crashed, 'saw a heartbeat');
  // Interrupted: the client replays the stored log from the start (its seqs may have been reused), once.
  const replay = events.slice(events.findLastIndex((e) => e.seq === 1));
  assertContiguous(replay);
  const end = events.at(-1);
  assert.equal(end.type, 'run_complete');
  assert.notEqual(end.status, 'ok');
  assert.match(end.error, /interrupted/i);
});

function assertTextsComplete(events) {
  for (const done of events.filter((e) => e.type === 'model_complete' && e.status === 'ok')) {
    const streamed = events.filter((e) => e.type === 'token' && e.stage === done.stage && e.model === done.model).map((e) => e.delta).join('');
    assert.equal(streamed, done.text, `${done.model} in stage ${done.stage}: the deltas make up its text`);
  }
}

test('after a reconnect to a server that does not know the run, events(runId) fails with reason run_unknown', async (t) => {
  let server = await startServer();
  const proxy = await startProxy(() => portOf(server.url));
  t.after(async () => { await proxy.close(); await server.stop(); });

  const council = await connect(proxy.url, { logLevel: 'none', reconnectDelays: [0, 500, 1000, 2000, 4000, 8000] });
  t.after(() => council.close());
  const runErrors = [];
  council.onRunError((e) => runErrors.push(e));

  const started = await council.startRun({ prompt: 'Lost on restart', models: [sim.slow], chairman: sim.chair });
  const events = [];
  await assert.rejects(async () => {
    for await (const e of council.events(started.runId)) {
      events.push(e);
      if (e.type === 'token' && events.filter((x) => x.type === 'token').length === 3) {
        await server.stop('SIGKILL');
        server = await startServer(); // a new server on a new database: it has never seen this run
        proxy.cutAll();
      }
    }
  }, (error) => {
    assert.equal(error.reason, 'run_unknown');
    assert.equal(error.runId, started.runId);
    assert.equal(error.lastSeq, events.at(-1).seq);
    assert.match(error.message, /does not know/);
    return true;
  });
  assertContiguous(events);
  assert.equal(runErrors.length, 1);
  assert.equal(council.state, 'connected');
});

test('log_diverged: a server killed mid-run (kill -9) that lost events reuses their seqs; the client replays the stored run from the start', async (t) => {
  // A long flush interval: the crash loses the newest events, which this client already received.
  const env = { Council__Storage__FlushIntervalMs: '1500' };
  let server = await startServer({ env });
  const proxy = await startProxy(() => portOf(server.url));
  t.after(async () => { await proxy.close(); await server.stop(); });

  const council = await connect(proxy.url, { logLevel: 'none', statefulReconnect: false, reconnectDelays: [0, 300, 600, 1000, 2000, 4000] });
  t.after(() => council.close());
  const delivered = [];
  const replays = [];
  const runErrors = [];
  council.onEvent((e) => delivered.push(e));
  council.onRunReplay((runId) => replays.push({ runId, at: delivered.length }));
  council.onRunError((e) => runErrors.push(e));

  const started = await council.startRun({ prompt: 'Lose the newest events', models: [sim.slow, sim.slower], chairman: sim.chair });
  const iterated = [];
  for await (const e of council.events(started.runId)) {
    iterated.push(e);
    if (!iterated.crashed && iterated.filter((x) => x.type === 'token').length === 40) {
      iterated.crashed = true;
      await server.stop('SIGKILL');
      server = await startServer({ dbPath: server.dbPath, env });
      proxy.cutAll();
    }
  }
  assert.deepEqual(runErrors, []);
  assert.equal(replays.length, 1, 'replayed from the start once');
  assert.equal(replays[0].runId, started.runId);

  // What the client shows after the replay is exactly the server's stored log, read by a fresh connection.
  const after = delivered.slice(replays[0].at);
  assertContiguous(after);
  const fresh = await connect(server.url, { logLevel: 'none' });
  t.after(() => fresh.close());
  const stored = [];
  for await (const e of fresh.events(started.runId)) stored.push(e);
  assert.deepEqual(after, stored);
  assert.equal(after.at(-1).type, 'run_complete');
  assert.match(after.at(-1).error, /interrupted/i);
  // The crash did lose events this client had received: their seqs were reused by the closing events.
  const before = delivered.slice(0, replays[0].at);
  assert.ok(before.some((e) => e.seq <= stored.length && JSON.stringify(e) !== JSON.stringify(stored[e.seq - 1])),
    'some seq named a different event before the crash than after it');
});
