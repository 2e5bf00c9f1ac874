// End to end through the OpenAI-compatible provider: the server's own /v1 (simulated models over the OpenAI
// API) is configured as provider "self", so `self/sim/...` models go hub -> grain -> HTTP + SSE -> /v1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../support/server.mjs';
import { connect, textOf, sim } from '../support/council.mjs';

let server;
let client;

/** A free loopback port: the provider's BaseUrl must name the server's own port before it starts. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
  });
}

before(async () => {
  const port = await freePort();
  server = await startServer({
    args: ['--urls', `http://127.0.0.1:${port}`], // the later --urls wins
    env: {
      Council__Providers__self__BaseUrl: `http://127.0.0.1:${port}/v1`,
      Council__Providers__self__Models__0: 'sim/alpha',
      Council__Providers__self__RetryBaseDelayMs: '10',
      Council__Providers__openrouter__ApiKeyEnv: 'COUNCIL_TEST_VARIABLE_THAT_IS_NEVER_SET',
    },
  });
  client = await connect(server.hubUrl);
});
after(async () => { await client?.stop(); await server?.stop(); });

test('a council over the OpenAI-compatible path streams the same text as the simulated models directly', async () => {
  const viaHttp = `self/${sim.fast}`;
  const models = [viaHttp, sim.fast, sim.quick];
  const { events } = await client.run({ prompt: 'Why is the sky blue?', models, chairman: `self/${sim.chair}` });

  const completes = events.filter((e) => e.type === 'model_complete');
  assert.deepEqual(completes.map((c) => c.status), Array(completes.length).fill('ok'));
  const answer = (model) => completes.find((c) => c.stage === 0 && c.model === model);
  assert.equal(answer(viaHttp).text, answer(sim.fast).text, 'HTTP + SSE changes nothing in the text');
  assert.equal(textOf(events, 0, viaHttp), answer(viaHttp).text, 'deltas concatenate to the model text');
  assert.deepEqual(answer(viaHttp).usage, answer(sim.fast).usage, 'usage (with cost) comes from the final SSE chunk');
  assert.ok(answer(viaHttp).usage.cost > 0);
  const review = completes.find((c) => c.stage === 1 && c.model === viaHttp);
  assert.deepEqual([...review.ranking].sort(), [...models].sort(), 'the review prompt crossed HTTP intact');
  const end = events.at(-1);
  assert.equal(end.status, 'ok');
  assert.equal(end.final, completes.find((c) => c.stage === 2).text);
});

test('a mid-stream provider error fails that model with the provider message and keeps its text', async () => {
  const flaky = 'self/sim/flaky?ttft=20&tps=300&tokens=40&fail=midstream';
  const { events } = await client.run({ prompt: 'Explain TCP slow start.', models: [flaky, sim.fast, sim.quick], chairman: sim.chair });

  const failed = events.find((e) => e.type === 'model_complete' && e.model === flaky);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error, 'flaky: simulated failure after 20 tokens');
  assert.ok(failed.text.length > 0);
  assert.equal(failed.text, textOf(events, 0, flaky));
  assert.equal(events.at(-1).status, 'ok');
});

test('cancel_model on a stalled HTTP model ends it at once', async () => {
  const stalled = 'self/sim/stuck?ttft=20&tps=300&tokens=40&fail=stall';
  const started = await client.invoke('start_run', { prompt: 'Stall, please.', models: [stalled, sim.fast], chairman: sim.chair });
  await client.waitFor((e) => e.runId === started.runId && e.type === 'model_complete' && e.model === sim.fast && e.stage === 0);
  await client.waitFor((e) => e.runId === started.runId && e.type === 'token' && e.model === stalled);

  const sentAt = performance.now();
  assert.deepEqual(await client.invoke('cancel_model', { runId: started.runId, model: stalled }), { accepted: true });
  const cancelled = await client.waitFor((e) => e.runId === started.runId && e.type === 'model_complete' && e.model === stalled);
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(cancelled.text.length > 0);
  assert.ok(cancelled.receivedAt - sentAt < 1000, `cancel took ${cancelled.receivedAt - sentAt} ms`);
  await client.waitFor((e) => e.runId === started.runId && e.type === 'run_complete');
});

test('list_models advertises the configured provider models under the provider name', async () => {
  const models = await client.invoke('list_models');
  assert.ok(models.some((m) => m.id === 'self/sim/alpha' && m.provider === 'self'));
  assert.ok(!models.some((m) => m.provider === 'openrouter'), 'openrouter without a key advertises nothing');
});
