// A flood of WebSockets past what the open-file limit allows is refused at the door: the process lives, clients
// already connected keep streaming, /healthz answers. The server runs with `ulimit -n 1024` here; its log says the
// limits it derived from it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { startServer } from '../support/server.mjs';
import { connect } from '../support/council.mjs';

const openFiles = 1024;
let server;
let port;
before(async () => {
  server = await startServer({ openFiles, env: { 'Logging__LogLevel__Council.Server.Operations': 'Information', Council__TokenBatchWindowMs: '0' } });
  port = Number(new URL(server.url).port);
});
after(async () => { await server?.stop(); });

/**
 * Opens a raw WebSocket upgrade to the hub: resolves with the socket and the response's status ('101', or '503' past
 * the WebSocket limit), or 'refused' when the connection was closed at once (past the connection limit).
 */
function upgrade() {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let head = '';
    const done = (status) => { socket.removeAllListeners('data'); resolve({ socket, status }); };
    socket.on('connect', () => socket.write(`GET /hubs/council HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'));
    socket.on('data', (d) => { head += d; if (head.includes('\r\n\r\n')) done(head.split(' ')[1]); });
    socket.on('error', () => done('refused'));
    socket.on('close', () => done(head ? head.split(' ')[1] : 'refused'));
  });
}

const openDescriptors = () => readdirSync(`/proc/${server.process.pid}/fd`).length;

test('past the derived limits, connections are refused; the process, its clients and /healthz go on', async () => {
  const limits = /Connection limits: (\d+) WebSockets, (\d+) other connections \(open-file limit (\d+)/.exec(server.output());
  assert.ok(limits, `the server logs its limits:\n${server.output()}`);
  const [maxUpgraded, maxOther, limit] = limits.slice(1).map(Number);
  assert.equal(limit, openFiles);
  assert.ok(maxUpgraded + maxOther < openFiles, 'room is left for storage, providers and the runtime');

  const watcher = await connect(server.hubUrl);
  const runner = await connect(server.hubUrl);
  const { runId } = await runner.connection.invoke('start_run', { prompt: 'flood', models: ['sim/steady?ttft=50&tps=60&tokens=150'], chairman: 'sim/chair?ttft=20&tps=200&tokens=20' });

  // Waves, so that accepted connections upgrade and free their plain slot: the WebSocket limit is reached too.
  const flood = [];
  let peak = 0;
  for (let wave = 0; wave < 12; wave++) {
    flood.push(...await Promise.all(Array.from({ length: 120 }, upgrade)));
    peak = Math.max(peak, openDescriptors());
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200, `/healthz during wave ${wave}`);
  }
  const accepted = flood.filter((f) => f.status === '101').length;
  const busy = flood.filter((f) => f.status === '503').length;
  const refused = flood.filter((f) => f.status === 'refused').length;
  assert.equal(accepted + busy + refused, flood.length, JSON.stringify([...new Set(flood.map((f) => f.status))]));
  assert.ok(busy > 0, 'upgrades past the WebSocket limit get 503');
  assert.equal(accepted, maxUpgraded - 2, 'the WebSocket limit is reached (two are the test\'s own clients)');
  assert.ok(peak < openFiles, `open descriptors peaked at ${peak} of ${openFiles}`);
  assert.equal(server.process.exitCode, null, 'the server is alive');

  // The run streamed to its end through the flood, every seq in order; the other client still gets answers.
  const end = await runner.waitFor((e) => e.type === 'run_complete' && e.runId === runId, 30_000);
  assert.equal(end.status, 'ok');
  const seqs = runner.events(runId).map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  assert.ok((await watcher.connection.invoke('list_models')).length > 0);

  // Once the flood is gone, new clients get in again (as soon as the server has seen those sockets close).
  for (const f of flood) f.socket.destroy();
  let late;
  for (let attempt = 0; !late; attempt++) {
    try {
      late = await connect(server.hubUrl);
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok((await late.connection.invoke('list_models')).length > 0);
  await Promise.all([watcher, runner, late].map((c) => c.connection.stop()));
});
