import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, textOf } from '../../node/support/council.mjs';
import { useCluster } from '../support/cluster.mjs';

// Three nodes; the one holding a run's grain is killed (SIGKILL) mid-run.
const cluster = useCluster(['node-a', 'node-b', 'node-c']);

const wire = (events) => events.map(({ receivedAt, ...e }) => e);

test('kill -9 of the grain\'s node: viewers on the other nodes get the run ended as interrupted, and new runs start there', async () => {
  const [a, b, c] = cluster.nodes;
  const starter = await connect(a.hubUrl);
  const viewers = [await connect(b.hubUrl), await connect(c.hubUrl)];
  try {
    const quick = 'sim/quick?ttft=20&tps=400&tokens=20';
    const long = 'sim/long?ttft=20&tps=30&tokens=3000';
    const { runId } = await starter.invoke('start_run', { prompt: 'Lost node', models: [quick, long], chairman: 'sim/chair?ttft=20&tps=200&tokens=20' });
    for (const viewer of viewers) await viewer.invoke('resume_run', { runId, afterSeq: 0 });
    // The quick model completes before the kill; the long one is mid-stream.
    await Promise.all(viewers.map((v) => v.waitFor((e) => e.runId === runId && e.type === 'model_complete' && e.model === quick)));
    await Promise.all(viewers.map((v) => v.waitFor((e) => e.runId === runId && e.type === 'token' && e.model === long)));

    const killedAt = performance.now();
    a.process.kill('SIGKILL');
    const ends = await Promise.all(viewers.map((v) => v.waitFor((e) => e.runId === runId && e.type === 'run_complete', 30000)));
    const seconds = ends.map((e) => ((e.receivedAt - killedAt) / 1000).toFixed(1));
    console.log(`kill -9 to run_complete on the other nodes: ${seconds.join(' s, ')} s`);

    for (const [i, end] of ends.entries()) {
      assert.equal(end.status, 'failed');
      assert.match(end.error, /node running this run \(node-a\) was lost/);
      const events = wire(viewers[i].events(runId));
      assert.deepEqual(events.map((e) => e.seq), events.map((_, k) => k + 1), 'no gap, no repeat');
      const completed = events.find((e) => e.type === 'model_complete' && e.model === quick);
      assert.equal(completed.status, 'ok');
      assert.equal(completed.text, textOf(events, 0, quick), 'the output completed before the kill is whole');
      const cut = events.find((e) => e.type === 'model_complete' && e.model === long);
      assert.equal(cut.status, 'cancelled');
      assert.equal(cut.text, textOf(events, 0, long), 'the partial text is what was streamed');
    }
    // Both survivors saw the events the grain had relayed to them; each closed its copy the same way.
    assert.deepEqual(ends[0].metrics.calls.map((m) => m.status), ends[1].metrics.calls.map((m) => m.status));

    const resumed = await viewers[0].invoke('resume_run', { runId, afterSeq: 0 });
    assert.equal(resumed.status, 'interrupted');

    // New runs start on the survivors at once.
    for (const viewer of viewers) {
      const { events } = await viewer.run({ prompt: 'After the loss', models: [quick], chairman: quick });
      assert.equal(events.at(-1).status, 'ok');
    }
  } finally {
    await Promise.all([starter, ...viewers].map((v) => v.stop().catch(() => {})));
  }
});
