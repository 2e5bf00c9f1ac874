import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, UsageError, DEFAULT_URL } from '../dist/cli/args.js';

test('ask takes the question, flags and defaults', () => {
  const c = parseCommand(['ask', '--models', 'sim/a,sim/b', '--chairman', 'sim/c', 'Why', 'blue?'], {});
  assert.equal(c.name, 'ask');
  assert.equal(c.prompt, 'Why blue?');
  assert.deepEqual(c.models, ['sim/a', 'sim/b']);
  assert.equal(c.chairman, 'sim/c');
  assert.equal(c.url, DEFAULT_URL);
  assert.equal(c.protocol, 'json');
  assert.deepEqual(c.cancelAfter, []);
});

test('COUNCIL_URL is the default server and --url overrides it', () => {
  assert.equal(parseCommand(['ask', 'q'], { COUNCIL_URL: 'http://127.0.0.1:7000' }).url, 'http://127.0.0.1:7000');
  assert.equal(parseCommand(['ask', '--url', 'http://127.0.0.1:8000', 'q'], { COUNCIL_URL: 'http://127.0.0.1:7000' }).url, 'http://127.0.0.1:8000');
});

test("without COUNCIL_URL, the server's COUNCIL_URLS names the server: its first URL, a wildcard host as loopback", () => {
  assert.equal(parseCommand(['ask', 'q'], { COUNCIL_URLS: 'http://127.0.0.1:7100;https://127.0.0.1:7101' }).url, 'http://127.0.0.1:7100');
  assert.equal(parseCommand(['ask', 'q'], { COUNCIL_URLS: 'http://+:7200' }).url, 'http://127.0.0.1:7200');
  assert.equal(parseCommand(['ask', 'q'], { COUNCIL_URLS: 'http://0.0.0.0:7300' }).url, 'http://127.0.0.1:7300');
  assert.equal(parseCommand(['ask', 'q'], { COUNCIL_URLS: 'http://[::]:7400', COUNCIL_URL: 'http://127.0.0.1:7000' }).url, 'http://127.0.0.1:7000');
});

test('--cancel-after splits at the last = so model ids may contain =', () => {
  const c = parseCommand(['ask', '--cancel-after', 'sim/a?ttft=50&tps=200=1500', '--cancel-after', '2=100', 'q'], {});
  assert.deepEqual(c.cancelAfter, [{ target: 'sim/a?ttft=50&tps=200', ms: 1500 }, { target: '2', ms: 100 }]);
});

test('bad command lines are usage errors', () => {
  for (const argv of [
    [], ['ask'], ['frobnicate'], ['ask', '--nope', 'q'], ['ask', '--protocol', 'xml', 'q'], ['ask', '--cancel-after', 'sim/a', 'q'],
    ['ask', '--cancel-after', 'sim/a=soon', 'q'], ['ask', '--models', 'a,,b', 'q'], ['ask', '--url', 'localhost:5000', 'q'],
    ['models', 'extra'], ['models', '--chairman', 'x'], ['ask', '--models'], ['workflows', '--search'],
    ['ask', '--quorum', '0', 'q'], ['ask', '--quorum', 'two', 'q'], ['ask', '--quorum-deadline', '-5', 'q'],
  ]) {
    assert.throws(() => parseCommand(argv, {}), UsageError, argv.join(' '));
  }
});

test('help and version', () => {
  assert.equal(parseCommand(['--help'], {}).name, 'help');
  assert.equal(parseCommand(['ask', '-h'], {}).name, 'help');
  assert.equal(parseCommand(['-v'], {}).name, 'version');
});

test('--search and --quorum go into the request', () => {
  const c = parseCommand(['ask', '--search', '--quorum', '2', '--quorum-deadline', '1500', 'q'], {});
  assert.equal(c.search, true);
  assert.deepEqual(c.quorum, { answers: 2, deadlineMs: 1500 });
  assert.equal(parseCommand(['ask', 'q'], {}).quorum, undefined);
  assert.equal(parseCommand(['workflows'], {}).name, 'workflows');
});

test('the API key comes from --api-key, else COUNCIL_API_KEY; an empty variable is unset, an empty flag a usage error', () => {
  assert.deepEqual(pick(parseCommand(['models', '--api-key', 'k1'], {})), { apiKey: 'k1', apiKeyFrom: '--api-key' });
  assert.deepEqual(pick(parseCommand(['ask', 'q'], { COUNCIL_API_KEY: 'k2' })), { apiKey: 'k2', apiKeyFrom: 'COUNCIL_API_KEY' });
  assert.deepEqual(pick(parseCommand(['ask', '--api-key', 'k1', 'q'], { COUNCIL_API_KEY: 'k2' })), { apiKey: 'k1', apiKeyFrom: '--api-key' });
  assert.deepEqual(pick(parseCommand(['workflows'], { COUNCIL_API_KEY: '' })), { apiKey: undefined, apiKeyFrom: undefined });
  assert.throws(() => parseCommand(['ask', '--api-key', '', 'q'], {}), UsageError);
  assert.throws(() => parseCommand(['ask', '--api-key'], {}), UsageError);
});

const pick = ({ apiKey, apiKeyFrom }) => ({ apiKey, apiKeyFrom });
