// Keeps the load driver working: a few seconds against a real server with 20 connections, then the report's shape
// and its correctness figures (no seq gaps, no errors, every token stamped). Wall-clock figures are not asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const driver = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../load.mjs');
const fast = ['sim/t-a?ttft=30&tps=100&tokens=25', 'sim/t-b?ttft=50&tps=80&tokens=25', 'sim/t-c?ttft=40&tps=120&tokens=20', 'sim/t-d?ttft=60&tps=60&tokens=20'];

/** Runs a Node script to its end: { code, output } (stdout and stderr together); killed after `limitMs`. */
function runScript(script, args, limitMs = 120_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${path.basename(script)} did not finish:\n${output}`)); }, limitMs);
    // 'close', not 'exit': after the output pipes are drained too.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function runDriver(args) {
  const report = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-load-')), 'report.json');
  const { code, output } = await runScript(driver, ['--report', report, '--quiet', ...args]);
  try {
    return { code, output, report: JSON.parse(readFileSync(report, 'utf8')) };
  } catch (e) {
    throw new Error(`no report (exit ${code}): ${e.message}\n${output}`);
  }
}

const common = ['--connections', '20', '--duration', '4', '--settle', '0', '--think-ms', '100', '--drain', '30',
  '--models', fast.join(','), '--chairman', 'sim/t-chair?ttft=20&tps=150&tokens=20', '--cancel-fraction', '0.3', '--sample-ms', '500'];

test('20 connections over JSON: every run completes, no seq gaps, every token timed', async () => {
  const { code, output, report } = await runDriver([...common, '--strict']);
  assert.equal(code, 0, output);
  const r = report.results;
  assert.equal(report.meta.outcome, 'ok');
  assert.equal(report.meta.server.probe, true, `the load probe did not answer: ${report.meta.server.probeError}\n${(report.meta.server.warnings ?? []).join('\n')}`);
  assert.equal(report.meta.server.clockCheck.sameClock, true);
  assert.equal(r.connections.opened, 20);
  assert.equal(r.connections.disconnects, 0);
  assert.ok(r.runs.started >= 20, `runs started: ${r.runs.started}`);
  assert.equal(r.runs.completed, r.runs.started);
  assert.equal(r.runs.timeouts, 0);
  assert.deepEqual(Object.keys(r.runs.byStatus), ['ok']);
  assert.equal(r.seq.gaps, 0);
  assert.equal(r.seq.duplicates, 0);
  assert.equal(r.seq.strayEvents, 0);
  assert.equal(r.errors.count, 0, r.errors.first.join('\n'));
  assert.ok(r.tokens.events > 0);
  assert.equal(r.tokens.unstampedEvents, 0);
  assert.equal(r.tokens.negativeLatencies, 0);
  for (const name of ['addedPerToken', 'inServerPerEvent', 'wireAndClientPerEvent', 'firstTokenOverFastestTtft', 'startRunRoundTrip']) {
    const s = r.latencyMs[name];
    assert.ok(s.count > 0, name);
    for (const k of ['p50', 'p90', 'p99', 'max']) assert.equal(typeof s[k], 'number', `${name}.${k}`);
    assert.ok(s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max, name);
  }
  assert.equal(r.latencyMs.addedPerToken.count, r.tokens.tokens);
  assert.ok(r.cancels.sent > 0);
  assert.equal(r.latencyMs.cancelToModelComplete.count + r.cancels.notAccepted, r.cancels.sent);
  assert.equal(typeof r.server.delivered.tokenEventsPerS, 'number');
  assert.equal(typeof r.server.serverRssMb.end, 'number');
  assert.equal(typeof r.server.serverThreads.end, 'number');
  assert.equal(typeof r.server.gc.gen0, 'number');
  // The runtime's allocation sampling names real types, with shares that add up to at most the whole.
  const top = r.server.gc.topAllocations;
  assert.ok(top.length > 0, 'allocation sampling reported no types');
  assert.ok(top.every((a) => typeof a.type === 'string' && a.type.length > 0 && a.sampledBytes > 0));
  assert.ok(top.reduce((sum, a) => sum + a.percent, 0) <= 100.5);
  assert.ok(report.samples.length >= 2);
  assert.match(output, /added latency per token/);
});

test('MessagePack: runs with no seq gaps, or is skipped saying the server refused it', async () => {
  const { code, output, report } = await runDriver([...common, '--protocol', 'messagepack', '--connections', '5', '--duration', '2']);
  assert.equal(code, 0, output);
  if (report.meta.skipped) {
    assert.match(report.meta.skipped, /refused the messagepack hub protocol/);
    assert.match(output, /SKIPPED/);
    return;
  }
  assert.equal(report.results.errors.count, 0, report.results.errors.first.join('\n'));
  assert.equal(report.results.seq.gaps, 0);
  assert.equal(report.results.runs.completed, report.results.runs.started);
});

test('targets: one command runs the scenarios and prints each target with what was measured', async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'council-targets-'));
  const { code, output } = await runScript(path.join(path.dirname(driver), 'targets.mjs'), ['--quick', '--only', 'saturate-w16,idle5000', '--out', out], 240_000);
  assert.equal(code, 0, output);
  assert.match(output, /== Council load targets/);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.rows.map((r) => r.scenario), ['idle5000', 'saturate-w16']);
  const idle = summary.rows[0];
  assert.match(idle.measured, /^\d+(\.\d+)? KB per connection/);
  assert.equal(typeof idle.met, 'boolean');
  assert.match(summary.rows[1].measured, /^\d+ token events\/s/);
});

test('compare: Council and the floor server side by side, each figure with its ratio', async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'council-compare-'));
  const compare = path.resolve(path.dirname(driver), '../../build/bench/floor/compare.mjs');
  const { code, output } = await runScript(compare, ['--quick', '--out', out], 240_000);
  assert.equal(code, 0, output);
  assert.match(output, /== Council \/ floor/);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(summary.failures, 0);
  const row = (key) => summary.rows.find((r) => r.key === key);
  for (const key of ['p50', 'p99', 'cpuUs', 'allocB', 'rssEnd', 'eventsPerS', 'firstP50', 'firstP99']) {
    const r = row(key);
    assert.ok(r, `no row ${key}`);
    assert.equal(r.council.length, 1, key);
    assert.equal(r.floor.length, 1, key);
    assert.ok(r.council[0] > 0 && r.floor[0] > 0, `${key}: ${r.council} / ${r.floor}`);
    assert.ok(Math.abs(r.ratio - r.council[0] / r.floor[0]) < 1e-9, key);
    // The floor plays the same councils correctly: every event in seq order, no errors, on both servers.
    assert.deepEqual(r.problems, { council: 0, floor: 0 }, key);
  }
  assert.match(row('cpuUs').target, /1\.3x/);
  assert.equal(typeof row('cpuUs').met, 'boolean');
});
