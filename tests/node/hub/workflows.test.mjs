import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { connect, textOf, sim } from '../support/council.mjs';

let server;
let client;
before(async () => {
  // A workflow added by configuration alone: two roles, no code.
  server = await startServer({ env: {
    Council__Search__SimulatedDelayMs: '150',
    Council__Workflows__brainstorm__Description: 'Ideas, then a critique.',
    Council__Workflows__brainstorm__Stages__0__Name: 'ideas',
    Council__Workflows__brainstorm__Stages__0__Kind: 'role',
    Council__Workflows__brainstorm__Stages__0__SystemPrompt: 'List bold ideas.',
    Council__Workflows__brainstorm__Stages__1__Name: 'critique',
    Council__Workflows__brainstorm__Stages__1__Kind: 'role',
    Council__Workflows__brainstorm__Stages__1__SystemPrompt: 'Critique the ideas.',
  } });
  client = await connect(server.hubUrl);
});
after(async () => { await client?.stop(); await server?.stop(); });

const started = (events) => events.filter((e) => e.type === 'stage_progress' && e.status === 'started').map((e) => e.name);

test('list_workflows names the built-in and the configured workflows with their stages', async () => {
  const workflows = await client.invoke('list_workflows');
  assert.deepEqual(workflows.map((w) => w.name), ['brainstorm', 'council', 'grid', 'pipeline']);
  const pipeline = workflows.find((w) => w.name === 'pipeline');
  assert.deepEqual(pipeline.stages.map((s) => `${s.name}:${s.kind}:${s.loop}`),
    ['architect:role:false', 'coder:role:false', 'reviewer:role:false', 'refiner:role:true', 'documenter:role:false']);
  assert.deepEqual(workflows.find((w) => w.name === 'brainstorm').stages.map((s) => s.name), ['ideas', 'critique']);
});

test('grid: answers side by side, then the master synthesis', async () => {
  const { started: result, events } = await client.run({ prompt: 'Best way to learn Rust?', workflow: 'grid', models: [sim.fast, sim.quick, sim.steady], chairman: sim.chair });
  assert.deepEqual(result.stages.map((s) => s.kind), ['answers', 'synthesis']);
  assert.deepEqual(started(events), ['answers', 'synthesis']);
  assert.equal(events.at(-1).status, 'ok');
  assert.equal(events.at(-1).final, textOf(events, 1, sim.chair));
});

test('pipeline: every role streams, the reviewer loops with the refiner until it approves', async () => {
  const models = ['sim/arch?ttft=20&tps=400&tokens=30', 'sim/code?ttft=20&tps=400&tokens=30', 'sim/rev?ttft=20&tps=400&tokens=30&approve=2', 'sim/doc?ttft=20&tps=400&tokens=30'];
  const { started: result, events } = await client.run({ prompt: 'Write a function that reverses a list.', workflow: 'pipeline', models });

  assert.deepEqual(result.stages.map((s) => [s.name, s.models[0]]), [['architect', models[0]], ['coder', models[1]], ['reviewer', models[2]], ['documenter', models[3]]]);
  assert.deepEqual(started(events), ['architect', 'coder', 'reviewer', 'refiner (round 1)', 'reviewer (round 2)', 'documenter']);
  for (const c of events.filter((e) => e.type === 'model_complete')) {
    assert.equal(c.status, 'ok');
    assert.equal(textOf(events, c.stage, c.model), c.text);
    assert.ok(c.text.length > 0);
  }
  const reviews = events.filter((e) => e.type === 'model_complete' && e.model === models[2]);
  assert.match(reviews[0].text, /VERDICT: CHANGES/);
  assert.match(reviews[1].text, /VERDICT: APPROVE/);
  assert.equal(events.at(-1).status, 'ok');
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
});

test('pipeline: skipping the running role goes on with its partial text', async () => {
  const coder = 'sim/code?ttft=20&tps=30&tokens=400';
  const models = ['sim/arch?ttft=20&tps=400&tokens=20', coder, 'sim/rev?ttft=20&tps=400&tokens=20&approve=1', 'sim/doc?ttft=20&tps=400&tokens=20'];
  const { runId } = await client.invoke('start_run', { prompt: 'Build a queue.', workflow: 'pipeline', models });
  await client.waitFor((e) => e.runId === runId && e.type === 'token' && e.model === coder);
  assert.deepEqual(await client.invoke('cancel_model', { runId, model: coder }), { accepted: true });
  const end = await client.waitFor((e) => e.runId === runId && e.type === 'run_complete');
  const events = client.events(runId);
  const cancelled = events.find((e) => e.type === 'model_complete' && e.model === coder);
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(cancelled.text.length > 0);
  assert.deepEqual(started(events), ['architect', 'coder', 'reviewer', 'documenter']);
  assert.equal(end.status, 'ok');
});

test('a workflow added in configuration runs through the hub', async () => {
  const { events } = await client.run({ prompt: 'Ideas for a city park', workflow: 'brainstorm', models: [sim.fast, sim.quick] });
  assert.deepEqual(started(events), ['ideas', 'critique']);
  assert.deepEqual(events.filter((e) => e.type === 'model_complete').map((e) => e.model), [sim.fast, sim.quick]);
  assert.equal(events.at(-1).status, 'ok');
});

test('search: results stream in while the answers do, and the run never waits for them', async () => {
  const slowish = 'sim/slowish?ttft=20&tps=60&tokens=40';
  const { events } = await client.run({ prompt: 'Latest thinking on sleep and memory?', models: [sim.fast, slowish], chairman: sim.chair, search: true });
  const results = events.filter((e) => e.type === 'search_results');
  assert.equal(results.length, 1);
  assert.equal(results[0].stage, 0);
  assert.ok(results[0].results.length > 0 && results[0].results.every((r) => r.title && r.url.startsWith('https://') && r.snippet));
  const answerTokens = events.filter((e) => e.type === 'token' && e.stage === 0).map((e) => e.seq);
  assert.ok(results[0].seq > Math.min(...answerTokens) && results[0].seq < Math.max(...answerTokens), 'between answer tokens');
  assert.equal(events.at(-1).status, 'ok');
});

test('quorum: with one very slow model, the reviews start at K answers', async () => {
  const tortoise = 'sim/tortoise?ttft=20&tps=20&tokens=60';
  const { events } = await client.run({ prompt: 'Quorum please', models: [sim.fast, sim.quick, tortoise], chairman: sim.chair, quorum: { answers: 2 } });
  const reviewsStart = events.find((e) => e.type === 'stage_progress' && e.stage === 1 && e.status === 'started');
  const late = events.find((e) => e.type === 'model_complete' && e.stage === 0 && e.model === tortoise);
  assert.ok(reviewsStart.seq < late.seq, 'reviews started before the slow answer was in');
  assert.equal(late.reviewed, false);
  assert.equal(late.status, 'ok');
  assert.ok(!events.some((e) => e.type === 'model_start' && e.stage === 1 && e.model === tortoise));
  assert.equal(events.at(-1).status, 'ok');
  await assert.rejects(client.invoke('start_run', { prompt: 'x', models: [sim.fast], quorum: { answers: 3 } }), /quorum.answers must be between 1 and/);
});
