// The `council` CLI against the real server, run as a child process with piped (non-TTY) output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { connect } from '../dist/index.js';
import { assertEvent } from './support/contract.mjs';
import { parseNdjson, runCli, startCli } from './support/cli.mjs';
import { assertContiguous, collect, sim, startServer } from './support/helpers.mjs';
import { startProxy } from './support/proxy.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const council = (...args) => ['ask', '--url', server.url, ...args];
const modelsArgs = ['--models', `${sim.a},${sim.b}`, '--chairman', sim.chair];

test('ask prints every model in its own lane, the rankings, the final answer and usage per model', async () => {
  const prompt = 'Why is the sky blue?';
  const { code, stdout, stderr } = await runCli(council(...modelsArgs, prompt));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stdout, /\u001b\[/, 'no ANSI escapes when stdout is not a terminal');
  for (const [n, model] of [[1, sim.a], [2, sim.b]]) {
    assert.match(stdout, new RegExp(`\\[${n}\\] ${escape(model)}  ✓ done · 30 tok`), `answer lane of ${model}`);
  }
  assert.match(stdout, new RegExp(`\\[1\\] ${escape(sim.chair)}  ✓ done · 20 tok`));
  assert.match(stdout, /── stage 1\/3: answers ──[\s\S]*── stage 2\/3: reviews ──[\s\S]*── stage 3\/3: synthesis ──/);
  assert.match(stdout, /── rankings ──\n {2}1\. /);
  // The run's own final answer, as a second client replaying the run sees it.
  const runId = /^council · run (\S+) · /.exec(stdout)[1];
  const client = await connect(server.url, { logLevel: 'none' });
  const { final } = (await collect(client.events(runId))).at(-1);
  await client.close();
  assert.ok(stdout.includes(`── final answer · ${sim.chair} ──\n${final.trimEnd()}\n`), 'the final answer, in full');
  assert.match(stdout, /── usage ──\n.*stage.*model.*status.*ttft.*time.*in.*out.*cost/);
  assert.equal(stdout.match(new RegExp(`^ {2}(answers|reviews|synthesis) +${escape(sim.a)}|^ {2}(answers|reviews|synthesis) +${escape(sim.b)}|^ {2}synthesis +${escape(sim.chair)}`, 'gm')).length, 5, 'a usage row per call');
  assert.match(stdout, /\nrun ok in \d/);
});

test('--json prints one event per line: each matches the schema, seqs are contiguous, the last is run_complete', async () => {
  const { code, stdout, stderr } = await runCli(council(...modelsArgs, '--json', 'Scripted question'));
  assert.equal(code, 0, stderr);
  const events = parseNdjson(stdout);
  assertContiguous(events);
  assert.equal(new Set(events.map((e) => e.runId)).size, 1);
  for (const { type, ...payload } of events) assertEvent(type, payload);
  assert.equal(events.at(-1).type, 'run_complete');
  assert.equal(events.at(-1).status, 'ok');
});

test('--protocol messagepack streams the same events', async () => {
  const { code, stdout, stderr } = await runCli(council(...modelsArgs, '--protocol', 'messagepack', '--json', 'Binary question'));
  assert.equal(code, 0, stderr);
  const events = parseNdjson(stdout);
  assertContiguous(events);
  for (const { type, ...payload } of events) assertEvent(type, payload);
  assert.equal(events.at(-1).status, 'ok');
});

test('--cancel-after skips that model and the council goes on', async () => {
  const { code, stdout, stderr } = await runCli(council('--models', `${sim.a},${sim.slow}`, '--chairman', sim.chair, '--json', '--cancel-after', `${sim.slow}=300`, 'Skip the slow one'));
  assert.equal(code, 0, stderr);
  const events = parseNdjson(stdout);
  assertContiguous(events);
  assert.equal(events.find((e) => e.type === 'model_complete' && e.model === sim.slow).status, 'cancelled');
  assert.equal(events.find((e) => e.type === 'model_complete' && e.model === sim.a).status, 'ok');
  assert.equal(events.at(-1).status, 'ok');
  assert.match(stderr, /skipping sim\/slow.*--cancel-after 300 ms/);
});

