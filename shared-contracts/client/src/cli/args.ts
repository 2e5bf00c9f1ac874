import { parseArgs } from 'node:util';

/** A command line the CLI cannot act on: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULT_URL = 'http://127.0.0.1:5000';

export interface CancelAfter {
  /** A model id, or a lane number (1-based) in the stage running when the time comes. */
  readonly target: string;
  readonly ms: number;
}

export interface ConnectionArgs {
  readonly url: string;
  /** The API key for servers that require one, and where it came from (for messages; never printed). */
  readonly apiKey?: string;
  readonly apiKeyFrom?: '--api-key' | 'COUNCIL_API_KEY';
  readonly protocol: 'json' | 'messagepack';
  readonly json: boolean;
  readonly verbose: boolean;
}

export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'version' }
  | ({ readonly name: 'models' | 'workflows' } & ConnectionArgs)
  | ({
      readonly name: 'leaderboard';
      readonly period?: string;
      readonly from?: string;
      readonly to?: string;
      readonly workflow?: string;
      readonly models?: string[];
    } & ConnectionArgs)
  | ({
      readonly name: 'ask';
      readonly prompt: string;
      readonly models?: string[];
      readonly chairman?: string;
      readonly workflow?: string;
      readonly search: boolean;
      readonly quorum?: { answers?: number; deadlineMs?: number };
      readonly cancelAfter: CancelAfter[];
    } & ConnectionArgs);

export const usage = `Usage: council <command> [options]

Commands:
  ask <question>            Ask the council: every model streams live in its own lane, then
                            the rankings, the chairman's answer and tokens/cost/latency per model
  models                    List the models the server can run
  workflows                 List the workflows and their stages
  leaderboard               Rank the models by the council's votes (Elo from every review) and by
                            your best-answer picks, with speed, failures and cost, over your runs

Options:
  --url <url>               Council server (default: $COUNCIL_URL, else the first of the server's
                            $COUNCIL_URLS, else ${DEFAULT_URL})
  --api-key <key>           API key, for servers that require one (default: $COUNCIL_API_KEY;
                            prefer the variable: a flag shows in the process list)
  --protocol <json|messagepack>
                            Hub protocol (default: json)
  --models <a,b,...>        Council models (default: the server's council)
  --chairman <model>        Model that writes the final answer (default: the server's)
  --workflow <name>         Workflow (default: the server's, council); see council workflows
  --search                  Search the web beside the first stage
  --quorum <n>              Reviews may start once n answers are in (later ones still stream)
  --quorum-deadline <ms>    ... or this long after the answers started, with at least one
  --cancel-after <model=ms> Skip a model ms after the run starts; model is an id or a lane
                            number in the stage running then; repeatable
  --period <24h|7d|30d|all> leaderboard: runs of that last period (default: all)
  --from <date>, --to <date>
                            leaderboard: runs started in [from, to) (ISO 8601)
  --workflow, --models      leaderboard: only runs of that workflow; only those models, ranked
                            against each other
  --json                    Print every event as one line of JSON (NDJSON), for scripts
  --verbose                 SignalR diagnostics on stderr
  -h, --help                Show this help
  -v, --version             Show the version

Keys (when stdin is a terminal): 1-9 skip that model in the current stage; Ctrl-C cancels the run.
Ctrl-C or SIGTERM cancels the run on the server, waits for it to end, and exits.

Exit codes: 0 ok · 1 run failed or cancelled · 2 usage error · 3 cannot connect (also: the server
requires an API key and none was given, or it refused the one given) · 130 interrupted
`;

