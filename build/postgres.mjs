// Debian's PostgreSQL binaries for a throwaway server on loopback (npm run cluster, and the cluster tests): a data
// folder made with initdb, a database `council` with a user `council`, run as the `postgres` user when this is root.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const postgresBin = process.env.COUNCIL_POSTGRES_BIN ?? findBin();
export const password = 'council';

function findBin() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

const root = () => process.getuid?.() === 0;

/** The command and arguments to run a PostgreSQL binary, as `postgres` when this process is root. */
export function asOwner(binary, args) {
  if (!postgresBin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const file = path.join(postgresBin, binary);
  return root() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

/** initdb into `dir`/data (dir made the `postgres` user's when root); returns the data folder. */
export function initdb(dir) {
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, password);
  if (root()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const [cmd, args] = asOwner('initdb', ['-D', data, '-U', 'council', '--pwfile', pwfile, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  return data;
}

/** The arguments of `postgres` on 127.0.0.1:`port`, its unix socket in `dir`. Durability off: the data is throwaway. */
export const serverArgs = (data, dir, port) => ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
  '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];

/** Creates the database `council` on a server that is up. */
export function createdb(dir, port) {
  const [cmd, args] = asOwner('createdb', ['-h', dir, '-p', String(port), '-U', 'council', 'council']);
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGPASSWORD: password }, timeout: 20000 });
}

/** The postmaster's pid (runuser does not pass signals on: stop it by this pid; SIGINT is its fast shutdown). */
export function postmasterPid(data) {
  try {
    return Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  }
}

export const connectionString = (port) => `Host=127.0.0.1;Port=${port};Database=council;Username=council;Password=${password}`;
