#!/usr/bin/env node
// Runs every scenario the load targets name, one after another (each with its own fresh server), and prints one
// table: what was measured against each target, and whether it was met. `--quick` runs short, small versions
// (a check that the whole thing works, not a measurement). Writes every report and a summary JSON.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The scenarios; `quick` replaces arguments for a short run. */
const SCENARIOS = [
  {
    name: 'council1000',
    what: '1,000 connections, councils of 4 models back to back',
    args: ['--connections', '1000', '--duration', '60', '--cancel-fraction', '0.1'],
    quick: ['--connections', '50', '--duration', '5', '--cancel-fraction', '0.1'],
  },
  {
    name: 'readers1000',
    what: '1,000 connections, 10 s between a connection\'s runs',
    args: ['--connections', '1000', '--duration', '60', '--cancel-fraction', '0.1', '--think-ms', '10000'],
    quick: ['--connections', '50', '--duration', '5', '--think-ms', '2000'],
  },
  {
    name: 'idle5000',
    what: '5,000 connections, 50 running councils',
    args: ['--profile', 'idle', '--connections', '5000', '--active', '50', '--ramp-rate', '500', '--duration', '60'],
    quick: ['--profile', 'idle', '--connections', '200', '--active', '5', '--duration', '3', '--settle', '1', '--drain', '10'],
  },
  {
    name: 'saturate-w0',
    what: 'throughput ceiling, batching window 0',
    args: ['--profile', 'saturate', '--connections', '200', '--duration', '30', '--batch-window', '0'],
    quick: ['--profile', 'saturate', '--connections', '10', '--duration', '3', '--batch-window', '0'],
  },
  {
    name: 'saturate-w16',
    what: 'throughput ceiling, batching window 16 ms (default)',
    args: ['--profile', 'saturate', '--connections', '200', '--duration', '30', '--batch-window', '16'],
    quick: ['--profile', 'saturate', '--connections', '10', '--duration', '3', '--batch-window', '16', '--drain', '10'],
  },
  {
    name: 'soak',
    what: '10-minute soak, 300 connections, 3 s between runs',
    args: ['--connections', '300', '--think-ms', '3000', '--duration', '600', '--sample-ms', '5000'],
    quick: ['--connections', '20', '--think-ms', '500', '--duration', '8', '--sample-ms', '1000'],
  },
];

const USAGE = `Every load target in one run: npm run targets -w tests/load -- [--quick] [--only a,b]

  --quick      short, small runs (checks the tooling; the figures mean nothing)
  --only LIST  only these scenarios (${SCENARIOS.map((s) => s.name).join(', ')})
  --out DIR    where the reports go (default tests/load/reports/targets-<time>)
  Full run: about 20 minutes. Needs the Release build and ulimit -n of at least 12000.`;

function runDriver(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, 'load.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (code) => resolve({ code, output }));
  });
}

const fmt = (x, digits = 1) => (x === null || x === undefined ? '-' : Number(x).toFixed(digits));

/** Soak flatness: RSS and threads at a third of the run (after the GC settles its budgets) against the end. */
function soakFigures(report) {
  const run = report.samples.filter((s) => s.serverRssMb !== undefined);
  const early = run[Math.floor(run.length / 3)];
  const end = run[run.length - 1];
  return { earlyAtS: Math.round(early.atS), earlyRssMb: early.serverRssMb, endAtS: Math.round(end.atS), endRssMb: end.serverRssMb, earlyThreads: early.serverThreads, endThreads: end.serverThreads };
}

