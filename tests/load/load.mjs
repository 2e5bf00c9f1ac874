#!/usr/bin/env node
// Council load driver: opens many hub connections (ramped), runs councils of simulated models on them, and measures
// per-token added latency, first-token time, cancel latency, throughput, errors and seq gaps on every client, while
// sampling the server's CPU, memory, threads and GC. Prints a summary table; writes a JSON report. See README.md.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../node/support/server.mjs';
import { Metrics } from './src/metrics.mjs';
import { parseOptions, USAGE } from './src/options.mjs';
import { nowNs } from './src/protocol.mjs';
import { serverSummary, table } from './src/report.mjs';
import { Sampler } from './src/sampler.mjs';
import { planRun, VirtualUser } from './src/user.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The load probe's build (tests/load/probe, built with the solution): token stamps and /api/load-probe. */
function probeDll() {
  const dll = process.env.COUNCIL_LOAD_PROBE_DLL ?? path.join(here, 'probe/bin/Release/net10.0/Council.LoadProbe.dll');
  if (!existsSync(dll)) throw new Error(`${dll} is missing: run 'dotnet build Council.sln -c Release' first (or pass --no-probe)`);
  return dll;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const withTimeout = (promise, ms) => Promise.race([promise, sleep(ms).then(() => 'timeout')]);

export async function main(argv) {
  let options;
  try {
    options = parseOptions(argv);
  } catch (e) {
    console.error(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const log = (line) => { if (!options.quiet) console.log(line); };
  const startedAt = new Date();

  // ---- the server ----
  let server = null;
  let url = options.url;
  let pid = options.pid;
  const serverEnv = {
    Council__TokenBatchWindowMs: String(options.batchWindowMs),
    // The probe is its own assembly (tests/load/probe), loaded into the server only here: production has none.
    ...(options.probe ? { DOTNET_STARTUP_HOOKS: probeDll() } : {}),
    // Finished runs are dropped from memory soon, so a long run measures steady state, not retention.
    Council__FinishedRunIdleSeconds: '10',
    ...options.serverEnv,
  };
  if (!url) {
    server = await startServer({ env: serverEnv });
    url = server.url;
    pid = server.process.pid;
    // Whatever happens to the driver, the server it started does not outlive it.
    const child = server.process;
    process.once('exit', () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
    log(`server: pid ${pid} at ${url}, SQLite ${server.dbPath}, ${Object.entries(serverEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  // After the server started, so it keeps the nice value it was started with (children inherit the parent's).
  const driverNice = setDriverNice(options.driverNice, log);
  const hubUrl = `${url.replace(/\/$/, '')}/hubs/council`;
  const metrics = new Metrics();
  const plan = planRun(options);
  const ctx = { options, hubUrl, metrics, plan };
  const sampler = new Sampler({ url, pid, periodMs: options.sampleMs, counters: () => metrics.counters() });
  const users = [];
  const report = {
    meta: {
      startedAt: startedAt.toISOString(),
      options: { ...options, maxRuns: Number.isFinite(options.maxRuns) ? options.maxRuns : null },
      node: process.version,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), loadAvgAtStart: os.loadavg() },
      server: { url, pid, startedByDriver: Boolean(server), env: server ? serverEnv : null },
      driverNice,
      method: 'added latency per token = client arrival (monotonic clock, at protocol parse) - the model\'s emission time stamped by the server (council-emitted header); see tests/load/README.md',
    },
  };

  const hardLimitS = options.connections / options.rampRate + options.settleS + options.durationS + options.drainS + 180;
  const hardTimer = setTimeout(() => {
    console.error(`load driver: still running after its hard limit of ${Math.round(hardLimitS)} s; stopping`);
    finish('hard-timeout').finally(() => process.exit(3));
  }, hardLimitS * 1000);

  let finished = null;
  async function finish(outcome) {
    if (finished) return finished;
    finished = (async () => {
      for (let i = 0; i < users.length; i += 200) await withTimeout(Promise.all(users.slice(i, i + 200).map((u) => u.stop())), 10_000);
      await sampler.stop().catch(() => {});
      if (server) {
        // A server that does not stop within 15 s of SIGTERM (still draining a backlog) is killed: never left behind.
        let exit = await withTimeout(server.stop(), 15_000);
        if (exit === 'timeout') exit = `killed after 15 s: ${await withTimeout(server.stop('SIGKILL'), 10_000)}`;
        report.meta.server.exitCode = exit;
        report.meta.server.warnings = server.output().split('\n').filter((l) => /warn|fail|error|crit/i.test(l)).slice(0, 20);
      }
      report.meta.outcome = outcome;
      report.meta.finishedAt = new Date().toISOString();
      report.meta.machine.loadAvgAtEnd = os.loadavg();
      buildResults(report, options, metrics, sampler, plan);
      const file = options.report ?? path.join(here, 'reports', `${startedAt.toISOString().replace(/[:.]/g, '-')}-${options.label}.json`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(report, null, 2));
      report.meta.file = file;
      return report;
    })();
    return finished;
  }

  try {
    await sampler.start();
    report.meta.server.probe = sampler.hasProbe;
    report.meta.server.stats = sampler.hasStats;
    if (sampler.hasProbe) report.meta.server.clockCheck = await clockCheck(url);

    // ---- protocol check and warm-up: one connection, one council ----
    const warm = new VirtualUser('warmup', { ...ctx, metrics: new Metrics() });
    try {
      await warm.connect();
    } catch (e) {
      if (options.protocol !== 'json' && /protocol|handshake/i.test(String(e?.message))) {
        const reason = `the server refused the ${options.protocol} hub protocol (${e.message})`;
        console.log(`SKIPPED: ${reason}`);
        report.meta.skipped = reason;
        await finish('skipped');
        return 0;
      }
      throw e;
    }
    if (options.active > 0 && Number.isFinite(plan.timeoutMs)) await warm.runOnce();
    await warm.stop();
    await sleep(1000);
    await sampler.sample();
    sampler.mark('baseline');

    // ---- ramp ----
    log(`ramping ${options.connections} connections at ${options.rampRate}/s (${options.protocol})`);
    const rampStart = performance.now();
    const opening = new Set();
    for (let i = 0; i < options.connections; i++) {
      const due = rampStart + (i * 1000) / options.rampRate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      while (opening.size >= 64) await Promise.race(opening);
      const user = new VirtualUser(i, ctx);
      const p = user.connect().then(
        () => { metrics.connectionsOpened++; users.push(user); },
        (e) => { metrics.connectionsFailed++; metrics.error(`connect ${i}`, e); },
      ).finally(() => opening.delete(p));
      opening.add(p);
    }
    await Promise.all(opening);
    report.meta.rampS = Math.round((performance.now() - rampStart) / 100) / 10;
    log(`ramped: ${metrics.connectionsOpened} open, ${metrics.connectionsFailed} failed in ${report.meta.rampS} s; settling ${options.settleS} s`);
    await sleep(options.settleS * 1000);
    await sampler.sample();
    sampler.mark('ramped');

    // ---- load ----
    sampler.mark('runStart');
    const runStart = performance.now();
    const deadline = runStart + options.durationS * 1000;
    const active = users.slice(0, options.active);
    // First runs start spread over one whole cycle (a run and a pause), so the run rate is steady from the start.
    const spread = Math.max(2000, (plan.expectedMs ?? 10_000) + options.thinkMs);
    log(`running councils on ${active.length} connections for ${options.durationS} s (${users.length - active.length} idle)`);
    const loops = active.map((u) => u.loop(deadline, Math.random() * Math.min(spread, options.durationS * 1000)));
    const progress = setInterval(() => {
      const s = sampler.samples.at(-1) ?? {};
      log(`  t=${Math.round((performance.now() - runStart) / 1000)}s conns=${metrics.connectionsOpened - metrics.disconnects} runs=${metrics.runsStarted}/${metrics.runsCompleted} tokenEv/s=${s.tokenEventsPerS ?? '-'} server cpu=${s.serverCpuPct ?? '-'}% rss=${s.serverRssMb ?? '-'}MB threads=${s.serverThreads ?? '-'} driver cpu=${s.driverCpuPct}% errors=${metrics.errorCount} gaps=${metrics.seqGaps}`);
    }, 5000);
    await sleep(Math.max(0, deadline - performance.now()));
    await sampler.sample();
    sampler.mark('runEnd');
    const drained = await withTimeout(Promise.all(loops), options.drainS * 1000);
    clearInterval(progress);
    if (drained === 'timeout') metrics.error('drain', `runs still going ${options.drainS} s after the end`);
    await finish(drained === 'timeout' ? 'drain-timeout' : 'ok');
  } catch (e) {
    metrics.error('driver', e);
    console.error(`load driver failed: ${e.stack ?? e}`);
    await finish('failed');
  } finally {
    clearTimeout(hardTimer);
  }

  printSummary(report);
  const r = report.results;
  const bad = r.errors.count + r.connections.disconnects + r.connections.failed + r.seq.gaps + r.seq.duplicates + r.runs.timeouts;
  return report.meta.outcome === 'failed' || (options.strict && bad > 0) ? 1 : 0;
}

/** Checks the server stamps with the driver's monotonic clock: its reading must fall between two of ours. */
async function clockCheck(url) {
  const checks = [];
  for (let i = 0; i < 3; i++) {
    const before = nowNs();
    const probe = await (await fetch(`${url}/api/load-probe`)).json();
    const after = nowNs();
    checks.push(before <= probe.monotonicNs && probe.monotonicNs <= after);
  }
  return { sameClock: checks.every(Boolean) };
}

function buildResults(report, options, m, sampler, plan) {
  const perConnKb = (() => {
    const b = sampler.samples[sampler.marks.baseline];
    const r = sampler.samples[sampler.marks.ramped];
    if (!b || !r || !m.connectionsOpened) return null;
    const rss = b.serverRssMb !== undefined ? Math.round(((r.serverRssMb - b.serverRssMb) * 1024) / m.connectionsOpened * 10) / 10 : null;
    const heap = b.probe && r.probe ? Math.round((r.probe.heapBytes - b.probe.heapBytes) / 1024 / m.connectionsOpened * 10) / 10 : null;
    return { connections: m.connectionsOpened, rssKbPerConnection: rss, gcHeapKbPerConnection: heap, rssMbBaseline: b.serverRssMb, rssMbRamped: r.serverRssMb };
  })();
  report.results = {
    connections: { requested: options.connections, opened: m.connectionsOpened, failed: m.connectionsFailed, disconnects: m.disconnects, connectMs: m.connectMs.summary(), idleMemory: perConnKb },
    runs: { started: m.runsStarted, completed: m.runsCompleted, timeouts: m.runTimeouts, byStatus: m.runStatus, modelsByStatus: m.modelStatus, fastestTtftMs: plan.fastestTtftMs },
    cancels: { sent: m.cancelsSent, notAccepted: m.cancelsNotAccepted },
    seq: { gaps: m.seqGaps, duplicates: m.seqDuplicates, runsWithProblems: m.runsWithSeqProblems, strayEvents: m.strayEvents },
    tokens: { events: m.tokenEventsTotal, tokens: m.tokensTotal, chars: m.charsTotal, unstampedEvents: m.unstampedTokenEvents, negativeLatencies: m.negativeLatencies },
    latencyMs: {
      addedPerToken: m.addedLatencyMs.summary(),
      inServerPerEvent: m.inServerMs.summary(),
      wireAndClientPerEvent: m.wireMs.summary(),
      firstTokenOverFastestTtft: m.firstTokenOverTtftMs.summary(),
      startRunRoundTrip: m.startRunMs.summary(),
      cancelToModelComplete: m.cancelToCompleteMs.summary(),
    },
    errors: { count: m.errorCount, first: m.errors },
    server: serverSummary(sampler.samples, sampler.marks),
  };
  report.samples = sampler.samples;
}

function printSummary(report) {
  const r = report.results;
  if (!r) return;
  const l = r.latencyMs;
  const s = r.server;
  console.log(`\n== Council load: ${report.meta.options.label} — ${r.connections.opened} connections (${report.meta.options.active} active), ${report.meta.options.protocol}, batch window ${report.meta.options.batchWindowMs} ms ==`);
  console.log(table([
    ['added latency per token (ms)', l.addedPerToken],
    ['  of which in server, per event', l.inServerPerEvent],
    ['  of which wire + client, per event', l.wireAndClientPerEvent],
    ['first token - fastest ttft (ms)', l.firstTokenOverFastestTtft],
    ['start_run round trip (ms)', l.startRunRoundTrip],
    ['cancel_model -> model_complete (ms)', l.cancelToModelComplete],
    ['connect (ms)', r.connections.connectMs],
  ]));
  console.log(`runs: ${r.runs.started} started, ${r.runs.completed} completed ${JSON.stringify(r.runs.byStatus)}, ${r.runs.timeouts} timed out; models ${JSON.stringify(r.runs.modelsByStatus)}; cancels ${r.cancels.sent} (${r.cancels.notAccepted} too late)`);
  console.log(`seq: ${r.seq.gaps} gaps, ${r.seq.duplicates} duplicates, ${r.seq.strayEvents} stray events; errors ${r.errors.count}, disconnects ${r.connections.disconnects}, failed connects ${r.connections.failed}`);
  console.log(`delivered over ${s.windowS} s: ${s.delivered?.tokenEventsPerS} token events/s (peak ${s.delivered?.peakTokenEventsPerS}), ${s.delivered?.tokensPerS} tokens/s, ${s.delivered?.charsPerS} chars/s, ${s.delivered?.runsCompletedPerS} runs/s; ${r.tokens.unstampedEvents} unstamped token events`);
  console.log(`server: cpu mean ${s.serverCpuPct?.mean}% max ${s.serverCpuPct?.max}% (${s.serverCpuUsPerTokenEvent} us per token event) | rss MB start ${s.serverRssMb?.start} baseline ${s.serverRssMb?.baseline} ramped ${s.serverRssMb?.ramped} end ${s.serverRssMb?.end} max ${s.serverRssMb?.max} | threads start ${s.serverThreads?.start} end ${s.serverThreads?.end} max ${s.serverThreads?.max}`);
  if (s.gc) console.log(`server gc: gen0 ${s.gc.gen0} gen1 ${s.gc.gen1} gen2 ${s.gc.gen2}, pause ${s.gc.pauseMs} ms, allocated ${s.gc.allocatedMb} MB (${s.gc.allocatedBytesPerTokenEvent} B per token event), lock contentions ${s.gc.lockContentions}; thread pool max ${s.threadPool.threadsMax} threads, queue max ${s.threadPool.queueMax}`);
  if (s.gc?.topAllocations?.length) console.log(`server allocations (sampled, by type): ${s.gc.topAllocations.map((a) => `${a.type} ${a.percent}%`).join(', ')}`);
  if (r.connections.idleMemory) console.log(`idle memory: ${r.connections.idleMemory.rssKbPerConnection} KB RSS and ${r.connections.idleMemory.gcHeapKbPerConnection} KB GC heap per connection (${r.connections.idleMemory.rssMbBaseline} -> ${r.connections.idleMemory.rssMbRamped} MB)`);
  console.log(`driver: nice ${report.meta.driverNice}, cpu mean ${s.driverCpuPct?.mean}% max ${s.driverCpuPct?.max}%, event-loop delay p99 max ${s.driverLoopDelayP99Ms?.max} ms | machine busy mean ${s.machineBusyPct?.mean}% (other processes ~${s.otherProcessesCpuPct}% of a core), load ${s.loadAvg1?.start} -> ${s.loadAvg1?.end}`);
  if (r.errors.first.length) console.log(`first errors:\n  ${r.errors.first.slice(0, 5).join('\n  ')}`);
  console.log(`report: ${report.meta.file}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
  // Sockets, timers and the server are closed; nothing should keep the process, but make sure it ends.
  setTimeout(() => process.exit(process.exitCode), 2000).unref();
}

/** Sets the driver's own nice value; returns the value in effect (unchanged when the system refuses). */
function setDriverNice(nice, log) {
  if (nice === 0) return os.getPriority();
  try {
    os.setPriority(nice);
  } catch (e) {
    log(`driver: could not set nice ${nice} (${e.code ?? e.message}); it stays at ${os.getPriority()}`);
  }
  return os.getPriority();
}
