// A server in ApiKeys mode: the client and the CLI send the key on everything; a missing or refused key is
// a clear CouncilConnectionError (unauthorized) in the library and exit code 3 with a message in the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, CouncilConnectionError } from '../dist/index.js';
import { parseNdjson, runCli } from './support/cli.mjs';
import { collect, sim, startServer } from './support/helpers.mjs';

const key = 'cli-test-key-2f0c9a4e7d1b';
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

let server;
before(async () => {
  server = await startServer({
    env: { Council__Auth__Mode: 'ApiKeys', Council__Auth__ApiKeys__0__Hash: sha256(key), Council__Auth__ApiKeys__0__User: 'alice' },
  });
});
after(async () => { await server?.stop(); });

const modelsArgs = ['--models', `${sim.a},${sim.b}`, '--chairman', sim.chair];

test('connect sends the key given as accessToken, as a string or a function', async () => {
  for (const accessToken of [key, () => key, async () => key]) {
    const council = await connect(server.url, { accessToken, logLevel: 'none' });
    const run = await council.startRun({ prompt: 'Keyed question', models: [sim.a, sim.b], chairman: sim.chair });
    const events = await collect(council.events(run.runId));
    assert.equal(events.at(-1).status, 'ok');
    await council.close();
  }
});

test('connect without a key or with a wrong one rejects with an unauthorized CouncilConnectionError', async () => {
  for (const accessToken of [undefined, 'not-the-key']) {
    const error = await connect(server.url, { accessToken, logLevel: 'none', reconnectDelays: [] }).catch((e) => e);
    assert.ok(error instanceof CouncilConnectionError, String(error));
    assert.equal(error.statusCode, 401);
    assert.equal(error.unauthorized, true);
    assert.match(error.message, /HTTP 401 Unauthorized .*API key/);
  }
});

test('COUNCIL_API_KEY lets the CLI ask and list', async () => {
  const asked = await runCli(['ask', '--url', server.url, ...modelsArgs, '--json', 'Keyed CLI question'], { env: { COUNCIL_API_KEY: key } });
  assert.equal(asked.code, 0, asked.stderr);
  assert.equal(parseNdjson(asked.stdout).at(-1).status, 'ok');
  const listed = await runCli(['workflows', '--url', server.url, '--json'], { env: { COUNCIL_API_KEY: key } });
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(JSON.parse(listed.stdout).some((w) => w.name === 'council'));
});

test('--api-key lets the CLI in, and wins over COUNCIL_API_KEY', async () => {
  const { code, stdout, stderr } = await runCli(['models', '--url', server.url, '--api-key', key, '--json'], { env: { COUNCIL_API_KEY: 'stale-key' } });
  assert.equal(code, 0, stderr);
  assert.ok(Array.isArray(JSON.parse(stdout)));
});

test('without a key the CLI exits 3 and says how to pass one', async () => {
  const { code, stdout, stderr } = await runCli(['ask', '--url', server.url, ...modelsArgs, 'No key']);
  assert.equal(code, 3);
  assert.equal(stdout, '');
  assert.equal(stderr,
    `council: cannot connect to Council at ${server.url}: the server requires an API key (HTTP 401 Unauthorized).\n`
    + '  Set COUNCIL_API_KEY, or pass --api-key <key>.\n');
});

test('a refused key exits 3, names where the key came from, and never prints it', async () => {
  const fromEnv = await runCli(['models', '--url', server.url], { env: { COUNCIL_API_KEY: 'wrong-key-123' } });
  assert.equal(fromEnv.code, 3);
  assert.match(fromEnv.stderr, /did not accept the API key from COUNCIL_API_KEY \(HTTP 401 Unauthorized\): it is wrong, expired or revoked\.\n {2}Check the key in COUNCIL_API_KEY\.\n$/);
  const fromFlag = await runCli(['ask', '--url', server.url, '--api-key', 'wrong-key-456', '--verbose', 'q']);
  assert.equal(fromFlag.code, 3);
  assert.match(fromFlag.stderr, /did not accept the API key from --api-key/);
  assert.doesNotMatch(fromEnv.stderr + fromFlag.stderr, /wrong-key/);
});

test('the help documents --api-key, COUNCIL_API_KEY and exit code 3 for a missing or refused key', async () => {
  const { code, stdout } = await runCli(['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /--api-key <key> +API key/);
  assert.match(stdout, /\$COUNCIL_API_KEY/);
  assert.match(stdout, /3 cannot connect \(also: the server\s+requires an API key and none was given, or it refused the one given\)/);
});
