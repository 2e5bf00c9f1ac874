// Prints the memory of the server when runs produce events faster than storage writes them, with the write queue
// bounded (the default, Council:Storage:MaxQueuedWrites=20000: model streams wait for storage) and, to compare, as
// good as unbounded. Storage is slowed down by another process holding the database's write lock 90% of the time
// (sqlite3 BEGIN EXCLUSIVE for 450 ms of every 500), while clients run councils of fast simulated models back to back.
// Usage: node build/bench/backpressure-figures.mjs [seconds=20] [clients=40]   (after: dotnet build Council.sln -c Release; needs sqlite3)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../tests/node/support/server.mjs';
import { connect } from '../../tests/node/support/council.mjs';

const seconds = Number(process.argv[2] ?? 20);
const clients = Number(process.argv[3] ?? 40);
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const models = Array.from({ length: 4 }, (_, i) => `sim/bp${i}?ttft=5&tps=2000&tokens=400`);
const chairman = 'sim/bpc?ttft=5&tps=2000&tokens=200';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Holds the database's write lock 450 ms of every 500 ms until stopped. */
function slowDown(dbPath) {
  const blocker = spawn('sqlite3', [dbPath], { stdio: ['pipe', 'ignore', 'inherit'] });
  blocker.stdin.write('.timeout 10000\n');
  let stopped = false;
  (async () => {
    while (!stopped) {
      blocker.stdin.write('BEGIN EXCLUSIVE;\n.shell sleep 0.45\nCOMMIT;\n');
      await sleep(500);
    }
    blocker.stdin.end();
  })();
  return () => { stopped = true; return new Promise((r) => blocker.once('exit', r)); };
}

async function measure(label, maxQueued) {
  const dbPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-bp-')), 'council.db');
  const server = await startServer({
    dbPath,
    env: {
      Council__TokenBatchWindowMs: '0', Council__Storage__MaxQueuedWrites: String(maxQueued),
      Council__Storage__CommitRetries: '1000', Council__Storage__MaxRetryDelayMs: '100',
      Council__IdleTimeoutSeconds: '600', Council__FirstTokenTimeoutSeconds: '600', Council__FinishedRunIdleSeconds: '1',
    },
  });
  const pid = server.process.pid;
  while (!existsSync(dbPath)) await sleep(50);
  const baseline = rssMb(pid);
  const stop = slowDown(dbPath);
  const conns = await Promise.all(Array.from({ length: clients }, () => connect(server.hubUrl)));
  let tokens = 0;
  let runs = 0;
  let running = true;
  for (const c of conns) c.connection.on('token', () => { tokens++; });
  const loops = conns.map(async (c, i) => {
    while (running) {
      try {
        await c.run({ prompt: `backpressure ${i} ${runs}`, models, chairman }, 600_000);
        runs++;
      } catch {
        await sleep(100);
      }
    }
  });
  const samples = [];
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await sleep(1000);
    samples.push({ s: Math.round((performance.now() - t0) / 1000), rss: rssMb(pid), tokens });
  }
  running = false;
  const tokensDuring = tokens;
  await stop(); // storage at full speed again: what was queued drains, the runs finish
  const drainStart = performance.now();
  await Promise.race([Promise.all(loops), sleep(120_000)]);
  const drainS = (performance.now() - drainStart) / 1000;
  const after = rssMb(pid);
  await Promise.all(conns.map((c) => c.stop().catch(() => {})));
  await server.stop();
  const max = Math.max(...samples.map((x) => x.rss));
  console.log(`${label.padEnd(34)} RSS ${baseline.toFixed(0)} MB at start, ${max.toFixed(0)} MB max (+${(max - baseline).toFixed(0)}), `
    + `${samples.at(-1).rss.toFixed(0)} MB after ${seconds} s; ${(tokensDuring / seconds).toFixed(0)} token events/s delivered; `
    + `${runs} runs done; drained in ${drainS.toFixed(1)} s (RSS then ${after.toFixed(0)} MB)`);
  console.log(`  RSS by second: ${samples.map((x) => x.rss.toFixed(0)).join(' ')}`);
}

console.log(`${clients} clients, councils of 4 models × 400 tokens + a chairman, every delta its own event; storage write-locked 90% of the time; ${seconds} s`);
await measure('bounded (MaxQueuedWrites 20000)', 20000);
await measure('unbounded (MaxQueuedWrites 10^7)', 10_000_000);
