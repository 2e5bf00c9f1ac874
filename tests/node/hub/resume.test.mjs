import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { startProxy } from '../support/proxy.mjs';
import { connect, textOf } from '../support/council.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const models = ['sim/a?ttft=30&tps=120&tokens=50', 'sim/b?ttft=60&tps=100&tokens=50', 'sim/c?ttft=20&tps=150&tokens=40'];
const chairman = 'sim/ch?ttft=20&tps=200&tokens=30';

/** Starts a run through a proxy, cuts the socket after `cutAfterMs`, then resumes on a new connection from the last seq seen. */
async function runWithDrop(i, cutAfterMs) {
  const proxy = await startProxy(server.url);
  const first = await connect(proxy.hubUrl);
  const { runId } = await first.invoke('start_run', { prompt: `Resume test ${i}`, models, chairman });
  await new Promise((r) => setTimeout(r, cutAfterMs));
  proxy.cutAll();
  const seen = [...first.events(runId)];
  await first.stop().catch(() => {});
  await proxy.stop();

  const lastSeq = seen.length === 0 ? 0 : seen.at(-1).seq;
  const second = await connect(server.hubUrl);
  try {
    const resumed = await second.invoke('resume_run', { runId, afterSeq: lastSeq });
    assert.equal(resumed.runId, runId);
    assert.ok(resumed.lastSeq >= lastSeq);
    await second.waitFor((e) => e.runId === runId && e.type === 'run_complete', 30000);
    return { runId, events: [...seen, ...second.events(runId)], lastSeqBeforeCut: lastSeq };
  } finally {
    await second.stop();
  }
}

test('100 runs whose connection is cut at random points resume with nothing lost or duplicated', async () => {
  const results = [];
  for (let round = 0; round < 10; round++) {
    results.push(...await Promise.all(Array.from({ length: 10 }, (_, j) => runWithDrop(round * 10 + j, Math.floor(Math.random() * 900)))));
  }
  let cutMidRun = 0;
  for (const { runId, events, lastSeqBeforeCut } of results) {
    assert.deepEqual(events.map((e) => e.seq), events.map((_, k) => k + 1), `run ${runId}: seqs contiguous across the cut`);
    assert.equal(events.at(-1).type, 'run_complete');
    if (lastSeqBeforeCut < events.length) cutMidRun++;

    const res = await fetch(`${server.url}/api/runs/${runId}`);
    assert.equal(res.status, 200);
    const stored = await res.json();
    assert.equal(stored.lastSeq, events.length);
    for (const output of stored.outputs) {
      assert.equal(textOf(events, output.stage, output.model), output.text, `run ${runId}: ${output.model} in stage ${output.stage}`);
    }
    assert.equal(stored.final, events.at(-1).final);
  }
  assert.ok(cutMidRun >= 50, `most cuts should land mid-run (${cutMidRun} of 100 did)`);
});

test('a finished run is replayed from storage after its grain is released', async () => {
  const local = await startServer({ env: { Council__FinishedRunIdleSeconds: '0' } });
  const client = await connect(local.hubUrl);
  try {
    const { started, events } = await client.run({ prompt: 'Store me', models: models.slice(0, 2), chairman });
    await new Promise((r) => setTimeout(r, 300)); // released from memory by now
    const viewer = await connect(local.hubUrl);
    try {
      const resumed = await viewer.invoke('resume_run', { runId: started.runId, afterSeq: 0 });
      assert.deepEqual(resumed, { runId: started.runId, lastSeq: events.length, status: 'ok' });
      await viewer.waitFor((e) => e.runId === started.runId && e.type === 'run_complete');
      const strip = ({ receivedAt, ...e }) => e;
      assert.deepEqual(viewer.events(started.runId).map(strip), events.map(strip));
    } finally {
      await viewer.stop();
    }
  } finally {
    await client.stop();
    await local.stop();
  }
});
