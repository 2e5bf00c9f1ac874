import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../node/support/server.mjs';
import { freePort } from '../support/redis.mjs';

/** Starts a server expected to refuse to start; resolves with what it printed. */
async function refusal(env) {
  const error = await startServer({ env, timeoutMs: 60000 }).then(
    async (server) => { await server.stop(); assert.fail('the server started'); },
    (e) => e,
  );
  assert.match(error.message, /exited with 1 before listening/);
  // The last line says it plainly (the host's own log of the failure comes before it).
  const last = error.message.trimEnd().split('\n').at(-1);
  assert.match(last, /^Council cannot start: /);
  return last;
}

test('the redis provider without a connection string is a startup error naming the setting', async () => {
  const output = await refusal({ Council__Cluster__Provider: 'redis' });
  assert.match(output, /Council:Cluster:RedisConnectionString is not set/);
});

test('an unreachable Redis is a startup error naming the setting and the address', async () => {
  const port = await freePort(); // nothing listens there
  const output = await refusal({ Council__Cluster__Provider: 'redis', Council__Cluster__RedisConnectionString: `127.0.0.1:${port}` });
  assert.match(output, new RegExp(`Cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(Council:Cluster:RedisConnectionString\\)`));
});

test('an unknown cluster provider is a startup error naming the setting', async () => {
  const output = await refusal({ Council__Cluster__Provider: 'zookeeper' });
  assert.match(output, /Council:Cluster:Provider is 'zookeeper': use localhost \(one node\) or redis/);
});

test('the postgres storage provider without a connection string is a startup error naming the setting', async () => {
  const output = await refusal({ Council__Storage__Provider: 'postgres' });
  assert.match(output, /Council:Storage:Provider is postgres, but Council:Storage:ConnectionString is not set/);
});

test('an unreachable PostgreSQL is a startup error naming the setting and the address', async () => {
  const port = await freePort(); // nothing listens there
  const output = await refusal({
    Council__Storage__Provider: 'postgres',
    Council__Storage__ConnectionString: `Host=127.0.0.1;Port=${port};Database=council;Username=council;Password=x`,
  });
  assert.match(output, new RegExp(`Cannot use PostgreSQL 127\\.0\\.0\\.1:${port}/council \\(Council:Storage:ConnectionString\\)`));
});

test('an unknown storage provider is a startup error naming the setting', async () => {
  const output = await refusal({ Council__Storage__Provider: 'mysql' });
  assert.match(output, /Council:Storage:Provider is 'mysql': use sqlite \(one file, one node\) or postgres/);
});
