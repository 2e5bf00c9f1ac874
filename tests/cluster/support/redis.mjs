// Starts Debian's redis-server on a free loopback port, its data in a temporary folder, for one test file.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A port that was free a moment ago (servers that cannot take port 0, like Orleans' silo port and redis-server). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ persist?: boolean }} [options] persist: keep the data across stop()/start() (an append-only file in the folder)
 * @returns {Promise<{ port: number, connectionString: string, stop: () => Promise<void>, start: () => Promise<void>, close: () => Promise<void> }>}
 *   stop/start: the same server down and up again on the same port and data; close: down for good, data removed.
 */
export async function startRedis(options = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', options.persist ? 'yes' : 'no', '--appendfsync', 'always'];
  let running = null;
  const redis = {
    port,
    connectionString: `127.0.0.1:${port}`,
    async start() { running = await spawnRedis(args); },
    async stop() {
      const child = running;
      running = null;
      if (child && child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
      await child?.exited;
    },
    async close() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

async function spawnRedis(args) {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (/Ready to accept connections/.test(output)) { clearTimeout(timer); resolve(); }
    });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}:\n${output}`)); });
  });
  return { process: child, exited };
}
