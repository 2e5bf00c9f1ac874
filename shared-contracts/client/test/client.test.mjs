// @council/client against the real server: every message matches the generated schema, and each run's events
// come once, in order, ending in run_complete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, CouncilConnectionError, CouncilHubError } from '../dist/index.js';
import { withoutNils } from '../dist/without-nils.js';
import { assertEvent, assertResult, recordRaw } from './support/contract.mjs';
import { assertContiguous, collect, sim, startServer } from './support/helpers.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('a council over JSON: every message matches the schema, events(runId) is contiguous and ends in run_complete', async (t) => {
  const council = await connect(server.url, { logLevel: 'none' });
  t.after(() => council.close());
  assert.equal(council.state, 'connected');
  const raw = recordRaw(council.connection);

  const models = await council.listModels();
  assertResult('list_models', models);
  assert.ok(models.length > 0);
  const workflows = await council.listWorkflows();
  assertResult('list_workflows', workflows);
  assert.ok(workflows.some((w) => w.name === 'council'));

  const started = await council.startRun({ prompt: 'Why is the sky blue?', models: [sim.a, sim.b], chairman: sim.chair });
  assertResult('start_run', started);
  const events = await collect(council.events(started.runId));

  assertContiguous(events);
  assert.equal(events.at(-1).type, 'run_complete');
  assert.equal(events.at(-1).status, 'ok');
  assert.ok(events.at(-1).final.length > 0);
  assert.deepEqual(new Set(events.filter((e) => e.type === 'model_complete').map((e) => e.model)), new Set([sim.a, sim.b, sim.chair]));

  assert.equal(raw.length, events.length, 'every raw message was delivered once');
  for (const { name, payload } of raw) assertEvent(name, payload);
  for (const type of ['stage_progress', 'model_start', 'token', 'model_complete', 'run_complete']) {
    assert.ok(raw.some((m) => m.name === type), `saw ${type}`);
  }
});

test('on(type) and onEvent see each event once; an iterator started late still gets the events that came first', async (t) => {
  const council = await connect(server.url, { logLevel: 'none' });
  t.after(() => council.close());
  const tokens = [];
  const all = [];
  const offToken = council.on('token', (e) => tokens.push(e));
  council.onEvent((e) => all.push(e));

  const started = await council.startRun({ prompt: 'Late reader', models: [sim.a], chairman: sim.chair });
  await new Promise((resolve) => council.on('run_complete', resolve)); // iterate only after the run is over
  const events = await collect(council.events(started.runId));
  offToken();

  assertContiguous(events);
  assert.deepEqual(all.map((e) => e.seq), events.map((e) => e.seq));
  assert.deepEqual(tokens.map((e) => e.seq), events.filter((e) => e.type === 'token').map((e) => e.seq));
  assert.ok(tokens.every((e) => e.type === 'token' && typeof e.delta === 'string'));
});

test('cancelModel skips one model and the council goes on; cancelRun ends a run as cancelled', async (t) => {
  const council = await connect(server.url, { logLevel: 'none' });
  t.after(() => council.close());

  const started = await council.startRun({ prompt: 'Skip one', models: [sim.a, sim.slow], chairman: sim.chair });
  const events = [];
  for await (const e of council.events(started.runId)) {
    events.push(e);
    if (e.type === 'token' && e.model === sim.slow && e.stage === 0 && events.filter((x) => x.type === 'token' && x.model === sim.slow).length === 1) {
      const accepted = await council.cancelModel({ runId: started.runId, model: sim.slow });
      assertResult('cancel_model', accepted);
      assert.equal(accepted.accepted, true);
    }
  }
  assertContiguous(events);
  assert.equal(events.find((e) => e.type === 'model_complete' && e.model === sim.slow).status, 'cancelled');
  assert.equal(events.at(-1).status, 'ok');

  const second = await council.startRun({ prompt: 'Stop all', models: [sim.slow, sim.slower], chairman: sim.chair });
  const iterator = council.events(second.runId);
  const cancelled = [];
  for await (const e of iterator) {
    cancelled.push(e);
    if (e.type === 'token' && cancelled.filter((x) => x.type === 'token').length === 1) {
      assertResult('cancel_run', await council.cancelRun({ runId: second.runId }));
    }
  }
  assertContiguous(cancelled);
  assert.equal(cancelled.at(-1).type, 'run_complete');
  assert.equal(cancelled.at(-1).status, 'cancelled');
});

