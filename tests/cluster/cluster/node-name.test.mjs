import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../node/support/council.mjs';
import { useCluster } from '../support/cluster.mjs';
import { startNode } from '../support/nodes.mjs';

// A node's name marks the runs it stores, and a node starting closes the runs left going under its name: so two live
// nodes may not share one. The name is held in Redis while the node runs and given back when it stops.
const cluster = useCluster(['twin', 'other']);

const quick = 'sim/quick?ttft=20&tps=400&tokens=20';

test('a second node with a name in use refuses to start, saying so; the first goes on', async () => {
  const [twin] = cluster.nodes;
  const viewer = await connect(twin.hubUrl);
  try {
    const { runId } = await viewer.invoke('start_run', { prompt: 'Still mine', models: ['sim/slow?ttft=20&tps=40&tokens=400'], chairman: quick });
    const error = await startNode(cluster.redis, 'twin', cluster.nodes.clusterId).then(
      async (node) => { await node.stop(); assert.fail('a second node named twin started'); },
      (e) => e,
    );
    assert.match(error.message, /exited with 1 before listening/);
    assert.match(error.message.trimEnd().split('\n').at(-1),
      /^Council cannot start: Council:Cluster:NodeName 'twin' is in use by a running node \(silo 127\.0\.0\.1:\d+\): give each node a name of its own\.$/);
    const end = await viewer.waitFor((e) => e.runId === runId && e.type === 'run_complete', 30000);
    assert.equal(end.status, 'ok', 'the first node\'s run went on to its end');
  } finally {
    await viewer.stop();
  }
});

test('a node stopped gives its name back: a new node of that name starts', async () => {
  const [twin] = cluster.nodes;
  await twin.stop(); // SIGTERM: a graceful stop
  const again = await startNode(cluster.redis, 'twin', cluster.nodes.clusterId);
  cluster.nodes[0] = again;
  const ready = await (await fetch(`${again.url}/readyz`)).json();
  assert.equal(ready.node, 'twin');
  const viewer = await connect(again.hubUrl);
  try {
    const { events } = await viewer.run({ prompt: 'Back', models: [quick], chairman: quick });
    assert.equal(events.at(-1).status, 'ok');
  } finally {
    await viewer.stop();
  }
});
