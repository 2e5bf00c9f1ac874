import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../node/support/council.mjs';
import { useCluster } from '../support/cluster.mjs';
import { until } from '../support/until.mjs';

// A graceful stop (SIGTERM) of the node running two runs, with Council:Cluster:DrainSeconds=3.
const cluster = useCluster(['node-a', 'node-b'], { env: { Council__Cluster__DrainSeconds: '3' } });

test('SIGTERM: no new runs on the stopping node, its runs finish within the drain, what is left ends interrupted', async () => {
  const [a, b] = cluster.nodes;
  const starter = await connect(a.hubUrl);
  const watcher = await connect(b.hubUrl);
  try {
    const chairman = 'sim/chair?ttft=20&tps=300&tokens=20';
    const short = await starter.invoke('start_run', { prompt: 'Short', models: ['sim/short?ttft=20&tps=40&tokens=60'], chairman });
    const long = await starter.invoke('start_run', { prompt: 'Long', models: ['sim/long?ttft=20&tps=30&tokens=3000'], chairman });
    for (const { runId } of [short, long]) {
      await watcher.invoke('resume_run', { runId, afterSeq: 0 });
      await watcher.waitFor((e) => e.runId === runId && e.type === 'token');
    }

    const exited = a.stop('SIGTERM');
    let ready;
    await until(async () => {
      ready = await fetch(`${a.url}/readyz`).then((r) => r.json().then((body) => ({ status: r.status, body })));
      return ready.status === 503;
    }, 'the stopping node to say it is not ready', 10000);
    assert.match(ready.body.reason, /this node is shutting down/);
    // SignalR closes the stopping node's connections at once (clients reconnect elsewhere); /v1 still answers.
    const refused = await fetch(`${a.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'council', messages: [{ role: 'user', content: 'Too late' }], council: { models: ['sim/x'], chairman } }),
    });
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).error.message, /This node takes no new runs now: this node is shutting down/);

    // The starter was cut off: it resumes on the other node from the last seq it had, and misses nothing.
    const moved = await connect(b.hubUrl);
    try {
      const seen = [...starter.events(short.runId)];
      await moved.invoke('resume_run', { runId: short.runId, afterSeq: seen.at(-1)?.seq ?? 0 });
      const end = await moved.waitFor((e) => e.runId === short.runId && e.type === 'run_complete');
      assert.equal(end.status, 'ok', 'the short run finished during the drain');
      const all = [...seen, ...moved.events(short.runId)];
      assert.deepEqual(all.map((e) => e.seq), all.map((_, k) => k + 1));
    } finally {
      await moved.stop();
    }
    const shortEnd = await watcher.waitFor((e) => e.runId === short.runId && e.type === 'run_complete');
    assert.equal(shortEnd.status, 'ok');

    const longEnd = await watcher.waitFor((e) => e.runId === long.runId && e.type === 'run_complete', 30000);
    assert.equal(longEnd.status, 'failed');
    assert.match(longEnd.error, /^Interrupted/);
    const events = watcher.events(long.runId);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, k) => k + 1));
    assert.equal(await exited, 0);
  } finally {
    await Promise.all([starter, watcher].map((v) => v.stop().catch(() => {})));
  }
});
