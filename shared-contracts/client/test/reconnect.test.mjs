// After the connection drops, the client reconnects and resumes every unfinished run from its last seq:
// nothing lost, nothing twice. If the server no longer knows the run, the run fails with a clear reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../dist/index.js';
import { startProxy } from './support/proxy.mjs';
import { assertContiguous, sim, startServer } from './support/helpers.mjs';

const portOf = (url) => Number(new URL(url).port);

test('a run survives a dropped connection: reconnect, resume_run, contiguous events, complete texts', async (t) => {
  const server = await startServer();
  const proxy = await startProxy(() => portOf(server.url));
  t.after(async () => { await proxy.close(); await server.stop(); });

  const council = await connect(proxy.url, { logLevel: 'none', reconnectDelays: [0, 200, 500, 1000] });
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
  for (const done of events.filter((e) => e.type === 'model_complete')) {
    const streamed = events.filter((e) => e.type === 'token' && e.stage === done.stage && e.model === done.model).map((e) => e.delta).join('');
    assert.equal(streamed, done.text, `${done.model} in stage ${done.stage}: the deltas make up its text`);
  }
});

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
        const old = server;
        server = await startServer(); // a new server process: runs live in memory, so it has never seen this one
        await old.stop();
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
