import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, textOf } from '../../node/support/council.mjs';
import { useCluster } from '../support/cluster.mjs';
import { startNode } from '../support/nodes.mjs';
import { until } from '../support/until.mjs';

// Three nodes on one Redis and one PostgreSQL, started at once against an empty database: storage is shared, so
// conversations and stored runs are served by every node, and a killed node's completed outputs by the others.
const cluster = useCluster(['node-a', 'node-b', 'node-c'], { postgres: true, together: true });

const quick = 'sim/quick?ttft=20&tps=400&tokens=20';
const chairman = 'sim/chair?ttft=20&tps=200&tokens=20';

/** A viewer's events without what only its own client adds. */
const wire = (events) => events.map(({ receivedAt, ...e }) => e);
const json = async (url) => (await fetch(url)).json();

test('three nodes started at once on an empty PostgreSQL all come up ready', async () => {
  for (const node of cluster.nodes) {
    const ready = await json(`${node.url}/readyz`);
    assert.equal(ready.status, 'ready', `${node.name}: ${ready.reason}`);
    assert.equal(ready.checks.storage, 'ok');
  }
});

test('a run finished on A: its conversation and stored run are served by B and C alike, and replayed there from storage', async () => {
  const [a, b, c] = cluster.nodes;
  const starter = await connect(a.hubUrl);
  const replayer = await connect(c.hubUrl);
  try {
    const { started, events } = await starter.run({ prompt: 'Shared storage', models: [quick, 'sim/other?ttft=20&tps=400&tokens=30'], chairman });
    const reference = wire(events);
    const { runId, conversationId } = started;
    assert.equal(reference.at(-1).status, 'ok');
    const stored = await json(`${a.url}/api/runs/${runId}`);
    for (const node of [b, c]) {
      assert.deepEqual(await json(`${node.url}/api/runs/${runId}`), stored, `${node.name} serves the run as stored`);
      const list = await json(`${node.url}/api/conversations`);
      assert.ok(list.some((x) => x.id === conversationId), `${node.name} lists the conversation`);
      const detail = await json(`${node.url}/api/conversations/${conversationId}`);
      assert.deepEqual(detail.runs.map((r) => r.runId), [runId]);
    }
    assert.equal(stored.lastSeq, reference.length);
    for (const output of stored.outputs) assert.equal(output.text, textOf(reference, output.stage, output.model));

    // A follow-up in the conversation from another node sees the first answer as history.
    const { events: second } = await replayer.run({ prompt: 'And then?', conversationId, models: [quick], chairman });
    assert.equal(second.at(-1).status, 'ok');
    assert.equal((await json(`${b.url}/api/conversations/${conversationId}`)).runs.length, 2);
  } finally {
    await Promise.all([starter, replayer].map((v) => v.stop()));
  }
});