test('SIGINT cancels the run on the server, waits for run_complete, and exits 130', async () => {
  const cli = startCli(council('--models', `${sim.slow},${sim.slower}`, '--chairman', sim.chair, '--json', 'Interrupt me'));
  await cli.waitForStdout((out) => out.includes('"type":"token"'));
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 130);

  const { stdout, stderr } = cli.output();
  assert.match(stderr, /cancelling the run/);
  assert.doesNotMatch(stderr, /cancel_run failed/, 'the cancel worked: closing the connection afterwards is no failure');
  const events = parseNdjson(stdout);
  assertContiguous(events);
  const end = events.at(-1);
  assert.equal(end.type, 'run_complete');
  assert.equal(end.status, 'cancelled');

  // A second client sees the run over, not going on.
  const observer = await connect(server.url, { logLevel: 'none' });
  try {
    const resumed = await observer.resumeRun({ runId: end.runId, afterSeq: end.seq });
    assert.equal(resumed.status, 'cancelled');
    assert.equal(resumed.lastSeq, end.seq, 'nothing was appended after run_complete');
  } finally {
    await observer.close();
  }
});

test('SIGINT with plain output ends with the cancelled run and its usage', async () => {
  const cli = startCli(council('--models', `${sim.slow},${sim.slower}`, '--chairman', sim.chair, 'Interrupt me too'));
  await cli.waitForStdout((out) => out.includes('streaming'));
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 130);
  const { stdout, stderr } = cli.output();
  assert.doesNotMatch(stderr, /cancel_run failed/);
  assert.match(stdout, /⊘ cancelled/);
  assert.match(stdout, /── usage ──[\s\S]*cancelled[\s\S]*\nrun cancelled in /);
});

test('a dropped connection is bridged: the run goes on and its events stay contiguous', async (t) => {
  const proxy = await startProxy(() => Number(new URL(server.url).port));
  t.after(() => proxy.close());
  const cli = startCli(['ask', '--url', proxy.url, '--models', `${sim.slow},${sim.a}`, '--chairman', sim.chair, '--json', 'Through a cut']);
  await cli.waitForStdout((out) => (out.match(/"type":"token"/g) ?? []).length >= 5);
  proxy.cutAll();
  assert.equal(await cli.exited, 0, cli.output().stderr);
  const events = parseNdjson(cli.output().stdout);
  assertContiguous(events);
  assert.equal(events.at(-1).status, 'ok');
});

test('a server crash and restart: the CLI reconnects, says so, shows the run again from the stored log and ends with its interrupted end', async (t) => {
  let crashing = await startServer();
  const proxy = await startProxy(() => Number(new URL(crashing.url).port));
  t.after(async () => { await proxy.close(); await crashing.stop(); });
  // A model slow to its first token: after the first heartbeat nothing is sent for about a second, so all the CLI saw
  // is stored when the server crashes. The client cannot know that (a crash can lose events that were sent), so the
  // run is shown again from the stored log.
  const cli = startCli(['ask', '--url', proxy.url, '--models', 'sim/sleepy?ttft=20000&tps=25&tokens=50', '--chairman', sim.chair, '--json', 'Through a crash']);
  await cli.waitForStdout((out) => /"type":"stage_progress"[^\n]*"status":"running"/.test(out));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await crashing.stop('SIGKILL');
  crashing = await startServer({ dbPath: crashing.dbPath });
  proxy.cutAll();

  assert.equal(await cli.exited, 1, cli.output().stderr);
  const { stdout, stderr } = cli.output();
  assert.match(stderr, /lost the connection; reconnecting…\n.*reconnected; resuming the run/);
  // A stopped server's log can have lost events that were sent: the run is shown again from what was stored.
  assert.match(stderr, /lost the newest events of this run when it stopped: the run again, as it stored it/);
  const events = parseNdjson(stdout);
  const replay = events.findLastIndex((e) => e.seq === 1);
  assert.ok(replay > 0, 'the events again from seq 1');
  assertContiguous(events.slice(0, replay));
  assertContiguous(events.slice(replay));
  assert.equal(events.at(-1).type, 'run_complete');
  assert.match(events.at(-1).error, /interrupted/i);
});

