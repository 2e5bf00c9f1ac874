import { readFileSync } from 'node:fs';
import { table } from './format.js';
import { ask, EXIT, type CliProcess } from './ask.js';
import { parseCommand, usage, UsageError, type Command } from './args.js';
import { connectOrExplain } from './connection.js';
import { leaderboard } from './leaderboard.js';
import type { CouncilClient } from '../index.js';

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[], proc: CliProcess): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv, proc.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    proc.stderr.write(`council: ${error.message}\nRun 'council --help' for usage.\n`);
    return EXIT.usage;
  }
  switch (command.name) {
    case 'help':
      proc.stdout.write(usage);
      return EXIT.ok;
    case 'version':
      proc.stdout.write(`${version()}\n`);
      return EXIT.ok;
    case 'models':
      return list(command, proc, async (council) => {
        const models = await council.listModels();
        return { json: models, rows: [['model', 'provider'], ...models.map((m) => [m.id, m.provider])] };
      });
    case 'workflows':
      return list(command, proc, async (council) => {
        const workflows = await council.listWorkflows();
        return {
          json: workflows,
          rows: [['workflow', 'stages', 'description'], ...workflows.map((w) => [
            w.name, w.stages.map((s) => (s.loop ? `(${s.name})` : s.name)).join(' → '), w.description])],
        };
      });
    case 'ask':
      return ask(command, proc);
    case 'leaderboard':
      return leaderboard(command, proc);
  }
}

/** A listing command: JSON with --json, else a table. */
async function list(
  command: Extract<Command, { name: 'models' | 'workflows' }>,
  proc: CliProcess,
  fetch: (council: CouncilClient) => Promise<{ json: unknown; rows: string[][] }>,
): Promise<number> {
  const council = await connectOrExplain(command, proc.stderr);
  if (!council) return EXIT.cannotConnect;
  try {
    const { json, rows } = await fetch(council);
    proc.stdout.write(command.json ? `${JSON.stringify(json)}\n` : `${table(rows).join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await council.close();
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
