// Prints how long after start_run the first token of a council arrives when many connections start a run at the
// same moment, minus the fastest model's configured time to first token: the server's own first-token overhead.
// Usage: node build/bench/first-token-burst.mjs [connections=200] [rounds=3]   (after: dotnet build Council.sln -c Release)
// COUNCIL_SERVER_DLL picks another build of the server (to compare two builds in one sitting).
import { startServer } from '../../tests/node/support/server.mjs';
import { connect } from '../../tests/node/support/council.mjs';

const connections = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const fastestTtftMs = 50;
const models = [`sim/a?ttft=${fastestTtftMs}&tps=50&tokens=20`, 'sim/b?ttft=80&tps=50&tokens=20', 'sim/c?ttft=120&tps=50&tokens=20', 'sim/d?ttft=160&tps=50&tokens=20'];
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };

const server = await startServer({ env: { Council__TokenBatchWindowMs: '0' } });
const clients = await Promise.all(Array.from({ length: connections }, () => connect(server.hubUrl)));
const overheads = [];
const roundTrips = [];
try {
  for (let round = 0; round < rounds; round++) {
    await Promise.all(clients.map(async (client, i) => {
      const sent = performance.now();
      const { runId } = await client.invoke('start_run', { prompt: `burst ${round}-${i}`, models, chairman: models[0] });
      roundTrips.push(performance.now() - sent);
      const first = await client.waitFor((e) => e.runId === runId && e.type === 'token', 60000);
      overheads.push(first.receivedAt - sent - fastestTtftMs);
      await client.waitFor((e) => e.runId === runId && e.type === 'run_complete', 120000);
    }));
  }
} finally {
  await Promise.all(clients.map((c) => c.stop()));
  await server.stop();
}
console.log(`${connections} connections starting a council at once, ${rounds} rounds (${overheads.length} runs):`);
console.log(`  first token - fastest ttft: p50 ${pct(overheads, 50).toFixed(1)} ms, p99 ${pct(overheads, 99).toFixed(1)} ms, max ${Math.max(...overheads).toFixed(1)} ms`);
console.log(`  start_run round trip:       p50 ${pct(roundTrips, 50).toFixed(1)} ms, p99 ${pct(roundTrips, 99).toFixed(1)} ms`);
