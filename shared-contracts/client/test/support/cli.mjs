// Runs the built CLI as a child process, as a user or a script would.
import { spawn } from 'node:child_process';
import { cliPath } from './helpers.mjs';

/** Starts `council ...args`; `output()` has what it printed so far, `exited` its exit code. */
export function startCli(args, { env = {} } = {}) {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, NO_COLOR: '1', COUNCIL_URL: '', COUNCIL_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    /** Resolves once stdout satisfies `match`. */
    async waitForStdout(match, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!match(stdout)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for CLI output; got:\n${stdout}\n${stderr}`);
        if (child.exitCode !== null) throw new Error(`CLI exited with ${child.exitCode} first:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/** Runs `council ...args` to the end. */
export async function runCli(args, options) {
  const cli = startCli(args, options);
  const code = await cli.exited;
  return { code, ...cli.output() };
}

export const parseNdjson = (text) => text.trimEnd().split('\n').map((line) => JSON.parse(line));
