import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, textOf } from '../../node/support/council.mjs';
import { useCluster } from '../support/cluster.mjs';

// Three server processes on one Redis: runs started on one node, watched and steered from the others.
const cluster = useCluster(['node-a', 'node-b', 'node-c']);

const slow = (name, tokens = 60) => `sim/${name}?ttft=40&tps=60&tokens=${tokens}`;
const chairman = 'sim/chair?ttft=20&tps=200&tokens=30';

/** A viewer's events without what only its own client adds. */
const wire = (events) => events.map(({ receivedAt, ...e }) => e);

function assertContiguous(events, from = 1, label = '') {
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => from + i), `${label}: seqs ${from}… with no gap or repeat`);
}

test('each node names itself in /readyz and /api/stats', async () => {
  for (const node of cluster.nodes) {
    const ready = await (await fetch(`${node.url}/readyz`)).json();
    assert.equal(ready.status, 'ready');
    assert.equal(ready.node, node.name);
    const stats = await (await fetch(`${node.url}/api/stats`)).json();
    assert.equal(stats.node, node.name);
  }
});

test('a run started on A, watched from B, a model cancelled from C: every viewer has the events A has, as stored', async () => {
  const [a, b] = cluster.nodes;
  const starter = await connect(a.hubUrl);
  const watcher = await connect(b.hubUrl);
  const lateWatcher = await connect(b.hubUrl);
  const canceller = await connect(cluster.nodes[2].hubUrl);
  try {
    const models = [slow('one'), slow('two'), slow('three', 400)];
    const { runId } = await starter.invoke('start_run', { prompt: 'Across nodes', models, chairman });
    await starter.waitFor((e) => e.runId === runId && e.type === 'token');
    const resumed = await watcher.invoke('resume_run', { runId, afterSeq: 0 });
    assert.equal(resumed.status, 'running');
    await watcher.waitFor((e) => e.runId === runId && e.type === 'token' && e.seq > resumed.lastSeq);
    // A second viewer on B, from a seq it had already seen: it shares B's mirror of the run.
    const from = Math.max(1, Math.floor(resumed.lastSeq / 2));
    await lateWatcher.invoke('resume_run', { runId, afterSeq: from });

    const cancelled = await canceller.invoke('cancel_model', { runId, model: models[2] });
    assert.equal(cancelled.accepted, true);

    const [end] = await Promise.all([starter, watcher, lateWatcher].map((v) => v.waitFor((e) => e.runId === runId && e.type === 'run_complete', 30000)));
    assert.equal(end.status, 'ok');
    const reference = wire(starter.events(runId));
    assertContiguous(reference, 1, 'A');
    assert.equal(reference.at(-1).type, 'run_complete');
    assert.deepEqual(wire(watcher.events(runId)), reference, 'B has exactly the events A has');
    assert.deepEqual(wire(lateWatcher.events(runId)), reference.slice(from), 'B from a seq has the rest, exactly');
    const skipped = reference.find((e) => e.type === 'model_complete' && e.model === models[2]);
    assert.equal(skipped.status, 'cancelled');

    // After the run: a viewer on C replays the whole run from A's grain.
    const replay = await canceller.invoke('resume_run', { runId, afterSeq: 0 });
    assert.equal(replay.status, 'ok');
    assert.equal(replay.lastSeq, reference.length);
    await canceller.waitFor((e) => e.runId === runId && e.type === 'run_complete');
    assert.deepEqual(wire(canceller.events(runId)), reference, 'C replays exactly the events A has');

    const stored = await (await fetch(`${a.url}/api/runs/${runId}`)).json();
    assert.equal(stored.lastSeq, reference.length);
    for (const output of stored.outputs) {
      assert.equal(textOf(reference, output.stage, output.model), output.text, `${output.model} in stage ${output.stage}`);
    }
  } finally {
    await Promise.all([starter, watcher, lateWatcher, canceller].map((v) => v.stop()));
  }
});

test('runs start on every node, and cancel_run from another node ends them for every viewer', async () => {
  const viewers = await Promise.all(cluster.nodes.map((n) => connect(n.hubUrl)));
  try {
    for (let i = 0; i < cluster.nodes.length; i++) {
      const [starter, watcher, canceller] = [viewers[i], viewers[(i + 1) % 3], viewers[(i + 2) % 3]];
      const { runId } = await starter.invoke('start_run', { prompt: `Cancel from afar ${i}`, models: [slow('long', 2000)], chairman });
      await starter.waitFor((e) => e.runId === runId && e.type === 'token');
      await watcher.invoke('resume_run', { runId, afterSeq: 0 });
      assert.equal((await canceller.invoke('cancel_run', { runId })).accepted, true);
      const ends = await Promise.all([starter, watcher].map((v) => v.waitFor((e) => e.runId === runId && e.type === 'run_complete')));
      assert.deepEqual(ends.map((e) => e.status), ['cancelled', 'cancelled']);
      assert.deepEqual(wire(watcher.events(runId)), wire(starter.events(runId)));
    }
  } finally {
    await Promise.all(viewers.map((v) => v.stop()));
  }
});

test('30 runs at once, each started on one node and watched from the two others: 0 lost, 0 duplicated', async () => {
  // A connection per viewer of each run (the hub limits calls per connection per second).
  const viewers = await Promise.all(Array.from({ length: 30 }, (_, i) => Promise.all([0, 1, 2].map((k) => connect(cluster.nodes[(i + k) % 3].hubUrl)))));
  try {
    await Promise.all(viewers.map(async ([starter, ...others], i) => {
      const { runId } = await starter.invoke('start_run', {
        prompt: `Many at once ${i}`, models: [`sim/m${i}?ttft=20&tps=150&tokens=40`, `sim/n${i}?ttft=30&tps=120&tokens=40`], chairman,
      });
      await Promise.all(others.map((v) => v.invoke('resume_run', { runId, afterSeq: 0 })));
      await Promise.all([starter, ...others].map((v) => v.waitFor((e) => e.runId === runId && e.type === 'run_complete', 60000)));
      const reference = wire(starter.events(runId));
      assertContiguous(reference, 1, runId);
      assert.equal(reference.at(-1).type, 'run_complete');
      for (const other of others) assert.deepEqual(wire(other.events(runId)), reference, runId);
    }));
  } finally {
    await Promise.all(viewers.flat().map((v) => v.stop()));
  }
});