test('kill -9 of the grain\'s node: the survivors close its run in storage, its completed outputs kept; restarted, it finds it closed', async () => {
  const [a, b, c] = cluster.nodes;
  const starter = await connect(a.hubUrl);
  const viewers = [await connect(b.hubUrl), await connect(c.hubUrl)];
  let restarted;
  let late;
  try {
    const long = 'sim/long?ttft=20&tps=30&tokens=3000';
    const { runId } = await starter.invoke('start_run', { prompt: 'Lost node, shared storage', models: [quick, long], chairman });
    for (const viewer of viewers) await viewer.invoke('resume_run', { runId, afterSeq: 0 });
    // The quick model's output is in storage, as B reads it, before A is killed; the long one is mid-stream.
    const during = await until(async () => {
      const run = await json(`${b.url}/api/runs/${runId}`);
      return run.status === 'running' && run.outputs.some((o) => o.model === quick) && run;
    }, 'B to read the quick output from storage');
    await Promise.all(viewers.map((v) => v.waitFor((e) => e.runId === runId && e.type === 'token' && e.model === long)));
    a.process.kill('SIGKILL');
    await Promise.all(viewers.map((v) => v.waitFor((e) => e.runId === runId && e.type === 'run_complete', 30000)));

    // node-a stays down: B and C close its run in the shared storage, once.
    const closed = await until(async () => {
      const run = await json(`${c.url}/api/runs/${runId}`);
      return run.status === 'interrupted' && run;
    }, 'the surviving nodes to close the lost node\'s run');
    assert.match(closed.error, /the node running this run \(node-a\) was lost/);
    const seen = wire(viewers[0].events(runId));
    const kept = closed.outputs.find((o) => o.model === quick);
    assert.equal(kept.status, 'ok');
    assert.equal(kept.text, textOf(seen, 0, quick), 'the output completed before the kill is kept whole');
    assert.equal(kept.text, during.outputs.find((o) => o.model === quick).text);
    assert.equal(closed.outputs.find((o) => o.model === long).status, 'cancelled');
    const conversations = await json(`${b.url}/api/conversations`);
    assert.equal(conversations.find((x) => x.id === closed.conversationId)?.runningRunId ?? null, null, 'the conversation has no running run');

    // node-a back (same name): its run is closed already, and stays as the survivors closed it.
    restarted = await startNode(cluster.redis, 'node-a', cluster.nodes.clusterId, { Council__Storage__Provider: 'postgres', Council__Storage__ConnectionString: cluster.postgres.connectionString });
    cluster.nodes[0] = restarted;
    assert.deepEqual(await json(`${restarted.url}/api/runs/${runId}`), closed);

    // The stored record, replayed where no mirror of the run is, against what every viewer saw: the survivor that
    // closed it stored the events its viewers had seen, so they are the same events at the same seqs, end included
    // (0 lost, 0 duplicated); the other survivor's viewers saw the same up to where the lost node stopped.
    late = await connect(restarted.hubUrl);
    const replay = await late.invoke('resume_run', { runId, afterSeq: 0 });
    assert.equal(replay.status, 'interrupted');
    await late.waitFor((e) => e.runId === runId && e.type === 'run_complete');
    const stored = wire(late.events(runId));
    assert.deepEqual(stored.map((e) => e.seq), stored.map((_, i) => i + 1), 'stored seqs: no gap, no repeat');
    assert.equal(stored.length, closed.lastSeq);
    assert.equal(stored.filter((e) => e.type === 'run_complete').length, 1, 'closed once, though two nodes survived');
    assert.match(stored.at(-1).error, /node-a\) was lost/);
    const closing = stored.findIndex((e) => e.type === 'run_complete' || (e.type === 'model_complete' && e.status === 'cancelled'));
    assert.ok(stored.slice(0, closing).some((e) => e.type === 'model_complete' && e.model === quick));
    const seenBy = viewers.map((viewer) => wire(viewer.events(runId)));
    for (const events of seenBy) {
      assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'viewer seqs: no gap, no repeat');
      assert.deepEqual(events.slice(0, closing), stored.slice(0, closing), 'what storage kept is what the viewer saw');
    }
    assert.ok(seenBy.some((events) => JSON.stringify(events) === JSON.stringify(stored)), 'storage holds the run as a viewer saw it, end and all');

    // New runs start on every node, the restarted one too.
    const third = await connect(restarted.hubUrl);
    for (const viewer of [...viewers, third]) {
      const { events } = await viewer.run({ prompt: 'After the loss', models: [quick], chairman: quick });
      assert.equal(events.at(-1).status, 'ok');
    }
    await third.stop();
  } finally {
    await Promise.all([starter, ...viewers, late].filter(Boolean).map((v) => v.stop().catch(() => {})));
  }
});

test('PostgreSQL down: /readyz says why and start_run is refused; back: ready again without a restart', async () => {
  const node = cluster.nodes[1];
  const viewer = await connect(node.hubUrl);
  const request = { prompt: 'Outage', models: [quick], chairman: quick };
  const readiness = async () => {
    const response = await fetch(`${node.url}/readyz`);
    return { status: response.status, body: await response.json() };
  };
  try {
    assert.equal((await readiness()).status, 200);
    await cluster.postgres.stop();
    const down = await until(async () => { const r = await readiness(); return r.status === 503 && r; }, '/readyz to report PostgreSQL');
    assert.match(down.body.reason, /PostgreSQL 127\.0\.0\.1:\d+\/council \(Council:Storage:ConnectionString\) is unreachable/);
    await until(async () => viewer.invoke('start_run', request).then(() => false, (e) => /Storage is unavailable/.test(e.message) && e),
      'start_run to be refused');

    await cluster.postgres.start();
    await until(async () => (await readiness()).status === 200, '/readyz to be ready again', 60000);
    const { events } = await viewer.run(request);
    assert.equal(events.at(-1).status, 'ok');
  } finally {
    await viewer.stop();
  }
});

test('a node lost while PostgreSQL is down: once it is back, the survivors close the lost node\'s run in storage', async () => {
  const [a, b] = cluster.nodes;
  const starter = await connect(a.hubUrl);
  const viewer = await connect(b.hubUrl);
  try {
    const { runId } = await starter.invoke('start_run', { prompt: 'Lost in an outage', models: ['sim/long?ttft=20&tps=30&tokens=3000'], chairman });
    await viewer.invoke('resume_run', { runId, afterSeq: 0 });
    await until(async () => (await json(`${b.url}/api/runs/${runId}`)).status === 'running', 'the run to be stored');
    await cluster.postgres.stop();
    a.process.kill('SIGKILL');
    const end = await viewer.waitFor((e) => e.runId === runId && e.type === 'run_complete', 30000);
    assert.match(end.error, /node-a\) was lost/);
    await new Promise((r) => setTimeout(r, 1000)); // the survivors tried, and storage was away

    await cluster.postgres.start();
    const closed = await until(async () => {
      const run = await fetch(`${b.url}/api/runs/${runId}`).then((r) => (r.ok ? r.json() : null), () => null);
      return run?.status === 'interrupted' && run;
    }, 'the survivors to close the run once PostgreSQL is back', 60000);
    assert.match(closed.error, /node-a\) was lost/);
  } finally {
    await Promise.all([starter, viewer].map((v) => v.stop().catch(() => {})));
  }
});
