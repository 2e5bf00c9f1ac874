import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as signalR from '@microsoft/signalr';
import { freePort } from '../support/redis.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const run = promisify(execFile);

test('npm run cluster -- up 2: Redis, PostgreSQL, two nodes on them and nginx; a client through nginx runs a council (negotiate + WebSocket), stored for both nodes; down stops it all', async () => {
  const env = { ...process.env, COUNCIL_CLUSTER_DIR: mkdtempSync(path.join(os.tmpdir(), 'council-cluster-test-')), OPENROUTER_API_KEY: '' };
  const port = await freePort();
  const script = path.join(root, 'build/cluster.mjs');
  const { stdout } = await run('node', [script, 'up', '2', '--port', String(port)], { env, timeout: 120000 });
  try {
    assert.match(stdout, new RegExp(`Council on 2 nodes: http://127\\.0\\.0\\.1:${port}`));
    const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
    assert.match(ready.node, /^node-[12]$/);

    // The official client as the SPA uses it: negotiate first, then the WebSocket, both through nginx.
    const connection = new signalR.HubConnectionBuilder().withUrl(`http://127.0.0.1:${port}/hubs/council`).configureLogging(signalR.LogLevel.None).build();
    const ended = new Promise((resolve) => connection.on('run_complete', resolve));
    await connection.start();
    try {
      assert.equal(connection.connectionId !== null, true);
      const { runId } = await connection.invoke('start_run', { prompt: 'Through the load balancer', models: ['sim/a?ttft=10&tps=400&tokens=10'], chairman: 'sim/c?ttft=10&tps=400&tokens=10' });
      assert.equal((await ended).status, 'ok');
      // Both nodes read it from the one PostgreSQL.
      const state = JSON.parse(readFileSync(path.join(env.COUNCIL_CLUSTER_DIR, 'state.json'), 'utf8'));
      const nodes = state.processes.filter((p) => p.url);
      assert.equal(nodes.length, 2);
      for (const node of nodes) assert.equal((await (await fetch(`${node.url}/api/runs/${runId}`)).json()).status, 'ok', node.name);
    } finally {
      await connection.stop();
    }
  } finally {
    const down = await run('node', [script, 'down'], { env, timeout: 120000 });
    assert.match(down.stdout, /stopped redis, postgres, node-1, node-2, nginx/);
  }
  await assert.rejects(fetch(`http://127.0.0.1:${port}/readyz`), 'nothing listens after down');
});