test('a second connection follows a run with events(runId) (resume_run from 0) and gets the same events', async (t) => {
  const owner = await connect(server.url, { logLevel: 'none' });
  const viewer = await connect(server.url, { logLevel: 'none' });
  t.after(() => Promise.all([owner.close(), viewer.close()]));
  const raw = recordRaw(viewer.connection);

  const started = await owner.startRun({ prompt: 'Watch me', models: [sim.a, sim.b], chairman: sim.chair });
  const [ownerEvents, viewerEvents] = await Promise.all([collect(owner.events(started.runId)), collect(viewer.events(started.runId))]);

  assertContiguous(viewerEvents);
  assert.deepEqual(viewerEvents, ownerEvents);
  for (const { name, payload } of raw) assertEvent(name, payload);

  const resumed = await viewer.resumeRun({ runId: started.runId, afterSeq: 3 });
  assertResult('resume_run', resumed);
  assert.equal(resumed.status, 'ok');
  assert.equal(resumed.lastSeq, ownerEvents.length);
});

test('hub errors carry the server message; an unknown run fails events(runId) with reason run_unknown', async (t) => {
  const council = await connect(server.url, { logLevel: 'none' });
  t.after(() => council.close());
  await assert.rejects(council.startRun({ prompt: 'x', models: ['nope/unknown'] }),
    (error) => error instanceof CouncilHubError && error.method === 'start_run' && /nope\/unknown/.test(error.serverMessage));
  const errors = [];
  council.onRunError((e) => errors.push(e));
  await assert.rejects(collect(council.events('no-such-run')), (error) => error.reason === 'run_unknown' && error.runId === 'no-such-run');
  assert.equal(errors.length, 1);
  assert.equal(council.state, 'connected', 'the connection goes on');
});

test('connect to a closed port rejects with CouncilConnectionError', async () => {
  await assert.rejects(connect('http://127.0.0.1:1', { logLevel: 'none' }), (error) => error instanceof CouncilConnectionError && error.hubUrl === 'http://127.0.0.1:1/hubs/council');
});

test("protocol 'messagepack' speaks the MessagePack hub protocol", async (t) => {
  const council = await connect(server.url, { protocol: 'messagepack', logLevel: 'none' });
  t.after(() => council.close());
  assert.equal(council.protocol, 'messagepack');
  assert.equal(council.connection._protocol.name, 'messagepack', 'the SignalR connection speaks it');
  const raw = recordRaw(council.connection);
  const started = await council.startRun({ prompt: 'Binary', models: [sim.a, sim.b], chairman: sim.chair });
  assertResult('start_run', started);
  const events = await collect(council.events(started.runId));
  assertContiguous(events);
  assert.equal(events.at(-1).type, 'run_complete');
  assert.equal(events.at(-1).status, 'ok');
  // MessagePack sends an optional field with no value as nil; the client hands it on as absent, as over JSON.
  assert.ok(raw.some(({ payload }) => Object.values(payload).includes(null)), 'some raw payload has a nil field');
  for (const event of events) assert.ok(!Object.values(event).includes(null), `${event.type} ${event.seq} has no null field`);
  assert.equal('error' in events.find((e) => e.type === 'model_complete'), false);
  for (const { name, payload } of raw) assertEvent(name, withoutNils(payload));
});

test('search and quorum: search_results and late, unreviewed answers match the schema', async (t) => {
  const council = await connect(server.url, { logLevel: 'none' });
  t.after(() => council.close());
  const raw = recordRaw(council.connection);
  const late = 'sim/late?ttft=800&tps=100&tokens=30';
  const started = await council.startRun({ prompt: 'What changed?', models: [sim.a, sim.b, late], chairman: sim.chair, search: true, quorum: { answers: 2 } });
  const events = await collect(council.events(started.runId));
  assertContiguous(events);
  assert.equal(events.at(-1).status, 'ok');
  assert.ok(events.some((e) => e.type === 'search_results'));
  for (const { name, payload } of raw) assertEvent(name, payload);
});
