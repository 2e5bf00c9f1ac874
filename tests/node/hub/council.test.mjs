import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { connect, textOf, sim } from '../support/council.mjs';

let server;
let client;
before(async () => {
  server = await startServer({ env: { Council__FinishedRunIdleSeconds: '30' } });
  client = await connect(server.hubUrl);
});
after(async () => { await client?.stop(); await server?.stop(); });

function assertContiguous(events) {
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'seqs arrive as 1, 2, 3, … with no gap or duplicate');
}

test('a full council streams every model, ranks and synthesizes', async () => {
  const models = [sim.fast, sim.quick, sim.steady];
  const { started, events } = await client.run({ prompt: 'Why is the sky blue?', models, chairman: sim.chair });

  assert.equal(started.workflow, 'council');
  assert.deepEqual(started.stages.map((s) => [s.index, s.name, s.kind]), [[0, 'answers', 'answers'], [1, 'reviews', 'review'], [2, 'synthesis', 'synthesis']]);
  assert.deepEqual(started.stages[0].models, models);
  assertContiguous(events);

  const completes = events.filter((e) => e.type === 'model_complete');
  assert.equal(completes.length, 7, '3 answers, 3 reviews, 1 synthesis');
  for (const c of completes) {
    assert.equal(c.status, 'ok', `${c.model} in stage ${c.stage}`);
    assert.ok(c.text.length > 0);
    assert.equal(textOf(events, c.stage, c.model), c.text, 'deltas concatenate to the model text');
    assert.ok(events.some((e) => e.type === 'token' && e.stage === c.stage && e.model === c.model && e.seq < c.seq));
    assert.ok(c.durationMs >= 0 && c.ttftMs >= 0);
    assert.ok(c.usage.completionTokens > 0 && c.usage.promptTokens > 0);
  }
  for (const review of completes.filter((c) => c.stage === 1)) {
    assert.deepEqual([...review.ranking].sort(), [...models].sort(), 'each reviewer ranks every answer by model id');
  }

  const end = events.at(-1);
  assert.equal(end.type, 'run_complete');
  assert.equal(end.status, 'ok');
  assert.equal(end.final, completes.find((c) => c.stage === 2).text);
  assert.deepEqual(end.aggregateRankings.map((r) => r.model).sort(), [...models].sort());
  assert.ok(end.aggregateRankings.every((r) => r.votes === 3 && r.averageRank >= 1 && r.averageRank <= 3));
  assert.equal(end.metrics.calls.length, 7);

  const progress = events.filter((e) => e.type === 'stage_progress');
  assert.deepEqual(progress.filter((p) => p.status !== 'running').map((p) => `${p.stage}:${p.status}`),
    ['0:started', '0:completed', '1:started', '1:completed', '2:started', '2:completed']);
  const last0 = progress.filter((p) => p.stage === 0).at(-1);
  assert.equal(last0.completed, 3);
  assert.equal(last0.total, 3);
  assert.deepEqual(last0.pendingModels, []);
  assert.ok(models.includes(last0.fastestModel));
});

test('cancel_model on the slowest model ends it at once and the council goes on without it', async () => {
  const slow = 'sim/slow?ttft=40&tps=15&tokens=300';
  const started = await client.invoke('start_run', { prompt: 'Compare three sorting algorithms.', models: [sim.fast, sim.quick, slow], chairman: sim.chair });
  await client.waitFor((e) => e.runId === started.runId && e.type === 'token' && e.model === slow);

  const sentAt = performance.now();
  const result = await client.invoke('cancel_model', { runId: started.runId, model: slow });
  assert.deepEqual(result, { accepted: true });
  const cancelled = await client.waitFor((e) => e.runId === started.runId && e.type === 'model_complete' && e.model === slow);
  const latencyMs = cancelled.receivedAt - sentAt;
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(cancelled.text.length > 0, 'keeps the text it had');
  assert.ok(latencyMs < 1000, `cancel took ${latencyMs} ms`);

  await client.waitFor((e) => e.runId === started.runId && e.type === 'run_complete');
  const events = client.events(started.runId);
  assertContiguous(events);
  assert.equal(textOf(events, 0, slow), cancelled.text);
  assert.ok(!events.some((e) => e.type === 'token' && e.model === slow && e.seq > cancelled.seq), 'no token after the cancel');
  assert.ok(!events.some((e) => e.type === 'model_start' && e.stage > 0 && e.model === slow), 'left out of later stages');
  assert.ok(events.some((e) => e.type === 'model_complete' && e.stage === 1 && e.status === 'ok'), 'reviews still ran');
  assert.equal(events.at(-1).status, 'ok');
  assert.deepEqual(await client.invoke('cancel_model', { runId: started.runId, model: slow }), { accepted: false });
});

test('cancel_run ends every model and the run', async () => {
  const started = await client.invoke('start_run', { prompt: 'Long question', models: ['sim/a?ttft=20&tps=20&tokens=500', 'sim/b?ttft=20&tps=20&tokens=500'], chairman: sim.chair });
  await client.waitFor((e) => e.runId === started.runId && e.type === 'token');
  assert.deepEqual(await client.invoke('cancel_run', { runId: started.runId }), { accepted: true });
  const end = await client.waitFor((e) => e.runId === started.runId && e.type === 'run_complete');

  assert.equal(end.status, 'cancelled');
  const completes = client.events(started.runId).filter((e) => e.type === 'model_complete');
  assert.deepEqual(completes.map((c) => c.status), ['cancelled', 'cancelled']);
  assertContiguous(client.events(started.runId));
  assert.deepEqual(await client.invoke('cancel_run', { runId: started.runId }), { accepted: false });
});

