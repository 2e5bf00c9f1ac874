import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { connect, sim, DEFAULT_PROTOCOL } from '../support/council.mjs';

// Random argument shapes for every hub method, over this run's protocol (the suite runs under JSON and MessagePack).
let server;
before(async () => { server = await startServer({ env: { Council__MaxInvocationsPerSecond: '100000' } }); });
after(async () => { await server?.stop(); });

function seeded(seed) {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
}

function randomValue(rand, depth = 0) {
  const pick = Math.floor(rand() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return rand() < 0.5;
    case 2: return Math.floor((rand() - 0.5) * 2 ** 40);
    case 3: return (rand() - 0.5) * 1e6;
    case 4: return 'x'.repeat(Math.floor(rand() * 50));
    case 5: return ['', 'sim/a', 'council', 'ü😀', '\u0000', '-1', 'f'.repeat(32)][Math.floor(rand() * 7)];
    case 6: return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    default: {
      const keys = ['prompt', 'models', 'runId', 'model', 'stage', 'afterSeq', 'workflow', 'chairman', 'quorum', 'search', 'conversationId', 'zzz'];
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [keys[Math.floor(rand() * keys.length)], randomValue(rand, depth + 1)]));
    }
  }
}

test(`random hub arguments (${DEFAULT_PROTOCOL}) get clean errors and the server stays healthy`, async () => {
  const client = await connect(server.hubUrl);
  const rand = seeded(20261121);
  const methods = ['start_run', 'cancel_model', 'cancel_run', 'resume_run', 'list_models', 'list_workflows', 'no_such_method'];
  let refused = 0;
  try {
    for (let i = 0; i < 600; i++) {
      const method = methods[Math.floor(rand() * methods.length)];
      const args = Array.from({ length: Math.floor(rand() * 3) }, () => randomValue(rand));
      try {
        const result = await client.invoke(method, ...args);
        if (method === 'start_run') await client.invoke('cancel_run', { runId: result.runId });
      } catch (err) {
        refused++;
        assert.match(err.message, /HubException: .+/, `${method}(${JSON.stringify(args).slice(0, 200)}) → ${err.message}`);
      }
      assert.equal(client.connection.state, 'Connected', `still connected after ${method}(${JSON.stringify(args).slice(0, 200)})`);
    }
    assert.ok(refused > 300, `most random calls are refused (${refused} of 600)`);
    const { events } = await client.run({ prompt: 'still fine?', models: [sim.fast, sim.quick], chairman: sim.chair });
    assert.equal(events.at(-1).status, 'ok');
    assert.equal(await (await fetch(`${server.url}/healthz`)).text(), 'ok');
  } finally {
    await client.stop();
  }
});

test('random REST bodies and ids get 4xx answers, never a 500 or a stack trace', async () => {
  const rand = seeded(42);
  const bodies = ['', '{', 'null', '[]', '{"title":5}', '{"title":""}', JSON.stringify({ title: 'x'.repeat(500) }), JSON.stringify({ title: 'ok' }), '\u0000\u0001'];
  for (let i = 0; i < 200; i++) {
    const id = ['f'.repeat(32), '..%2F..%2Fetc', '%00', 'a'.repeat(300), "'; DROP TABLE runs; --"][Math.floor(rand() * 5)];
    const [method, path] = [['GET', `/api/runs/${id}`], ['GET', `/api/conversations/${id}`], ['PATCH', `/api/conversations/${id}`], ['DELETE', `/api/conversations/${id}`], ['GET', '/api/conversations']][Math.floor(rand() * 5)];
    const res = await fetch(server.url + path, { method, headers: { 'Content-Type': rand() < 0.8 ? 'application/json' : 'text/plain' }, body: method === 'PATCH' ? bodies[Math.floor(rand() * bodies.length)] : undefined });
    const text = await res.text();
    assert.ok(res.status < 500, `${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
    assert.doesNotMatch(text, /\bat [A-Z][\w.]+\(|StackTrace|Exception:/, `${method} ${path} leaks internals`);
  }
  assert.equal(await (await fetch(`${server.url}/healthz`)).text(), 'ok');
});
