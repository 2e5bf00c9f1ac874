// `council leaderboard` against the real server: two real councils, a best-answer pick over REST, then the table
// and --json; the same figures after the server restarts on its database; API keys and bad filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from '../dist/index.js';
import { runCli } from './support/cli.mjs';
import { collect, sim, startServer } from './support/helpers.mjs';

const key = 'cli-board-key-7c1e55';
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const env = { Council__Auth__Mode: 'ApiKeys', Council__Auth__ApiKeys__0__Hash: sha256(key), Council__Auth__ApiKeys__0__User: 'alice' };

let server;
const runs = [];
before(async () => {
  server = await startServer({ env });
  const council = await connect(server.url, { accessToken: key, logLevel: 'none' });
  for (const prompt of ['First question', 'Second question']) {
    const run = await council.startRun({ prompt, models: [sim.a, sim.b], chairman: sim.chair });
    const events = await collect(council.events(run.runId));
    assert.equal(events.at(-1).status, 'ok');
    runs.push({ runId: run.runId, rankings: events.at(-1).aggregateRankings });
  }
  await council.close();
  // The user finds the council's second-ranked answer of the first run the best.
  const pick = runs[0].rankings[1].model;
  const put = await fetch(`${server.url}/api/runs/${runs[0].runId}/best-answer`, {
    method: 'PUT', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ model: pick }),
  });
  assert.equal(put.status, 204);
});
after(async () => { await server?.stop(); });

const board = (...args) => runCli(['leaderboard', '--url', server.url, ...args], { env: { COUNCIL_API_KEY: key } });

test('--json prints the server\'s leaderboard: every model, the council\'s Elo, the pick and the agreement', async () => {
  const { code, stdout, stderr } = await board('--json');
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.equal(report.runs, 2);
  assert.equal(report.picks, 1);
  assert.equal(report.agreementRuns, 1);
  assert.equal(report.councilAgreement, 0, 'the pick was not the council\'s first');
  const byModel = Object.fromEntries(report.models.map((m) => [m.model, m]));
  for (const model of [sim.a, sim.b]) {
    assert.equal(byModel[model].runs, 2);
    assert.equal(byModel[model].answers, 2);
    assert.equal(byModel[model].rankedRuns, 2);
    assert.ok(byModel[model].medianTtftMs > 0);
    assert.ok(byModel[model].medianTokensPerSecond > 0);
  }
  assert.equal(byModel[sim.chair].answers, 0, 'the chairman wrote syntheses, not answers');
  assert.equal(byModel[runs[0].rankings[1].model].userPicks, 1);
  assert.ok(byModel[runs[0].rankings[1].model].userElo > 1000);
});

test('the table has a row per model, best Elo first, and a line on the picks', async () => {
  const { code, stdout, stderr } = await board();
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0], /^#\s+model\s+elo\s+your elo\s+avg rank\s+wins\s+runs\s+answers\s+picks\s+ttft\s+tok\/s\s+failed\s+cost$/);
  const report = JSON.parse((await board('--json')).stdout);
  report.models.forEach((m, i) => {
    const cells = lines[i + 1].split(/\s{2,}/);
    assert.deepEqual(cells.slice(0, 3), [String(i + 1), m.model, m.elo == null ? '-' : String(Math.round(m.elo))]);
    assert.equal(cells[8], String(m.userPicks));
  });
  assert.match(stdout, /\n2 runs · 1 best-answer pick; the council's top answer was your pick in 0 of 1 \(0%\)\n$/);
});

test('filters: a model set, a workflow, a period', async () => {
  const set = JSON.parse((await board('--json', '--models', `${sim.a},${sim.b}`)).stdout);
  assert.deepEqual(set.models.map((m) => m.model).sort(), [sim.a, sim.b].sort());
  assert.equal(JSON.parse((await board('--json', '--workflow', 'grid')).stdout).runs, 0);
  assert.equal(JSON.parse((await board('--json', '--period', '24h')).stdout).runs, 2);
  const { stdout } = await board('--workflow', 'grid');
  assert.equal(stdout, 'No finished runs match (workflow grid).\n');
});

test('a bad filter is a usage error; no key or a wrong one is exit 3', async () => {
  const bad = await board('--period', 'fortnight');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--period takes 24h, 7d, 30d/);
  const noKey = await runCli(['leaderboard', '--url', server.url]);
  assert.equal(noKey.code, 3);
  assert.match(noKey.stderr, /requires an API key/);
  const wrongKey = await runCli(['leaderboard', '--url', server.url, '--api-key', 'nope']);
  assert.equal(wrongKey.code, 3);
});

test('after a restart on the same database the leaderboard is the same', async () => {
  const before = (await board('--json')).stdout;
  await server.stop();
  server = await startServer({ env, dbPath: server.dbPath });
  const { code, stdout } = await board('--json');
  assert.equal(code, 0);
  assert.equal(stdout, before);
});
