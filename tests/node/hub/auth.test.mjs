import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startServer, serverDll } from '../support/server.mjs';
import { connect, sim } from '../support/council.mjs';

const sha256 = (key) => createHash('sha256').update(key).digest('hex');
const keys = { alice: 'alice-key-0123456789', bob: 'bob-key-9876543210', expired: 'old-key-555', revoked: 'gone-key-777', erin: 'erin-key-4242424242' };
const models = [sim.fast, sim.quick];

let server;
before(async () => {
  const env = { Council__Auth__Mode: 'ApiKeys', Council__MaxRunsPerMinute: '4', Council__MaxConcurrentRuns: '2' };
  [['alice', keys.alice], ['bob', keys.bob], ['carol', keys.expired], ['dave', keys.revoked], ['erin', keys.erin]].forEach(([user, key], i) => {
    env[`Council__Auth__ApiKeys__${i}__Hash`] = sha256(key);
    env[`Council__Auth__ApiKeys__${i}__User`] = user;
  });
  env.Council__Auth__ApiKeys__2__Expires = '2020-01-01T00:00:00Z';
  env.Council__Auth__ApiKeys__3__Revoked = 'true';
  server = await startServer({ env });
});
after(async () => { await server?.stop(); });

async function negotiate(headers = {}) {
  return fetch(`${server.hubUrl}/negotiate?negotiateVersion=1`, { method: 'POST', headers });
}

