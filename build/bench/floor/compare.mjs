#!/usr/bin/env node
// Council against the floor (a bare SignalR server, Council.Floor) under the project's load driver, in alternating
// pairs with the same parameters, and one table: each figure for both servers, the ratio Council / floor per pair and
// its spread. On a shared machine the absolute figures wander; a ratio taken in one sitting holds. See README.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const driver = path.join(root, 'tests/load/load.mjs');
const floorDll = path.join(here, 'Council.Floor/bin/Release/net10.0/Council.Floor.dll');
const councilDll = path.join(root, 'server/Council.Server/bin/Release/net10.0/Council.Server.dll');
// Quick runs: fast models, so a council takes a fraction of a second and the check takes seconds, not minutes.
const QUICK_MODELS = 'sim/q-a?ttft=30&tps=100&tokens=25,sim/q-b?ttft=50&tps=80&tokens=25,sim/q-c?ttft=40&tps=120&tokens=20,sim/q-d?ttft=60&tps=60&tokens=20';
const QUICK_CHAIRMAN = 'sim/q-chair?ttft=20&tps=150&tokens=20';

const USAGE = `Council / floor, side by side: node build/bench/floor/compare.mjs [options]

  --pairs N            alternating pairs of runs (default 3); pair 1 runs Council first, pair 2 the floor, ...
  --duration S         seconds of load per run (default 60)
  --connections LIST   connection counts, one run of each per server and pair (default 300,1000)
  --think-ms MS        pause between a connection's runs (default 1000, the driver's)
  --burst N            connections that start a run at the same moment, for first token - fastest ttft (default 200; 0: none)
  --quick              1 pair, 20 connections for 3 s, a burst of 20, fast models: checks the tooling, the figures mean nothing
  --out DIR            where reports go (default tests/load/reports/compare-<time>)
  --council-dll PATH   another build of Council.Server.dll (e.g. a copy of the build before a change)
  Needs the Release build (dotnet build Council.sln -c Release) and ulimit -n of at least 3 per connection.
  Full default run: about 6 minutes per pair.`;


/** The figures of one driver report: [key, label, unit, value extractor]. */
const LOAD_FIGURES = [
  ['p50', 'added latency per token p50', 'ms', (r) => r.latencyMs.addedPerToken.p50],
  ['p99', 'added latency per token p99', 'ms', (r) => r.latencyMs.addedPerToken.p99],
  ['inServerP99', '  of which in server, p99', 'ms', (r) => r.latencyMs.inServerPerEvent.p99],
  ['cpuUs', 'server CPU per token event', 'us', (r) => r.server.serverCpuUsPerTokenEvent],
  ['allocB', 'bytes allocated per token event', 'B', (r) => r.server.gc?.allocatedBytesPerTokenEvent],
  ['gcPause', 'GC pause per 60 s', 'ms', (r) => (r.server.gc && r.server.windowS > 0 ? Math.round((r.server.gc.pauseMs / r.server.windowS) * 60) : null)],
  ['rssEnd', 'RSS at the end', 'MB', (r) => r.server.serverRssMb?.end],
  ['eventsPerS', 'token events/s delivered', '/s', (r) => r.server.delivered?.tokenEventsPerS],
];

/** The issue's targets, on the median of the per-pair ratios (or an absolute bound). */
function target(key, connections, quick) {
  const ratio = (max) => ({ text: `<= ${max}x`, met: (r) => r <= max });
  switch (key) {
    case 'cpuUs': return ratio(1.3);
    case 'allocB': return ratio(1.5);
    case 'gcPause': return ratio(2);
    case 'p99': return ratio(1.5);
    case 'rssEnd': return connections >= 1000 || quick ? ratio(2) : null;
    case 'p50': return connections >= 1000 || quick ? { text: 'Council <= 2 ms', absolute: true, met: (_, council) => council <= 2 } : null;
    default: return null;
  }
}

function run(script, args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (code) => resolve({ code, output }));
  });
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const num = (x, digits) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-');
const digitsFor = (x) => (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
const fmt = (x) => (typeof x === 'number' ? num(x, digitsFor(x)) : '-');
const ratioOf = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null);

