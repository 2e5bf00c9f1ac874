#!/usr/bin/env node
// 200 connections (--connections) start a council at the same moment: how long after start_run the first token of
// each run arrives, beyond the fastest model's time to first token. Starts its own server like the load driver
// (the Release build of Council, or the floor when COUNCIL_SERVER_DLL names it), warms it with one council, then
// fires every start_run at once. Writes a JSON report (--report) and prints one line.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startServer } from '../../../tests/node/support/server.mjs';
import { Metrics } from '../../../tests/load/src/metrics.mjs';
import { parseOptions } from '../../../tests/load/src/options.mjs';
import { nowNs } from '../../../tests/load/src/protocol.mjs';
import { planRun, VirtualUser } from '../../../tests/load/src/user.mjs';

const { values } = parseArgs({
  options: { connections: { type: 'string', default: '200' }, models: { type: 'string' }, chairman: { type: 'string' }, report: { type: 'string' } },
});
const driverArgs = ['--connections', values.connections];
if (values.models) driverArgs.push('--models', values.models);
if (values.chairman) driverArgs.push('--chairman', values.chairman);
const options = parseOptions(driverArgs);
// The environment the load driver gives the server it starts.
const server = await startServer({ env: { Council__TokenBatchWindowMs: '0', Council__LoadProbe__Enabled: 'true', Council__FinishedRunIdleSeconds: '10' } });
process.once('exit', () => { if (server.process.exitCode === null) server.process.kill('SIGKILL'); });
const plan = planRun(options);
const metrics = new Metrics();
const ctx = { options, hubUrl: server.hubUrl, metrics, plan };
// When the burst began and ended (monotonic ns, the clock of `perf record -k CLOCK_MONOTONIC`), to profile just that.
const burstNs = [0, 0];
try {
  const warm = new VirtualUser('warmup', { ...ctx, metrics: new Metrics() });
  await warm.connect();
  await warm.runOnce();
  await warm.stop();
  const users = [];
  for (let i = 0; i < options.connections; i += 50) {
    const batch = Array.from({ length: Math.min(50, options.connections - i) }, (_, j) => new VirtualUser(i + j, ctx));
    await Promise.all(batch.map((u) => u.connect()));
    users.push(...batch);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  burstNs[0] = nowNs();
  await Promise.all(users.map((u) => u.runOnce()));
  burstNs[1] = nowNs();
  for (const u of users) await u.stop();
} catch (e) {
  metrics.error('burst', e);
}
const exitCode = await server.stop();
const result = {
  connections: options.connections,
  fastestTtftMs: plan.fastestTtftMs,
  firstTokenOverFastestTtftMs: metrics.firstTokenOverTtftMs.summary(),
  startRunRoundTripMs: metrics.startRunMs.summary(),
  runs: { started: metrics.runsStarted, completed: metrics.runsCompleted },
  seq: { gaps: metrics.seqGaps, duplicates: metrics.seqDuplicates },
  errors: { count: metrics.errorCount, first: metrics.errors },
  serverExitCode: exitCode,
  server: { pid: server.process.pid, burstStartNs: burstNs[0], burstEndNs: burstNs[1] },
};
if (values.report) writeFileSync(values.report, JSON.stringify(result, null, 2));
const f = result.firstTokenOverFastestTtftMs;
console.log(`burst of ${options.connections}: first token - fastest ttft p50 ${f.p50} ms, p99 ${f.p99} ms; runs ${result.runs.completed}/${result.runs.started}, errors ${result.errors.count}`);
process.exitCode = result.errors.count > 0 ? 1 : 0;