/** One row per target: what it asks, what was measured, and whether that meets it (null: a figure, no bound). */
function judge(name, r, report) {
  const l = r.latencyMs?.addedPerToken ?? {};
  const clean = r.errors.count === 0 && r.seq.gaps === 0 && r.seq.duplicates === 0 && r.connections.disconnects === 0;
  const machine = `machine ${fmt(r.server?.machineBusyPct?.mean, 0)} % busy, others ${fmt(r.server?.otherProcessesCpuPct, 0)} % of a core`;
  switch (name) {
    case 'council1000':
    case 'readers1000':
      return [{
        target: 'added latency per token p50 <= 2 ms, p99 <= 20 ms; no errors, no seq gaps',
        measured: `p50 ${fmt(l.p50, 2)} ms, p99 ${fmt(l.p99, 1)} ms, max ${fmt(l.max, 0)} ms; ${r.server?.delivered?.tokenEventsPerS} token events/s; errors ${r.errors.count}, gaps ${r.seq.gaps}, disconnects ${r.connections.disconnects}; ${machine}`,
        met: l.p50 <= 2 && l.p99 <= 20 && clean,
      }];
    case 'idle5000': {
      const idle = r.connections.idleMemory;
      return [{
        target: 'RSS per idle connection < 50 KB',
        measured: `${idle?.rssKbPerConnection} KB per connection (${idle?.rssMbBaseline} -> ${idle?.rssMbRamped} MB for ${idle?.connections}); errors ${r.errors.count}`,
        met: idle !== undefined && idle.rssKbPerConnection < 50 && clean,
      }];
    }
    case 'saturate-w0':
    case 'saturate-w16':
      return [{
        target: 'throughput ceiling (a figure)',
        measured: `${r.server?.delivered?.tokenEventsPerS} token events/s (peak ${r.server?.delivered?.peakTokenEventsPerS}), ${r.server?.delivered?.tokensPerS} tokens/s, ${r.server?.serverCpuUsPerTokenEvent} us server CPU per event; errors ${r.errors.count}, gaps ${r.seq.gaps}`,
        met: clean ? null : false,
      }];
    case 'soak': {
      const s = soakFigures(report);
      const flat = s.endRssMb <= s.earlyRssMb * 1.1 && Math.abs(s.endThreads - s.earlyThreads) <= 2;
      return [{
        target: 'RSS and threads flat over the soak',
        measured: `RSS ${s.earlyRssMb} MB at ${s.earlyAtS} s -> ${s.endRssMb} MB at ${s.endAtS} s; threads ${s.earlyThreads} -> ${s.endThreads}; p50 ${fmt(l.p50, 2)} ms, p99 ${fmt(l.p99, 1)} ms; errors ${r.errors.count}, gaps ${r.seq.gaps}`,
        met: flat && clean,
      }];
    }
    default:
      return [];
  }
}

export async function main(argv) {
  const { values } = parseArgs({ args: argv, options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const only = values.only ? new Set(values.only.split(',')) : null;
  const unknown = only ? [...only].filter((n) => !SCENARIOS.some((s) => s.name === n)) : [];
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  const out = values.out ?? path.join(here, 'reports', `targets-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(out, { recursive: true });

  const rows = [];
  let driverFailures = 0;
  for (const scenario of SCENARIOS.filter((s) => !only || only.has(s.name))) {
    const file = path.join(out, `${scenario.name}.json`);
    const started = Date.now();
    console.log(`${scenario.name}: ${scenario.what}${values.quick ? ' (quick)' : ''} ...`);
    const { code, output } = await runDriver([...(values.quick ? scenario.quick : scenario.args), '--quiet', '--label', scenario.name, '--report', file]);
    if (code !== 0) {
      driverFailures++;
      rows.push({ scenario: scenario.name, target: scenario.what, measured: `driver exited with ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`, met: false });
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    for (const row of judge(scenario.name, report.results, report)) rows.push({ scenario: scenario.name, ...row });
    console.log(`  done in ${Math.round((Date.now() - started) / 1000)} s`);
  }

  console.log(`\n== Council load targets${values.quick ? ' (quick: figures mean nothing)' : ''} ==`);
  for (const row of rows) {
    const verdict = row.met === null ? 'figure' : row.met ? 'MET' : 'NOT MET';
    console.log(`${row.scenario.padEnd(14)} ${verdict.padEnd(8)} ${row.target}\n${' '.repeat(24)}${row.measured}`);
  }
  const summary = path.join(out, 'summary.json');
  writeFileSync(summary, JSON.stringify({ quick: values.quick, rows }, null, 2));
  console.log(`reports: ${out}`);
  // A quick run checks the tooling: only a driver that failed fails it.
  if (driverFailures > 0) return 1;
  return values.quick || rows.every((r) => r.met !== false) ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
