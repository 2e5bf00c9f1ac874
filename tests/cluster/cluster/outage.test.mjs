import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../node/support/council.mjs';
import { useCluster } from '../support/cluster.mjs';
import { until } from '../support/until.mjs';

// A node whose Redis goes away while it runs, then comes back (same port, same data).
const cluster = useCluster(['node-a'], { persist: true });

async function readiness() {
  const response = await fetch(`${cluster.nodes[0].url}/readyz`);
  return { status: response.status, body: await response.json() };
}

test('Redis down: /readyz says why and start_run is refused; Redis back: ready again without a restart', async () => {
  const viewer = await connect(cluster.nodes[0].hubUrl);
  const request = { prompt: 'Outage', models: ['sim/a?ttft=10&tps=500&tokens=10'], chairman: 'sim/a?ttft=10&tps=500&tokens=10' };
  try {
    assert.equal((await readiness()).status, 200);
    await cluster.redis.stop();
    const down = await until(async () => { const r = await readiness(); return r.status === 503 && r; }, '/readyz to report Redis', 20000);
    assert.match(down.body.reason, /Redis \(Council:Cluster:RedisConnectionString\) is unreachable/);
    await assert.rejects(viewer.invoke('start_run', request), /This node takes no new runs now: Redis \(Council:Cluster:RedisConnectionString\) is unreachable/);

    await cluster.redis.start();
    await until(async () => (await readiness()).status === 200, '/readyz to be ready again', 60000);
    const { events } = await viewer.run(request);
    assert.equal(events.at(-1).status, 'ok');
  } finally {
    await viewer.stop();
  }
});