export function parseCommand(argv: string[], env: Record<string, string | undefined>): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        protocol: { type: 'string' },
        models: { type: 'string' },
        chairman: { type: 'string' },
        workflow: { type: 'string' },
        search: { type: 'boolean' },
        quorum: { type: 'string' },
        'quorum-deadline': { type: 'string' },
        'cancel-after': { type: 'string', multiple: true },
        period: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  if (values.version) return { name: 'version' };

  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('missing command (ask, models, workflows or leaderboard)');
  if (command === 'help') return { name: 'help' };

  const protocol = values.protocol ?? 'json';
  if (protocol !== 'json' && protocol !== 'messagepack') throw new UsageError(`--protocol must be json or messagepack, not '${protocol}'`);
  const url = values.url ?? env.COUNCIL_URL ?? serverUrl(env.COUNCIL_URLS) ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/\s]+/i.test(url)) throw new UsageError(`--url must be an http:// or https:// URL, not '${url}'`);
  const connection: ConnectionArgs = { url, protocol, json: values.json ?? false, verbose: values.verbose ?? false, ...apiKey(values['api-key'], env.COUNCIL_API_KEY) };

  switch (command) {
    case 'models':
    case 'workflows': {
      if (rest.length > 0) throw new UsageError(`${command} takes no arguments (got '${rest.join(' ')}')`);
      const askOnly = (['models', 'chairman', 'workflow', 'search', 'quorum', 'quorum-deadline', 'cancel-after', 'period', 'from', 'to'] as const).filter((k) => values[k] !== undefined);
      if (askOnly.length > 0) throw new UsageError(`--${askOnly[0]} is an option of ${['period', 'from', 'to'].includes(askOnly[0]!) ? 'leaderboard' : 'ask'}, not of ${command}`);
      return { name: command, ...connection };
    }
    case 'leaderboard': {
      if (rest.length > 0) throw new UsageError(`leaderboard takes no arguments (got '${rest.join(' ')}')`);
      const askOnly = (['chairman', 'search', 'quorum', 'quorum-deadline', 'cancel-after'] as const).filter((k) => values[k] !== undefined);
      if (askOnly.length > 0) throw new UsageError(`--${askOnly[0]} is an option of ask, not of leaderboard`);
      const period = nonEmpty('--period', values.period);
      if (period !== undefined && !/^([1-9]\d{0,4}[hd]|all)$/i.test(period)) throw new UsageError(`--period takes 24h, 7d, 30d (any number of h or d) or all, not '${period}'`);
      return {
        name: 'leaderboard',
        ...connection,
        period,
        from: date('--from', values.from),
        to: date('--to', values.to),
        workflow: nonEmpty('--workflow', values.workflow),
        models: values.models !== undefined ? list('--models', values.models) : undefined,
      };
    }
    case 'ask': {
      const prompt = rest.join(' ').trim();
      if (!prompt) throw new UsageError('ask needs a question, e.g. council ask "Why is the sky blue?"');
      const boardOnly = (['period', 'from', 'to'] as const).find((k) => values[k] !== undefined);
      if (boardOnly) throw new UsageError(`--${boardOnly} is an option of leaderboard, not of ask`);
      return {
        name: 'ask',
        ...connection,
        prompt,
        models: values.models !== undefined ? list('--models', values.models) : undefined,
        chairman: nonEmpty('--chairman', values.chairman),
        workflow: nonEmpty('--workflow', values.workflow),
        search: values.search ?? false,
        quorum: quorum(values.quorum, values['quorum-deadline']),
        cancelAfter: (values['cancel-after'] ?? []).map(cancelAfter),
      };
    }
    default:
      throw new UsageError(`unknown command '${command}' (use ask, models, workflows or leaderboard)`);
  }
}

/** --api-key wins over COUNCIL_API_KEY; an empty variable counts as unset, an empty flag is a mistake. */
function apiKey(flag: string | undefined, variable: string | undefined): Pick<ConnectionArgs, 'apiKey' | 'apiKeyFrom'> {
  if (flag !== undefined) {
    if (!flag.trim()) throw new UsageError('--api-key needs a value (or leave it out and set COUNCIL_API_KEY)');
    return { apiKey: flag.trim(), apiKeyFrom: '--api-key' };
  }
  return variable?.trim() ? { apiKey: variable.trim(), apiKeyFrom: 'COUNCIL_API_KEY' } : {};
}

function quorum(answers: string | undefined, deadlineMs: string | undefined): { answers?: number; deadlineMs?: number } | undefined {
  if (answers === undefined && deadlineMs === undefined) return undefined;
  return {
    ...(answers !== undefined ? { answers: positive('--quorum', answers) } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs: positive('--quorum-deadline', deadlineMs) } : {}),
  };
}

function positive(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`${flag} takes a whole number of at least 1, not '${value}'`);
  return Number(value);
}

function list(flag: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => !s)) throw new UsageError(`${flag} takes a comma-separated list of model ids, e.g. ${flag} sim/a,sim/b`);
  return items;
}

function date(flag: string, value: string | undefined): string | undefined {
  const text = nonEmpty(flag, value);
  if (text !== undefined && Number.isNaN(Date.parse(text))) throw new UsageError(`${flag} takes an ISO 8601 date, e.g. 2026-11-01 or 2026-11-01T12:00:00Z, not '${text}'`);
  return text;
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !value.trim()) throw new UsageError(`${flag} needs a value`);
  return value?.trim();
}

/** `model=ms`; the model id may itself contain `=` (sim/a?ttft=50), so the last `=` splits. */
function cancelAfter(value: string): CancelAfter {
  const at = value.lastIndexOf('=');
  const target = value.slice(0, at).trim();
  const ms = value.slice(at + 1).trim();
  if (at <= 0 || !target || !/^\d+$/.test(ms)) {
    throw new UsageError(`--cancel-after takes model=ms (e.g. --cancel-after sim/a=1500 or --cancel-after 2=1500), not '${value}'`);
  }
  return { target, ms: Number(ms) };
}

/**
 * The server's own `COUNCIL_URLS` (`http://+:5000;https://…`, as ASP.NET Core reads it): the first URL, with a
 * wildcard host (`+`, `*`, `0.0.0.0`, `[::]`) made the loopback address a client can connect to.
 */
export function serverUrl(urls: string | undefined): string | undefined {
  const first = urls?.split(';').map((u) => u.trim()).find((u) => u.length > 0);
  if (!first) return undefined;
  return first.replace(/^(https?:\/\/)(\+|\*|0\.0\.0\.0|\[::\])(?=[:/]|$)/i, '$1127.0.0.1');
}