test('a closed port exits 3 with a clear message', async () => {
  const port = await closedPort();
  const { code, stdout, stderr } = await runCli(['ask', '--url', `http://127.0.0.1:${port}`, 'Anyone there?']);
  assert.equal(code, 3);
  assert.equal(stdout, '');
  assert.match(stderr, new RegExp(`cannot connect to Council at http://127\\.0\\.0\\.1:${port}: connection refused`));
  assert.match(stderr, /Is the server running\?/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
});

test('workflows lists every workflow with its stages; --search and --quorum reach the server', async () => {
  const listed = await runCli(['workflows', '--url', server.url]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^workflow +stages +description\ncouncil +answers → reviews → synthesis +/);

  // A model slow enough that the run outlasts the (simulated) search, whose results are never waited for.
  const { code, stdout, stderr } = await runCli(council('--models', `${sim.a},sim/late?ttft=800&tps=100&tokens=30`, '--chairman', sim.chair, '--search', '--quorum', '1', '--json', 'Search first'));
  assert.equal(code, 0, stderr);
  const events = parseNdjson(stdout);
  assertContiguous(events);
  for (const { type, ...payload } of events) assertEvent(type, payload);
  assert.ok(events.some((e) => e.type === 'search_results'));
});

test('a pipeline: stage headers do not count up as the loop adds stages, and the result has no VERDICT line', async () => {
  const { code, stdout, stderr } = await runCli(council('--workflow', 'pipeline', '--models', `${sim.a},${sim.b},${sim.chair}`, 'Write a rate limiter'));
  assert.equal(code, 0, stderr);
  const headers = [...stdout.matchAll(/── (stage [^:]*): ([^─]*) ──/g)].map((m) => `${m[1]}: ${m[2].trim()}`);
  assert.ok(headers.some((h) => /round 2/.test(h)), `the review loop ran a second round: ${headers.join(' | ')}`);
  for (const header of headers) assert.doesNotMatch(header, /\d+\/\d+/, header);
  assert.deepEqual(headers.map((h) => Number(/stage (\d+)/.exec(h)[1])), headers.map((_, i) => i + 1));
  const result = stdout.slice(stdout.indexOf('── final answer'), stdout.indexOf('── usage ──'));
  assert.ok(result.length > 50, stdout);
  assert.doesNotMatch(result, /VERDICT:/);
});

test('COUNCIL_URL is used when --url is absent', async () => {
  const { code, stdout, stderr } = await runCli(['models', '--json'], { env: { COUNCIL_URL: server.url } });
  assert.equal(code, 0, stderr);
  assert.ok(JSON.parse(stdout).length > 0);
});

test('bad flags exit 2 with a usage hint and start nothing', async () => {
  for (const args of [
    ['ask', '--bogus', 'q'],
    ['ask', '--url', server.url],
    ['ask', '--url', server.url, '--protocol', 'xml', 'q'],
    ['ask', '--url', server.url, '--cancel-after', 'soon', 'q'],
    ['launch'],
  ]) {
    const { code, stdout, stderr } = await runCli(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, /^council: .+\nRun 'council --help' for usage\.\n$/);
  }
});

test('a request the server rejects (unknown model) exits 2 with its message', async () => {
  const { code, stderr } = await runCli(council('--models', 'nope/unknown', 'q'));
  assert.equal(code, 2);
  assert.match(stderr, /the server rejected the run: .*nope\/unknown/);
});

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function closedPort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
