// A local cluster to try Council on several nodes: Debian's redis-server and PostgreSQL, N server nodes on them, and
// Debian's nginx in front (WebSockets passed through, a client kept on one node), all on 127.0.0.1.
// Usage: npm run cluster -- up [N=3] [--port 8080]   |   npm run cluster -- down   |   npm run cluster -- status
// Needs the Release build (dotnet build Council.sln -c Release; npm run build for the SPA). Storage is one PostgreSQL
// that every node shares, its data under the state folder (see README, Several nodes).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asOwner, connectionString, createdb, initdb, postmasterPid, serverArgs } from './postgres.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverDll = path.join(root, 'server/Council.Server/bin/Release/net10.0/Council.Server.dll');
const stateDir = process.env.COUNCIL_CLUSTER_DIR ?? path.join(os.tmpdir(), 'council-cluster');
const stateFile = path.join(stateDir, 'state.json');

const [command = 'status', ...rest] = process.argv.slice(2);
const option = (name, fallback) => { const i = rest.indexOf(`--${name}`); return i >= 0 ? rest[i + 1] : fallback; };

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
  });
}

/** Starts a process that outlives this script, its output in a log file; returns its pid. */
function daemon(name, file, args, env = {}, cwd = stateDir) {
  const log = openSync(path.join(stateDir, `${name}.log`), 'a');
  const child = spawn(file, args, { cwd, detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  child.unref();
  return child.pid;
}

async function waitFor(what, check, timeoutMs = 60000, verb = 'come up') {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { if (await check()) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not ${verb} within ${timeoutMs / 1000} s (logs in ${stateDir})`);
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function up() {
  if (existsSync(stateFile)) throw new Error(`a cluster is up already (${stateFile}): npm run cluster -- down`);
  if (!existsSync(serverDll)) throw new Error(`${serverDll} is missing: run 'dotnet build Council.sln -c Release' first`);
  const count = Number(rest.find((a) => /^\d+$/.test(a)) ?? 3);
  const port = Number(option('port', 8080));
  mkdirSync(stateDir, { recursive: true });
  const state = { port, processes: [] };
  const save = () => writeFileSync(stateFile, JSON.stringify(state, null, 2));
  try {
    const redisPort = await freePort();
    state.processes.push({ name: 'redis', pid: daemon('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', stateDir, '--save', '', '--appendonly', 'no']) });
    save();
    await waitFor('redis-server', () => new Promise((resolve) => {
      const socket = net.connect(redisPort, '127.0.0.1', () => { socket.end(); resolve(true); }).once('error', () => resolve(false));
    }));

    // PostgreSQL's data in a folder of its own (the `postgres` user must reach it; the state folder may be private).
    const pgDir = mkdtempSync(path.join(os.tmpdir(), 'council-cluster-postgres-'));
    state.postgresDir = pgDir;
    const pgData = initdb(pgDir);
    const pgPort = await freePort();
    const [pgCommand, pgArgs] = asOwner('postgres', serverArgs(pgData, pgDir, pgPort));
    state.processes.push({ name: 'postgres', pid: daemon('postgres', pgCommand, pgArgs) });
    save();
    await waitFor('postgres', () => new Promise((resolve) => {
      const socket = net.connect(pgPort, '127.0.0.1', () => { socket.end(); resolve(true); }).once('error', () => resolve(false));
    }));
    state.processes.at(-1).pid = postmasterPid(pgData) ?? state.processes.at(-1).pid; // runuser passes no signal on
    save();
    createdb(pgDir, pgPort);

    const nodes = [];
    for (let i = 1; i <= count; i++) {
      const http = await freePort();
      const name = `node-${i}`;
      const pid = daemon(name, 'dotnet', [serverDll, '--urls', `http://127.0.0.1:${http}`], {
        ASPNETCORE_ENVIRONMENT: 'Production',
        Council__Cluster__Provider: 'redis',
        Council__Cluster__RedisConnectionString: `127.0.0.1:${redisPort}`,
        Council__Cluster__NodeName: name,
        Council__Cluster__SiloPort: String(await freePort()),
        Council__Storage__Provider: 'postgres',
        Council__Storage__ConnectionString: connectionString(pgPort),
      }, path.dirname(serverDll)); // where its appsettings.json is
      state.processes.push({ name, pid, url: `http://127.0.0.1:${http}` });
      save();
      nodes.push(`127.0.0.1:${http}`);
      await waitFor(name, async () => (await fetch(`http://127.0.0.1:${http}/readyz`)).ok);
    }

    const prefix = path.join(stateDir, 'nginx');
    mkdirSync(prefix, { recursive: true });
    writeFileSync(path.join(prefix, 'nginx.conf'), `
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  # SignalR's negotiate and the WebSocket after it must reach the same node.
  upstream council { ip_hash; ${nodes.map((n) => `server ${n} max_fails=1 fail_timeout=5s;`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://council;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 3600s;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
`);
    state.processes.push({ name: 'nginx', pid: daemon('nginx', 'nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')]) });
    save();
    await waitFor('nginx', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
    for (const p of state.processes) console.log(`${p.name.padEnd(8)} pid ${p.pid}${p.url ? `  ${p.url}` : ''}`);
    console.log(`\nCouncil on ${count} nodes: http://127.0.0.1:${port}   (logs and data in ${stateDir}; stop: npm run cluster -- down)`);
  } catch (error) {
    await down({ keepLogs: true });
    throw error;
  }
}

async function down({ keepLogs = false } = {}) {
  if (!existsSync(stateFile)) { console.log('no cluster is up'); return; }
  const { processes, postgresDir } = JSON.parse(readFileSync(stateFile, 'utf8'));
  // The load balancer first, then the nodes (each drains its runs and leaves the cluster), Redis and PostgreSQL last.
  const groups = [processes.filter((p) => p.name === 'nginx'), processes.filter((p) => p.name.startsWith('node-')),
    processes.filter((p) => p.name === 'redis' || p.name === 'postgres')];
  for (const group of groups) {
    for (const p of group) if (alive(p.pid)) process.kill(p.pid, 'SIGTERM');
    await waitFor(group.map((p) => p.name).join(', '), () => group.every((p) => !alive(p.pid)), 90000, 'stop').catch((error) => {
      for (const p of group) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
      console.error(error.message);
    });
  }
  if (postgresDir) rmSync(postgresDir, { recursive: true, force: true });
  if (keepLogs) rmSync(stateFile, { force: true });
  else rmSync(stateDir, { recursive: true, force: true });
  console.log(`stopped ${processes.map((p) => p.name).join(', ')}`);
}

function status() {
  if (!existsSync(stateFile)) { console.log('no cluster is up'); return; }
  const { port, processes } = JSON.parse(readFileSync(stateFile, 'utf8'));
  for (const p of processes) console.log(`${p.name.padEnd(8)} pid ${p.pid} ${alive(p.pid) ? 'running' : 'gone'}${p.url ? `  ${p.url}` : ''}`);
  console.log(`http://127.0.0.1:${port}`);
}

const commands = { up, down, status };
if (!commands[command]) {
  console.error('usage: npm run cluster -- up [N] [--port 8080] | down | status');
  process.exit(2);
}
try {
  await commands[command]();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
