// Starts the real Council server (the Release build) on a free loopback port for one test file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const serverDll = process.env.COUNCIL_SERVER_DLL
  ?? path.join(root, 'server/Council.Server/bin/Release/net10.0/Council.Server.dll');

/**
 * @param {{ env?: Record<string,string>, args?: string[], timeoutMs?: number, dbPath?: string, openFiles?: number }} [options]
 *   env: extra environment, e.g. { Council__TokenBatchWindowMs: '0' }.
 *   dbPath: the SQLite file; a new one in a temporary folder when absent (pass it again to restart on it).
 * @returns {Promise<{ url: string, hubUrl: string, process: import('node:child_process').ChildProcess, output: () => string, stop: (signal?: NodeJS.Signals) => Promise<number|null> }>}
 */
export async function startServer(options = {}) {
  if (!existsSync(serverDll)) {
    throw new Error(`${serverDll} is missing: run 'dotnet build Council.sln -c Release' first`);
  }
  const dbPath = options.dbPath ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'council-')), 'council.db');
  const argv = [serverDll, '--urls', 'http://127.0.0.1:0', ...(options.args ?? [])];
  // openFiles: the process's open-file limit (ulimit -n), set by a shell that then becomes the server.
  const [command, commandArgs] = options.openFiles
    ? ['bash', ['-c', `ulimit -n ${Number(options.openFiles)} && exec dotnet "$@"`, 'dotnet', ...argv]]
    : ['dotnet', argv];
  const child = spawn(command, commandArgs, {
    cwd: path.dirname(serverDll),
    // Tests run on simulated models whatever the machine has: a real key in the environment is not used.
    env: { ...process.env, OPENROUTER_API_KEY: '', Council__OpenRouterDefaults__Enabled: 'false', ASPNETCORE_ENVIRONMENT: 'Production', DOTNET_NOLOGO: '1', Logging__LogLevel__Default: 'Warning', 'Logging__LogLevel__Microsoft.Hosting.Lifetime': 'Information', Council__Storage__Path: dbPath, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${options.timeoutMs ?? 30000} ms:\n${output}`)), options.timeoutMs ?? 30000);
    const onData = (chunk) => {
      output += chunk;
      const match = /Now listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk; });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before listening:\n${output}`)); });
  });
  return {
    url,
    dbPath,
    hubUrl: `${url}/hubs/council`,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
