// Starts Debian's PostgreSQL (initdb, then postgres) on a free loopback port, its data and unix socket in a
// temporary folder, for one test file or `npm run cluster`. As root it runs as the `postgres` user, who owns the folder.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './redis.mjs';

export const postgresBin = process.env.COUNCIL_POSTGRES_BIN ?? findBin();

function findBin() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

/** The command and arguments to run a PostgreSQL binary, as `postgres` when this process is root. */
function asOwner(binary, args) {
  const file = path.join(postgresBin, binary);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

/**
 * @param {{ dir?: string }} [options] dir: where the data goes (created; default a new temporary folder)
 * @returns {Promise<{ port: number, dir: string, connectionString: string, pid: () => number | undefined, stop: () => Promise<void>, start: () => Promise<void>, close: () => Promise<void> }>}
 *   connectionString: Npgsql form, database `council`; stop/start: the same server down and up on the same port and data;
 *   close: down for good, data removed.
 */
export async function startPostgres(options = {}) {
  if (!postgresBin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'council-postgres-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const password = 'council';
  writeFileSync(path.join(dir, 'pw'), password);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', path.join(dir, 'pw')]);
  const [initCmd, initArgs] = asOwner('initdb', ['-D', data, '-U', 'council', '--pwfile', path.join(dir, 'pw'), '-A', 'scram-sha-256',
    '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  execFileSync(initCmd, initArgs, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
  let running = null;
  const pg = {
    port,
    dir,
    connectionString: `Host=127.0.0.1;Port=${port};Database=council;Username=council;Password=${password}`,
    pid: () => postmasterPid(data),
    async start() {
      running = await spawnPostgres(args);
    },
    async stop() {
      const child = running;
      running = null;
      if (child && child.process.exitCode === null && child.process.signalCode === null) {
        // The postmaster itself (runuser does not pass SIGINT on): SIGINT is its fast shutdown.
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
  const [createCmd, createArgs] = asOwner('createdb', ['-h', dir, '-p', String(port), '-U', 'council', 'council']);
  execFileSync(createCmd, createArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGPASSWORD: password }, timeout: 20000 });
  return pg;
}

function postmasterPid(data) {
  try {
    return Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  }
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
