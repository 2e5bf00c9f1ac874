import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from '../../node/support/council.mjs';
import { useCluster } from '../support/cluster.mjs';
import { until } from '../support/until.mjs';

// The per-user limits count a user's runs on every node together: starting on another node is no way around them.
const sha256 = (key) => createHash('sha256').update(key).digest('hex');
const keys = { erin: 'erin-key-4242424242', finn: 'finn-key-1717171717' };
const env = { Council__Auth__Mode: 'ApiKeys', Council__MaxRunsPerMinute: '4', Council__MaxConcurrentRuns: '2' };
Object.entries(keys).forEach(([user, key], i) => {
  env[`Council__Auth__ApiKeys__${i}__Hash`] = sha256(key);
  env[`Council__Auth__ApiKeys__${i}__User`] = user;
});
const cluster = useCluster(['node-a', 'node-b', 'node-c'], { env });

const long = { prompt: 'long', models: ['sim/a?ttft=20&tps=20&tokens=400'], chairman: 'sim/chair?ttft=20&tps=200&tokens=20' };

/** One hub connection per node, as one user. */
const connectAll = (user) => Promise.all(cluster.nodes.map((node) => connect(node.hubUrl, { accessToken: keys[user] })));

async function cancel(viewer, runId) {
  await viewer.invoke('cancel_run', { runId });
  await viewer.waitFor((e) => e.runId === runId && e.type === 'run_complete');
}

test('runs going at once and runs per minute count every node of the cluster together', async () => {
  const [a, b, c] = await connectAll('erin');
  try {
    const first = await a.invoke('start_run', long);
    const second = await b.invoke('start_run', long);
    await assert.rejects(c.invoke('start_run', long), /You have 2 runs going, the most at once/);
    await cancel(a, first.runId); // a run ending on A makes room on C
    const third = await c.invoke('start_run', long);
    await cancel(b, second.runId);
    await cancel(c, third.runId);
    const fourth = await b.invoke('start_run', long);
    await cancel(b, fourth.runId);
    await assert.rejects(a.invoke('start_run', long), /You asked to start 4 runs in the last minute, the most allowed\. Retry in \d+ s/);
    await assert.rejects(c.invoke('start_run', long), /4 runs in the last minute/);
  } finally {
    await Promise.all([a, b, c].map((v) => v.stop()));
  }
});

test('a node lost: its runs stop counting, and a start meanwhile is refused by the limit only, never fails', async () => {
  const [a, b, c] = await connectAll('finn');
  try {
    await b.invoke('start_run', long);
    await b.invoke('start_run', long);
    await assert.rejects(a.invoke('start_run', long), /You have 2 runs going/);
    cluster.nodes[1].process.kill('SIGKILL');
    // Refused by the limit (never an error) until B's runs stop counting; the server's exceptions, if any, say why.
    const started = await until(() => a.invoke('start_run', long).catch((e) => {
      assert.match(e.message, /You have 2 runs going/, cluster.nodes[0].output().split('\n').filter((l) => /Exception/.test(l) && !/^\s*at /.test(l)).join('\n'));
      return new Promise((r) => setTimeout(r, 200, null)); // well inside the connection's calls per second
    }), 'a run to start on A once B is declared dead', 30000);
    await cancel(a, started.runId);
  } finally {
    await Promise.all([a, c].map((v) => v.stop()));
    await b.stop().catch(() => {});
  }
});
