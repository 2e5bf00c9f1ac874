// Starts Debian's PostgreSQL (initdb, then postgres) on a free loopback port, its data and unix socket in a
// temporary folder, for one test file. As root it runs as the `postgres` user, who owns the folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asOwner, connectionString, createdb, initdb, postmasterPid, serverArgs } from '../../../build/postgres.mjs';
import { freePort } from './redis.mjs';

/**
 * @returns {Promise<{ port: number, dir: string, connectionString: string, stop: () => Promise<void>, start: () => Promise<void>, close: () => Promise<void> }>}
 *   connectionString: Npgsql form, database `council`; stop/start: the same server down and up on the same port and data;
 *   close: down for good, data removed.
 */
export async function startPostgres() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-postgres-'));
  const data = initdb(dir);
  const port = await freePort();
  const args = serverArgs(data, dir, port);
  let running = null;
  const pg = {
    port,
    dir,
    connectionString: connectionString(port),
    async start() {
      running = await spawnPostgres(args);
    },
    async stop() {
      const child = running;
      running = null;
      if (child && child.process.exitCode === null && child.process.signalCode === null) {
        try { process.kill(postmasterPid(data) ?? child.process.pid, 'SIGINT'); } catch { /* gone already */ }
      }
      await child?.exited;
    },
    async close() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  createdb(dir, port);
  return pg;
}

async function spawnPostgres(args) {
  const [cmd, cmdArgs] = asOwner('postgres', args);
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${output}`)), 20000);
    const look = (chunk) => {
      output += chunk;
      if (/ready to accept connections/.test(output)) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`postgres exited with ${code}:\n${output}`)); });
  });
  return { process: child, exited };
}
