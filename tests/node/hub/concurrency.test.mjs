import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { connect, textOf, sim } from '../support/council.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('20 concurrent runs on 20 connections all complete correctly', async () => {
  const clients = await Promise.all(Array.from({ length: 20 }, () => connect(server.hubUrl)));
  try {
    const results = await Promise.all(clients.map((c, i) => c.run({
      prompt: `Question number ${i}: what is ${i} squared?`,
      models: [sim.fast, sim.quick, `sim/n${i}?ttft=40&tps=200&tokens=40`],
      chairman: sim.chair,
    }, 60000)));

    const runIds = new Set(results.map((r) => r.started.runId));
    assert.equal(runIds.size, 20);
    results.forEach(({ started, events }, i) => {
      assert.deepEqual(events.map((e) => e.seq), events.map((_, j) => j + 1), `run ${i}: contiguous seqs`);
      assert.ok(events.every((e) => e.runId === started.runId), `run ${i}: only its own events`);
      const end = events.at(-1);
      assert.equal(end.type, 'run_complete');
      assert.equal(end.status, 'ok', `run ${i}: ${end.error ?? ''}`);
      for (const c of events.filter((e) => e.type === 'model_complete')) {
        assert.equal(c.status, 'ok');
        assert.equal(textOf(events, c.stage, c.model), c.text);
      }
    });
    // Each connection received only the events of the run it started.
    clients.forEach((c, i) => assert.equal(c.events(results[i].started.runId).length, results[i].events.length));
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
  }
});
