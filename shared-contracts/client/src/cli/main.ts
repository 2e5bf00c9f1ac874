import { readFileSync } from 'node:fs';
import { table } from './format.js';
import { ask, EXIT, type CliProcess } from './ask.js';
import { parseCommand, usage, UsageError, type Command } from './args.js';
import { connectOrExplain } from './connection.js';

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
      return models(command, proc);
    case 'ask':
      return ask(command, proc);
  }
}

async function models(command: Extract<Command, { name: 'models' }>, proc: CliProcess): Promise<number> {
  const council = await connectOrExplain(command, proc.stderr);
  if (!council) return EXIT.cannotConnect;
  try {
    const list = await council.listModels();
    proc.stdout.write(command.json
      ? `${JSON.stringify(list)}\n`
      : `${table([['model', 'provider'], ...list.map((m) => [m.id, m.provider])]).join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await council.close();
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
