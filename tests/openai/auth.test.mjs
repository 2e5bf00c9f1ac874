// /v1 in the multi-user modes: the hub's authentication, ownership and per-user limits, refusals as OpenAI errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { startServer } from '../node/support/server.mjs';
import { connect } from '../node/support/council.mjs';
import { openai, collect, runIdOf, endedRun, sim } from './support.mjs';

const sha256 = (key) => createHash('sha256').update(key).digest('hex');
const keys = { alice: 'alice-key-0123456789', bob: 'bob-key-9876543210', carol: 'carol-key-1111111111', revoked: 'gone-key-777' };
const council = { models: [sim.a, sim.b], chairman: sim.chair };
const ask = (client, extra = {}) => client.chat.completions.create({ model: 'council', messages: [{ role: 'user', content: 'Hi?' }], council, ...extra });
const bearer = (key) => ({ Authorization: `Bearer ${key}` });

let server;
before(async () => {
  const env = {
    Council__Auth__Mode: 'ApiKeys', Council__MaxRunsPerMinute: '3', Council__MaxConcurrentRuns: '1',
    Council__MaxPromptChars: '200', Council__MaxModelsPerRun: '3',
  };
  [['alice', keys.alice], ['bob', keys.bob], ['carol', keys.carol], ['dave', keys.revoked]].forEach(([user, key], i) => {
    env[`Council__Auth__ApiKeys__${i}__Hash`] = sha256(key);
    env[`Council__Auth__ApiKeys__${i}__User`] = user;
  });
  env.Council__Auth__ApiKeys__3__Revoked = 'true';
  server = await startServer({ env });
});
after(async () => { await server?.stop(); });

/** Asserts an OpenAI error: its class (by status), code and message. */
async function refused(promise, status, code, message) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof OpenAI.APIError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

test('no key, a wrong key or a revoked key get 401 with an OpenAI error body; a good key lists models', async () => {
  const noKey = await fetch(`${server.url}/v1/models`);
  assert.equal(noKey.status, 401);
  assert.equal(noKey.headers.get('www-authenticate'), 'Bearer');
  assert.deepEqual(await noKey.json(), { error: { message: "Authentication required: send your Council API key as 'Authorization: Bearer <key>'.", type: 'invalid_request_error', code: 'invalid_api_key' } });

  await refused(openai(server, 'not-a-key').models.list(), 401, 'invalid_api_key', /Unknown API key/);
  await refused(openai(server, keys.revoked).chat.completions.create({ model: 'council', messages: [{ role: 'user', content: 'x' }] }), 401, 'invalid_api_key', /revoked/);
  await assert.rejects(openai(server, 'not-a-key').chat.completions.create({ model: 'council', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);

  const ids = [];
  for await (const model of openai(server, keys.alice).models.list()) ids.push(model.id);
  assert.ok(ids.includes('council/pipeline'));
});

test('a run started over /v1 belongs to its key\'s user: the owner sees it stored and over the hub, others do not', async () => {
  const completion = await ask(openai(server, keys.alice));
  const runId = runIdOf(completion.id);
  const run = await endedRun(server, runId, bearer(keys.alice));
  assert.equal(run.final, completion.choices[0].message.content);
  assert.equal((await fetch(`${server.url}/api/runs/${runId}`, { headers: bearer(keys.bob) })).status, 404);
  assert.ok((await (await fetch(`${server.url}/api/conversations`, { headers: bearer(keys.alice) })).json()).some((c) => c.id === run.conversationId));

  const owner = await connect(server.hubUrl, { accessToken: keys.alice });
  const other = await connect(server.hubUrl, { accessToken: keys.bob });
  try {
    assert.equal((await owner.invoke('resume_run', { runId, afterSeq: 0 })).status, 'ok');
    await assert.rejects(other.invoke('resume_run', { runId, afterSeq: 0 }), /Unknown run/);
  } finally {
    await owner.stop();
    await other.stop();
  }
});

test('prompt size and models per run are the hub\'s limits', async () => {
  const client = openai(server, keys.carol);
  await refused(client.chat.completions.create({ model: 'council', messages: [{ role: 'user', content: 'x'.repeat(201) }], council }),
    400, 'invalid_council', /201 characters long; the limit is 200/);
  await refused(client.chat.completions.create({ model: 'council', messages: [{ role: 'user', content: 'x'.repeat(1601) }, { role: 'user', content: 'Hi' }], council }),
    400, 'context_length_exceeded', /at most 1600/);
  await refused(ask(client, { council: { ...council, models: [sim.a, sim.b, sim.c, 'sim/d'] } }), 400, 'invalid_council', /at most 3/);
});

test('runs going at once and runs per minute count the hub and /v1 together, per user; past them a 429 says when to retry', async () => {
  const client = openai(server, keys.bob);
  const hub = await connect(server.hubUrl, { accessToken: keys.bob });
  try {
    // One run going (over the hub) is bob's most at once: /v1 is refused, alice is not.
    const slow = await hub.invoke('start_run', { prompt: 'Slow one', models: [sim.slow], chairman: sim.chair });
    await refused(ask(client), 429, 'rate_limit_exceeded', /1 runs going, the most at once/);
    await ask(openai(server, keys.alice));
    await hub.invoke('cancel_run', { runId: slow.runId });
    await hub.waitFor((e) => e.runId === slow.runId && e.type === 'run_complete');

    // That hub run and two over /v1 make three in the minute: the fourth, over either, is refused.
    await collect(await ask(client, { stream: true }));
    await ask(client);
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST', headers: { ...bearer(keys.bob), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'council', messages: [{ role: 'user', content: 'Hi?' }], council }),
    });
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
    const { error } = await response.json();
    assert.equal(error.type, 'rate_limit_error');
    assert.match(error.message, /3 runs in the last minute, the most allowed\. Retry in \d+ s/);
    await assert.rejects(hub.invoke('start_run', { prompt: 'One more', models: [sim.a], chairman: sim.chair }), /3 runs in the last minute/);
  } finally {
    await hub.stop();
  }
});

test('TrustedProxy mode: the user comes from the proxy\'s header, as for the hub and /api', async () => {
  const proxied = await startServer({ env: { Council__Auth__Mode: 'TrustedProxy', Council__Auth__TrustedProxies__0: '127.0.0.1' } });
  try {
    const noUser = await fetch(`${proxied.url}/v1/models`);
    assert.equal(noUser.status, 401);
    assert.deepEqual((await noUser.json()).error, {
      message: 'Authentication required: come through the authenticating proxy, which names the user in X-Forwarded-User.',
      type: 'invalid_request_error', code: 'invalid_api_key',
    });
    const client = openai(proxied, 'unused', { defaultHeaders: { 'X-Forwarded-User': 'erin' } });
    const completion = await ask(client);
    const runId = runIdOf(completion.id);
    assert.equal((await endedRun(proxied, runId, { 'X-Forwarded-User': 'erin' })).status, 'ok');
    assert.equal((await fetch(`${proxied.url}/api/runs/${runId}`, { headers: { 'X-Forwarded-User': 'frank' } })).status, 404);
  } finally {
    await proxied.stop();
  }
});
