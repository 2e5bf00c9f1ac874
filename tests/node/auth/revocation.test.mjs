// An open hub connection whose API key is revoked, removed or expires is closed (the check interval is lowered to
// 1 s here; the default of 10 s closes it within 30 s), and the client's reconnect is refused; other keys go on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../support/server.mjs';
import { connect } from '../support/council.mjs';

const sha256 = (key) => createHash('sha256').update(key).digest('hex');
const keys = { alice: 'alice-key-0123456789', bob: 'bob-key-9876543210', carol: 'carol-key-5555555555' };
const folder = mkdtempSync(path.join(os.tmpdir(), 'council-keys-'));
const keysFile = path.join(folder, 'keys.json');
const expiresAt = new Date(Date.now() + 6000).toISOString();

// Written whole, then renamed over the old file: the server never reads half a file.
function writeKeys(entries) {
  writeFileSync(`${keysFile}.tmp`, JSON.stringify(entries));
  renameSync(`${keysFile}.tmp`, keysFile);
}
const entry = (user, extra = {}) => ({ hash: sha256(keys[user]), user, roles: [], ...extra });

let server;
before(async () => {
  writeKeys([entry('alice'), entry('bob'), entry('carol', { expires: expiresAt })]);
  server = await startServer({ env: { Council__Auth__Mode: 'ApiKeys', Council__Auth__ApiKeysFile: keysFile, Council__Auth__RevalidateSeconds: '1' } });
});
after(async () => { await server?.stop(); });

function closed(client) {
  return new Promise((resolve) => client.connection.onclose(() => resolve(Date.now())));
}

// The promise's value, or null after ms (the timer cleared either way, so the test process can exit at once).
async function within(promise, ms) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((r) => { timer = setTimeout(() => r(null), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

async function stillOpen(client) {
  const models = await client.connection.invoke('list_models');
  assert.ok(models.length > 0);
}

test('a key revoked in the keys file closes its open connection; its reconnect is refused; other keys go on', async () => {
  const alice = await connect(server.hubUrl, { accessToken: keys.alice });
  const bob = await connect(server.hubUrl, { accessToken: keys.bob });
  await stillOpen(bob);
  const bobClosed = closed(bob);

  const revokedAt = Date.now();
  writeKeys([entry('alice'), entry('bob', { revoked: true }), entry('carol', { expires: expiresAt })]);

  const at = await within(bobClosed, 15_000);
  assert.ok(at, 'the revoked key\'s connection was closed');
  assert.ok(at - revokedAt < 15_000);
  await stillOpen(alice);
  await assert.rejects(connect(server.hubUrl, { accessToken: keys.bob }));
  const negotiate = await fetch(`${server.hubUrl}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { Authorization: `Bearer ${keys.bob}` } });
  assert.equal(negotiate.status, 401);
  assert.match(negotiate.headers.get('www-authenticate'), /revoked/);
  await alice.connection.stop();
});

test('a key that expires while connected has its connection closed', async () => {
  const carol = await connect(server.hubUrl, { accessToken: keys.carol });
  await stillOpen(carol);
  const at = await within(closed(carol), 20_000);
  assert.ok(at, 'the expired key\'s connection was closed');
  assert.ok(at >= Date.parse(expiresAt), 'not before it expired');
});
