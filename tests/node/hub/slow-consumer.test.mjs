import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../support/server.mjs';
import { startProxy } from '../support/proxy.mjs';
import { connect, textOf } from '../support/council.mjs';

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const others = { models: ['sim/o1?ttft=30&tps=150&tokens=60', 'sim/o2?ttft=50&tps=120&tokens=60'], chairman: 'sim/oc?ttft=20&tps=200&tokens=30' };

test('a client that stops reading for 30 s neither slows the others nor grows memory, and resumes with everything', async () => {
  const server = await startServer({ env: { Council__TokenBatchWindowMs: '0', Council__SlowClientTimeoutSeconds: '10', Council__MaxTokensPerRun: '10000000' } });
  const proxy = await startProxy(server.url);
  const clients = await Promise.all(Array.from({ length: 20 }, () => connect(server.hubUrl)));
  try {
    const runAll = async (label) => {
      const durations = await Promise.all(clients.map(async (c, i) => {
        const t0 = performance.now();
        const { events } = await c.run({ prompt: `${label} ${i}`, ...others });
        assert.equal(events.at(-1).status, 'ok');
        assert.deepEqual(events.map((e) => e.seq), events.map((_, k) => k + 1));
        return performance.now() - t0;
      }));
      return median(durations);
    };
    const baseline = await runAll('baseline');
    const rssBefore = rssMb(server.process.pid);

    // The slow client: a big, fast run (8 × 20,000 tokens, every delta its own event: tens of MB, more than the
    // loopback socket buffers on both sides of the proxy can hold) through a proxy that stops reading.
    const slow = await connect(proxy.hubUrl);
    const big = Array.from({ length: 8 }, (_, i) => `sim/big${i}?ttft=10&tps=4000&tokens=20000`);
    const { runId } = await slow.invoke('start_run', { prompt: 'flood', models: big, chairman: 'sim/bc?ttft=10&tps=2000&tokens=200' });
    await slow.waitFor((e) => e.runId === runId && e.type === 'token');
    proxy.freezeAll();
    const frozenAt = performance.now();

    const during = [];
    let rssPeak = rssBefore;
    while (performance.now() - frozenAt < 30000) {
      during.push(await runAll('during'));
      rssPeak = Math.max(rssPeak, rssMb(server.process.pid));
    }
    const seenBySlow = [...slow.events(runId)];
    await slow.stop().catch(() => {});
    await proxy.stop();

    console.log(`others' median council time: baseline ${baseline.toFixed(0)} ms, while a client was frozen ${median(during).toFixed(0)} ms (${during.length} rounds of 20 runs)`);
    console.log(`server RSS: ${rssBefore.toFixed(1)} MB before, peak ${rssPeak.toFixed(1)} MB while frozen; the slow client had ${seenBySlow.length} events when it froze`);
    assert.match(server.output(), /fell behind on run/, 'the frozen client was disconnected past the limit');
    assert.ok(rssPeak - rssBefore < 300, `memory stays bounded (grew ${(rssPeak - rssBefore).toFixed(1)} MB)`);

    // It comes back and resumes from the last seq it saw: everything, once, in order.
    const back = await connect(server.hubUrl);
    try {
      const afterSeq = seenBySlow.at(-1).seq;
      await back.invoke('resume_run', { runId, afterSeq });
      await back.waitFor((e) => e.runId === runId && e.type === 'run_complete', 60000);
      const all = [...seenBySlow, ...back.events(runId)];
      assert.deepEqual(all.map((e) => e.seq), all.map((_, k) => k + 1));
      for (const c of all.filter((e) => e.type === 'model_complete')) {
        assert.equal(textOf(all, c.stage, c.model), c.text);
      }
      assert.equal(all.filter((e) => e.type === 'model_complete' && e.stage === 0).length, 8);
    } finally {
      await back.stop();
    }
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  }
});
