// Prints the figures of "nothing lost": how fast a finished run replays from storage and from memory, the time
// from resume_run to the last event, and what a frozen (slow) subscriber costs the server at its bound.
// Usage: node build/bench/resume-figures.mjs   (after: dotnet build Council.sln -c Release)
import { readFileSync } from 'node:fs';
import { startServer } from '../../tests/node/support/server.mjs';
import { startProxy } from '../../tests/node/support/proxy.mjs';
import { connect } from '../../tests/node/support/council.mjs';

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const big = Array.from({ length: 4 }, (_, i) => `sim/big${i}?ttft=5&tps=20000&tokens=5000`);

async function replay(server, runId, label) {
  const viewer = await connect(server.hubUrl);
  const t0 = performance.now();
  const { lastSeq } = await viewer.invoke('resume_run', { runId, afterSeq: 0 });
  const tResult = performance.now();
  await viewer.waitFor((e) => e.runId === runId && e.type === 'run_complete', 120000);
  const ms = performance.now() - t0;
  const count = viewer.events(runId).length;
  await viewer.stop();
  console.log(`${label}: ${count} events (lastSeq ${lastSeq}) in ${ms.toFixed(0)} ms → ${(count / ms * 1000).toFixed(0)} events/s; resume_run answered in ${(tResult - t0).toFixed(1)} ms`);
}

// 1. Replay speed: one big finished run (every delta its own event), from memory, then from storage.
{
  const server = await startServer({ env: { Council__TokenBatchWindowMs: '0', Council__FinishedRunIdleSeconds: '2' } });
  const client = await connect(server.hubUrl);
  const { started } = await client.run({ prompt: 'replay me', models: big, chairman: 'sim/c?ttft=5&tps=20000&tokens=100' }, 120000);
  await client.stop();
  await replay(server, started.runId, 'replay from memory ');
  await new Promise((r) => setTimeout(r, 2500)); // the grain is released: the next replay reads SQLite
  await replay(server, started.runId, 'replay from storage');
  await server.stop();
}

// 2. Slow subscribers at their bound: 50 frozen viewers of one big run (~40,000 events), against the same run with none.
{
  const measure = async (frozen) => {
    const server = await startServer({ env: { Council__TokenBatchWindowMs: '0', Council__SlowClientTimeoutSeconds: '600' } });
    const proxy = await startProxy(server.url);
    const owner = await connect(server.hubUrl);
    const { runId } = await owner.invoke('start_run', { prompt: 'flood', models: big.map((m) => m.replace('tps=20000', 'tps=500')), chairman: 'sim/c?ttft=5&tps=500&tokens=10' });
    const viewers = await Promise.all(Array.from({ length: frozen }, () => connect(proxy.hubUrl)));
    await Promise.all(viewers.map((v) => v.invoke('resume_run', { runId, afterSeq: 0 })));
    await new Promise((r) => setTimeout(r, 500));
    proxy.freezeAll();
    await owner.waitFor((e) => e.runId === runId && e.type === 'run_complete', 120000);
    await new Promise((r) => setTimeout(r, 1000));
    const rss = rssMb(server.process.pid);
    await Promise.all(viewers.map((v) => v.stop().catch(() => {})));
    await owner.stop();
    await proxy.stop();
    await server.stop();
    return rss;
  };
  const none = await measure(0);
  const fifty = await measure(50);
  console.log(`server RSS after a ~40,000-event run: ${none.toFixed(1)} MB with no frozen viewer, ${fifty.toFixed(1)} MB with 50 frozen viewers → ${((fifty - none) / 50 * 1024).toFixed(0)} KB per frozen subscriber at its bound (socket and pipe buffers; no copy of events)`);
}