test('no key, a wrong key, an expired or revoked key are refused at negotiation; a good key is accepted', async () => {
  assert.equal((await negotiate()).status, 401);
  assert.equal((await negotiate({ Authorization: 'Bearer not-a-key' })).status, 401);
  assert.equal((await negotiate({ Authorization: `Bearer ${keys.expired}` })).status, 401);
  assert.equal((await negotiate({ Authorization: `Bearer ${keys.revoked}` })).status, 401);
  assert.equal((await negotiate({ Authorization: `Bearer ${keys.alice}` })).status, 200);
  assert.equal((await negotiate()).headers.get('www-authenticate'), 'Bearer');
  assert.equal((await negotiate({ Authorization: `Bearer ${keys.expired}` })).headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="This API key has expired."');
  assert.equal((await negotiate({ Authorization: `Bearer ${keys.revoked}` })).headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="This API key was revoked."');
  await assert.rejects(connect(server.hubUrl, { accessToken: 'not-a-key' }));
  await assert.rejects(connect(server.hubUrl));
  const ok = await connect(server.hubUrl, { accessToken: keys.alice });
  await ok.stop();
  assert.equal((await fetch(`${server.url}/api/conversations`)).status, 401);
});

test('another user\'s runs and conversations behave exactly like unknown ids', async () => {
  const alice = await connect(server.hubUrl, { accessToken: keys.alice });
  const bob = await connect(server.hubUrl, { accessToken: keys.bob });
  try {
    const { started } = await alice.run({ prompt: 'Alice private question', models, chairman: sim.chair });
    const live = await alice.invoke('start_run', { prompt: 'Alice long question', models: ['sim/slow?ttft=20&tps=20&tokens=400', sim.fast], chairman: sim.chair });
    const random = 'f'.repeat(32);
    const sameError = async (call, ownId) => {
      const [theirs, unknown] = await Promise.all([call(ownId).catch((e) => e), call(random).catch((e) => e)]);
      assert.ok(theirs instanceof Error && unknown instanceof Error, 'both are refused');
      assert.equal(theirs.message.replaceAll(ownId, 'ID'), unknown.message.replaceAll(random, 'ID'));
    };
    await sameError((id) => bob.invoke('resume_run', { runId: id, afterSeq: 0 }), started.runId);
    await sameError((id) => bob.invoke('cancel_model', { runId: id, model: models[0] }), live.runId);
    await sameError((id) => bob.invoke('cancel_run', { runId: id }), live.runId);
    await sameError((id) => bob.invoke('start_run', { prompt: 'sneak', models, conversationId: id }), started.conversationId);

    const asBob = { Authorization: `Bearer ${keys.bob}` };
    const asAlice = { Authorization: `Bearer ${keys.alice}` };
    for (const [method, url, body] of [
      ['GET', `/api/runs/${started.runId}`],
      ['GET', `/api/conversations/${started.conversationId}`],
      ['PATCH', `/api/conversations/${started.conversationId}`, { title: 'pwned' }],
      ['DELETE', `/api/conversations/${started.conversationId}`],
    ]) {
      const init = (headers, id) => ({ method, headers: { ...headers, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      const theirs = await fetch(server.url + url, init(asBob));
      const unknown = await fetch(server.url + url.replace(/[0-9a-f]{32}/, random), init(asBob));
      assert.equal(theirs.status, 404, `${method} ${url}`);
      assert.equal(unknown.status, 404);
      assert.equal((await theirs.json()).detail.replace(/'[^']+'/, "'ID'"), (await unknown.json()).detail.replace(/'[^']+'/, "'ID'"));
    }
    assert.deepEqual(await (await fetch(`${server.url}/api/conversations`, { headers: asBob })).json(), []);

    // Alice still can do all of it.
    assert.equal((await fetch(`${server.url}/api/runs/${started.runId}`, { headers: asAlice })).status, 200);
    assert.equal((await (await fetch(`${server.url}/api/conversations`, { headers: asAlice })).json()).length, 2);
    assert.deepEqual(await alice.invoke('cancel_run', { runId: live.runId }), { accepted: true });
    const resumed = await alice.invoke('resume_run', { runId: started.runId, afterSeq: 0 });
    assert.equal(resumed.status, 'ok');
    assert.equal((await fetch(`${server.url}/api/conversations/${started.conversationId}`, { method: 'PATCH', headers: { ...asAlice, 'Content-Type': 'application/json' }, body: JSON.stringify({ title: 'Mine' }) })).status, 204);
  } finally {
    await alice.stop();
    await bob.stop();
  }
});

test('per-user limits on concurrent runs and runs per minute trip at the configured numbers', async () => {
  const erin = await connect(server.hubUrl, { accessToken: keys.erin }); // a user with no earlier attempts
  try {
    const long = { prompt: 'long', models: ['sim/a?ttft=20&tps=20&tokens=400', 'sim/b?ttft=20&tps=20&tokens=400'], chairman: sim.chair };
    const first = await erin.invoke('start_run', long);
    const second = await erin.invoke('start_run', long);
    await assert.rejects(erin.invoke('start_run', long), /You have 2 runs going, the most at once/);
    await erin.invoke('cancel_run', { runId: first.runId });
    await erin.invoke('cancel_run', { runId: second.runId });
    await erin.waitFor((e) => e.runId === second.runId && e.type === 'run_complete');
    // Concurrency recovered: two more starts are allowed, then the per-minute window (4) is used up.
    const third = await erin.invoke('start_run', long);
    await erin.invoke('cancel_run', { runId: third.runId });
    await erin.waitFor((e) => e.runId === third.runId && e.type === 'run_complete');
    const fourth = await erin.invoke('start_run', long);
    await erin.invoke('cancel_run', { runId: fourth.runId });
    await erin.waitFor((e) => e.runId === fourth.runId && e.type === 'run_complete');
    await assert.rejects(erin.invoke('start_run', long), /asked to start 4 runs in the last minute.*Retry in \d+ s/);
  } finally {
    await erin.stop();
  }
});

test('calls per connection are limited and recover a second later', async () => {
  const alice = await connect(server.hubUrl, { accessToken: keys.alice });
  try {
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => alice.invoke('list_models')));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.ok(refused.length >= 15, `${refused.length} of 40 refused`);
    assert.match(refused[0].reason.message, /Too many calls on this connection: at most 20 per second/);
    await new Promise((r) => setTimeout(r, 1100));
    assert.ok((await alice.invoke('list_models')).length > 0);
  } finally {
    await alice.stop();
  }
});

test('responses carry security headers and no CORS grant by default', async () => {
  const res = await fetch(`${server.url}/`, { headers: { Origin: 'https://evil.example' } });
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.match(res.headers.get('content-security-policy'), /script-src 'self'/);
  const preflight = await fetch(`${server.hubUrl}/negotiate`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);
});

test('in None mode, listening beyond loopback without the opt-in fails with a clear message', async () => {
  const child = spawn('dotnet', [serverDll, '--urls', 'http://0.0.0.0:0'], { cwd: path.dirname(serverDll), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, Council__Storage__Path: path.join(process.env.TMPDIR ?? '/tmp', `council-bind-${process.pid}.db`) } });
  let output = '';
  child.stdout.on('data', (c) => { output += c; });
  child.stderr.on('data', (c) => { output += c; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.notEqual(code, 0);
  assert.match(output, /Council:Auth:Mode is None .* listens on loopback only, but it was asked to listen on http:\/\/0\.0\.0\.0:0/);
  assert.doesNotMatch(output, /Now listening on/);
});