test('failing models show their errors while the run completes', async () => {
  const before = 'sim/broken?ttft=20&fail=before';
  const midstream = 'sim/flaky?ttft=20&tps=300&tokens=40&fail=midstream';
  const { events } = await client.run({ prompt: 'Explain TCP slow start.', models: [sim.fast, sim.quick, before, midstream], chairman: sim.chair });

  const failed = Object.fromEntries(events.filter((e) => e.type === 'model_complete' && e.status === 'failed').map((e) => [e.model, e]));
  assert.deepEqual(Object.keys(failed).sort(), [before, midstream].sort());
  assert.match(failed[before].error, /before the first token/);
  assert.equal(failed[before].text, '');
  assert.match(failed[midstream].error, /failure after 20 tokens/);
  assert.equal(failed[midstream].text, textOf(events, 0, midstream));
  assert.ok(failed[midstream].text.length > 0);
  assert.equal(events.at(-1).status, 'ok');
  assert.ok(events.at(-1).final.length > 0);
});

test('a run where every model fails ends failed with the providers\' errors', async () => {
  const { events } = await client.run({ prompt: 'Anything', models: ['sim/x?ttft=10&fail=before', 'sim/y?ttft=10&fail=before'], chairman: sim.chair });
  const end = events.at(-1);
  assert.equal(end.status, 'failed');
  assert.match(end.error, /No model answered/);
  assert.match(end.error, /sim\/x/);
});

test('bad input gets an actionable HubException and the connection goes on', async () => {
  const cases = [
    [{ prompt: '' }, /prompt is empty/],
    [{ prompt: 'x'.repeat(32001) }, /limit is 32000/],
    [{ prompt: 'hi', models: ['sim/nope?ttft=abc'] }, /Unknown model 'sim\/nope\?ttft=abc'.*list_models/],
    [{ prompt: 'hi', models: ['gpt-nothing'] }, /Unknown model 'gpt-nothing'/],
    [{ prompt: 'hi', workflow: 'brainstorm' }, /Unknown workflow 'brainstorm'.*council/],
    [{ prompt: 'hi', models: Array.from({ length: 9 }, (_, i) => `sim/m${i}`) }, /at most 8/],
    [{ prompt: 'hi', models: [sim.fast, sim.fast] }, /named twice/],
    [{ prompt: 'hi', conversationId: 'no-such-conversation' }, /Unknown conversation/],
    [{ prompt: 42 }, /arguments of 'start_run' do not match the contract/],
    [{ prompt: 'hi', models: 'sim/a' }, /arguments of 'start_run' do not match the contract/],
  ];
  for (const [request, expected] of cases) {
    await assert.rejects(client.invoke('start_run', request), (err) => { assert.match(err.message, expected); return true; }, JSON.stringify(request).slice(0, 80));
  }
  await assert.rejects(client.invoke('start_run'), /arguments of 'start_run' do not match/);
  await assert.rejects(client.invoke('cancel_model', { runId: 'nope', model: 'm' }), /Unknown run 'nope'/);
  await assert.rejects(client.invoke('cancel_run', { runId: 'nope' }), /Unknown run 'nope'/);
  await assert.rejects(client.invoke('resume_run', { runId: 'nope', afterSeq: 0 }), /Unknown run 'nope'/);
  await assert.rejects(client.invoke('no_such_method'), /Unknown hub method 'no_such_method'/);

  assert.equal(client.connection.state, 'Connected');
  const models = await client.invoke('list_models');
  assert.ok(models.length > 0 && models.every((m) => typeof m.id === 'string' && m.provider === 'simulated'));
  const { events } = await client.run({ prompt: 'still working?', models: [sim.fast, sim.quick], chairman: sim.chair });
  assert.equal(events.at(-1).status, 'ok');
});

test('a follow-up in the same conversation is accepted and runs', async () => {
  const first = await client.run({ prompt: 'Name a prime.', models: [sim.fast, sim.quick], chairman: sim.chair });
  const second = await client.run({ prompt: 'And another?', models: [sim.fast, sim.quick], chairman: sim.chair, conversationId: first.started.conversationId });
  assert.equal(second.started.conversationId, first.started.conversationId);
  assert.equal(second.events.at(-1).status, 'ok');
  const promptTokens = (r) => r.events.find((e) => e.type === 'model_complete' && e.stage === 0).usage.promptTokens;
  assert.ok(promptTokens(second) > promptTokens(first), 'the follow-up carries the earlier turn');
});

test('resume_run replays a run from any seq, in order', async () => {
  const { started, events } = await client.run({ prompt: 'Replay me', models: [sim.fast, sim.quick], chairman: sim.chair });
  const viewer = await connect(server.hubUrl);
  try {
    const resumed = await viewer.invoke('resume_run', { runId: started.runId, afterSeq: 10 });
    assert.deepEqual(resumed, { runId: started.runId, lastSeq: events.length, status: 'ok' });
    await viewer.waitFor((e) => e.runId === started.runId && e.type === 'run_complete');
    const replay = viewer.events(started.runId);
    assert.deepEqual(replay.map((e) => e.seq), events.slice(10).map((e) => e.seq));
    assert.deepEqual(replay.map(({ receivedAt, ...e }) => e), events.slice(10).map(({ receivedAt, ...e }) => e));
  } finally {
    await viewer.stop();
  }
});
