// Prints the figures of the hub core: cancel_model → model_complete latency over 100 cancels, and what the
// token batching window does to message count and latency. Server and client on 127.0.0.1.
// Usage: node build/bench/hub-figures.mjs   (after: dotnet build Council.sln -c Release)
import { startServer } from '../../tests/node/support/server.mjs';
import { connect } from '../../tests/node/support/council.mjs';

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };
const fmt = (x) => x.toFixed(2).padStart(8);

async function cancelLatency() {
  const server = await startServer();
  const clients = await Promise.all(Array.from({ length: 10 }, () => connect(server.hubUrl)));
  const latencies = [];
  const slow = 'sim/slow?ttft=20&tps=40&tokens=2000';
  try {
    for (let round = 0; round < 10; round++) {
      await Promise.all(clients.map(async (c, i) => {
        const { runId } = await c.invoke('start_run', { prompt: `cancel ${round}-${i}`, models: ['sim/f?ttft=10&tps=400&tokens=20', slow], chairman: 'sim/c?ttft=10&tps=400&tokens=10' });
        await c.waitFor((e) => e.runId === runId && e.type === 'token' && e.model === slow);
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
        const sent = performance.now();
        const { accepted } = await c.invoke('cancel_model', { runId, model: slow, stage: 0 });
        if (!accepted) throw new Error('cancel not accepted');
        const done = await c.waitFor((e) => e.runId === runId && e.type === 'model_complete' && e.model === slow);
        latencies.push(done.receivedAt - sent);
        await c.waitFor((e) => e.runId === runId && e.type === 'run_complete');
      }));
    }
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  }
  console.log(`cancel_model → model_complete over ${latencies.length} cancels (10 concurrent runs): median ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(2)} ms`);
}

/** Runs identical councils with a given window; returns token events and, per (run, model), char offset → arrival ms after model_start. */
async function batchingRun(windowMs, tps) {
  const server = await startServer({ env: { Council__TokenBatchWindowMs: String(windowMs) } });
  const clients = await Promise.all(Array.from({ length: 5 }, () => connect(server.hubUrl)));
  const models = [`sim/a?ttft=20&tps=${tps}&tokens=300`, `sim/b?ttft=30&tps=${tps}&tokens=300`, `sim/c?ttft=40&tps=${tps}&tokens=300`];
  let tokenEvents = 0;
  const arrivals = new Map();
  try {
    const results = await Promise.all(clients.map((c, i) => c.run({ prompt: `batching ${i}`, models, chairman: 'sim/ch?ttft=10&tps=400&tokens=10' }, 60000)));
    results.forEach(({ events }, i) => {
      for (const model of models) {
        const start = events.find((e) => e.type === 'model_start' && e.stage === 0 && e.model === model).receivedAt;
        let offset = 0;
        const byOffset = [];
        for (const t of events.filter((e) => e.type === 'token' && e.stage === 0 && e.model === model)) {
          tokenEvents++;
          offset += t.delta.length;
          byOffset.push([offset, t.receivedAt - start]);
        }
        arrivals.set(`${i}|${model}`, byOffset);
      }
    });
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  }
  return { tokenEvents, arrivals };
}

async function batching() {
  console.log('\nToken batching: 5 concurrent councils × 3 answer models × 300 tokens (stage 0 only)');
  console.log('  tps | window ms | token events | events/model | added latency per char vs window 0: p50 / p99 / max (ms)');
  for (const tps of [50, 200, 1000]) {
    const base = await batchingRun(0, tps);
    for (const windowMs of [0, 16, 50]) {
      const run = windowMs === 0 ? base : await batchingRun(windowMs, tps);
      const added = [];
      for (const [key, byOffset] of run.arrivals) {
        const ref = base.arrivals.get(key);
        // For each char boundary of the unbatched run, when did the batched run deliver that char?
        let j = 0;
        for (const [offset, at] of ref) {
          while (j < byOffset.length && byOffset[j][0] < offset) j++;
          if (j < byOffset.length) added.push(byOffset[j][1] - at);
        }
      }
      console.log(`${String(tps).padStart(5)} | ${String(windowMs).padStart(9)} | ${String(run.tokenEvents).padStart(12)} | ${String((run.tokenEvents / 15).toFixed(1)).padStart(12)} | ${fmt(pct(added, 50))} / ${fmt(pct(added, 99))} / ${fmt(Math.max(...added))}`);
    }
  }
  console.log('(latency relative to the window-0 run of the same deterministic text; both measured from model_start arrival)');
}

await cancelLatency();
await batching();