export async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      pairs: { type: 'string', default: '3' },
      duration: { type: 'string', default: '60' },
      connections: { type: 'string', default: '300,1000' },
      'think-ms': { type: 'string', default: '1000' },
      burst: { type: 'string', default: '200' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'council-dll': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const SERVERS = [
    { name: 'council', dll: path.resolve(values['council-dll'] ?? councilDll) },
    { name: 'floor', dll: floorDll },
  ];
  for (const s of SERVERS) {
    if (!existsSync(s.dll)) {
      console.error(`${s.dll} is missing: run 'dotnet build Council.sln -c Release' first`);
      return 2;
    }
  }
  const quick = values.quick;
  const pairs = quick ? 1 : Number(values.pairs);
  const connections = quick ? [20] : values.connections.split(',').map(Number);
  const burst = quick ? 20 : Number(values.burst);
  const duration = quick ? '3' : values.duration;
  if (!(pairs >= 1) || connections.some((c) => !(c >= 1)) || !(burst >= 0)) {
    console.error(`bad --pairs, --connections or --burst\n\n${USAGE}`);
    return 2;
  }
  const modelArgs = quick ? ['--models', QUICK_MODELS, '--chairman', QUICK_CHAIRMAN] : [];
  const driverArgs = (c) => ['--connections', String(c), '--duration', duration, '--think-ms', quick ? '100' : values['think-ms'],
    ...(quick ? ['--settle', '0', '--drain', '30', '--sample-ms', '500'] : []), ...modelArgs, '--quiet'];
  const out = values.out ?? path.join(root, 'tests/load/reports', `compare-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(out, { recursive: true });

  const started = Date.now();
  const loadAvgStart = os.loadavg();
  // results[scenario][server] = [{ figures } per pair]
  const results = {};
  const machine = [];
  let failures = 0;
  console.log(`Council: ${SERVERS[0].dll}`);
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? SERVERS : [...SERVERS].reverse();
    const scenarios = [...connections.map((c) => ({ name: `${c}`, connections: c })), ...(burst > 0 ? [{ name: `burst${burst}`, burst }] : [])];
    for (const scenario of scenarios) {
      for (const server of order) {
        const file = path.join(out, `${scenario.name}-${server.name}-pair${pair + 1}.json`);
        const env = { COUNCIL_SERVER_DLL: server.dll };
        console.log(`pair ${pair + 1}/${pairs}: ${server.name}, ${scenario.burst ? `burst of ${scenario.burst}` : `${scenario.connections} connections, ${duration} s`} ...`);
        const { code, output } = scenario.burst
          ? await run(path.join(here, 'burst.mjs'), ['--connections', String(scenario.burst), '--report', file, ...modelArgs], env)
          : await run(driver, [...driverArgs(scenario.connections), '--report', file, '--label', `${scenario.name}-${server.name}`], env);
        let report = null;
        try {
          report = JSON.parse(readFileSync(file, 'utf8'));
        } catch {
          // No report: counted below.
        }
        if (code !== 0 || !report) {
          failures++;
          console.log(`  failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`);
          continue;
        }
        const entry = scenario.burst ? burstEntry(report) : loadEntry(report);
        ((results[scenario.name] ??= {})[server.name] ??= []).push(entry);
        if (!scenario.burst) machine.push({ busy: report.results.server.machineBusyPct?.mean, others: report.results.server.otherProcessesCpuPct });
        console.log(`  ${entry.summary}`);
      }
    }
  }

  const rows = [];
  for (const c of connections) rows.push(...tableRows(results[String(c)], LOAD_FIGURES, c, quick));
  if (burst > 0) {
    rows.push(...tableRows(results[`burst${burst}`], [
      ['firstP50', `first token - fastest ttft p50, ${burst} at once`, 'ms', (e) => e.firstP50],
      ['firstP99', `first token - fastest ttft p99, ${burst} at once`, 'ms', (e) => e.firstP99],
    ], burst, quick, true));
  }
  const minutes = Math.round((Date.now() - started) / 6000) / 10;
  const busy = median(machine.map((m) => m.busy));
  const others = median(machine.map((m) => m.others));
  console.log(`\n== Council / floor: ${pairs} alternating pair(s), ${duration} s per run${quick ? ' (quick: figures mean nothing)' : ''} ==`);
  console.log(formatTable(rows));
  console.log(`machine: busy ${fmt(busy)} % (median of runs), other processes ~${fmt(others)} % of a core; load average ${loadAvgStart.map((l) => l.toFixed(1)).join(' ')} at start, ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at end; ${os.cpus().length} cores; ${minutes} min`);
  const summary = path.join(out, 'summary.json');
  writeFileSync(summary, JSON.stringify({ quick, pairs, duration: Number(duration), connections, burst, machine: { busyPct: busy, otherProcessesCpuPct: others, loadAvgStart, loadAvgEnd: os.loadavg() }, rows, failures }, null, 2));
  console.log(`reports: ${out}`);
  return failures > 0 ? 1 : 0;
}

function loadEntry(report) {
  const r = report.results;
  const figures = Object.fromEntries(LOAD_FIGURES.map(([key, , , get]) => [key, get(r) ?? null]));
  const problems = r.errors.count + r.seq.gaps + r.seq.duplicates + r.connections.disconnects + r.runs.timeouts;
  return {
    figures,
    problems,
    summary: `p50 ${fmt(figures.p50)} ms, p99 ${fmt(figures.p99)} ms, ${fmt(figures.cpuUs)} us CPU and ${fmt(figures.allocB)} B per token event, ${fmt(figures.eventsPerS)} events/s, RSS ${fmt(figures.rssEnd)} MB; errors ${r.errors.count}, seq gaps ${r.seq.gaps}; machine ${fmt(r.server.machineBusyPct?.mean)} % busy`,
  };
}

function burstEntry(report) {
  const f = report.firstTokenOverFastestTtftMs;
  const problems = report.errors.count + report.seq.gaps + report.seq.duplicates;
  return {
    figures: { firstP50: f.p50, firstP99: f.p99 },
    problems,
    summary: `first token - fastest ttft p50 ${fmt(f.p50)} ms, p99 ${fmt(f.p99)} ms; runs ${report.runs.completed}/${report.runs.started}, errors ${report.errors.count}`,
  };
}

/** One row per figure: values per pair for each server, the ratio per pair, its median and spread, the target. */
function tableRows(byServer, figures, connections, quick, burst = false) {
  if (!byServer) return [];
  const council = byServer.council ?? [];
  const floor = byServer.floor ?? [];
  return figures.map(([key, label, unit]) => {
    const c = council.map((e) => e.figures[key]);
    const f = floor.map((e) => e.figures[key]);
    const ratios = c.map((x, i) => ratioOf(x, f[i])).filter((x) => x !== null);
    const ratio = median(ratios);
    const t = burst ? null : target(key, connections, quick);
    const met = t ? (t.absolute ? t.met(null, median(c)) : ratio === null ? false : t.met(ratio)) : null;
    return {
      key,
      connections: burst ? null : connections,
      figure: burst ? label : `${label} @${connections}`,
      unit,
      council: c,
      floor: f,
      ratios,
      ratio,
      spread: ratios.length ? [Math.min(...ratios), Math.max(...ratios)] : null,
      target: t?.text ?? null,
      met,
      problems: { council: council.reduce((s, e) => s + e.problems, 0), floor: floor.reduce((s, e) => s + e.problems, 0) },
    };
  });
}

function formatTable(rows) {
  const header = ['figure', 'unit', 'Council per pair', 'floor per pair', 'ratio', 'spread', 'target'];
  const lines = [header, ...rows.map((r) => [
    r.figure,
    r.unit,
    r.council.map(fmt).join(' '),
    r.floor.map(fmt).join(' '),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    r.spread ? `${r.spread[0].toFixed(2)}-${r.spread[1].toFixed(2)}` : '-',
    r.target ? `${r.target} ${r.met ? 'MET' : 'NOT MET'}` : '',
  ])];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
