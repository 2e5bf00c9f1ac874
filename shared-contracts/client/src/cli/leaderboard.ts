import type { LeaderboardEntry, LeaderboardReport } from '../leaderboard-types.js';
import type { Command } from './args.js';
import { EXIT, type CliProcess } from './ask.js';
import { formatCost, formatMs, table } from './format.js';

type LeaderboardCommand = Extract<Command, { name: 'leaderboard' }>;

/** `council leaderboard`: GET /api/leaderboard with the filter, as a table or (--json) as the server sent it. */
export async function leaderboard(command: LeaderboardCommand, proc: CliProcess): Promise<number> {
  const url = new URL('/api/leaderboard', command.url);
  if (command.period) url.searchParams.set('period', command.period);
  if (command.from) url.searchParams.set('from', command.from);
  if (command.to) url.searchParams.set('to', command.to);
  if (command.workflow) url.searchParams.set('workflow', command.workflow);
  if (command.models) url.searchParams.set('models', command.models.join(','));

  let response: Response;
  try {
    response = await fetch(url, { headers: command.apiKey ? { Authorization: `Bearer ${command.apiKey}` } : {} });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    proc.stderr.write(`council: cannot reach Council at ${command.url}: ${cause?.code ?? cause?.message ?? String(error)}.\n`
      + "  Is the server running? Start it with 'npm start', or point --url or COUNCIL_URL at it.\n");
    return EXIT.cannotConnect;
  }
  if (response.status === 401) {
    proc.stderr.write(command.apiKey === undefined
      ? 'council: the server requires an API key (HTTP 401 Unauthorized).\n  Set COUNCIL_API_KEY, or pass --api-key <key>.\n'
      : `council: the server did not accept the API key from ${command.apiKeyFrom} (HTTP 401 Unauthorized).\n`);
    return EXIT.cannotConnect;
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => undefined) as { detail?: string } | undefined;
    proc.stderr.write(`council: ${problem?.detail ?? `HTTP ${response.status} from ${url.pathname}`}\n`);
    return response.status === 400 ? EXIT.usage : EXIT.runFailed;
  }
  const report = await response.json() as LeaderboardReport;
  proc.stdout.write(command.json ? `${JSON.stringify(report)}\n` : render(report));
  return EXIT.ok;
}

/** The table, best council Elo first, and a line on the user's picks. */
export function render(report: LeaderboardReport): string {
  if (report.models.length === 0) return `No finished runs match${describe(report)}.\n`;
  const rows = [
    ['#', 'model', 'elo', 'your elo', 'avg rank', 'wins', 'runs', 'answers', 'picks', 'ttft', 'tok/s', 'failed', 'cost'],
    ...report.models.map((m, i) => [
      String(i + 1), m.model, rating(m.elo), rating(m.userElo), m.averageRank == null ? '-' : m.averageRank.toFixed(2),
      percent(m.winRate), String(m.runs), String(m.answers), String(m.userPicks), formatMs(m.medianTtftMs ?? undefined),
      m.medianTokensPerSecond == null ? '-' : m.medianTokensPerSecond.toFixed(1), percent(m.failureRate), formatCost(m.totalCost ?? undefined),
    ]),
  ];
  const agreement = report.agreementRuns > 0
    ? `; the council's top answer was your pick in ${Math.round((report.councilAgreement ?? 0) * report.agreementRuns)} of ${report.agreementRuns} (${percent(report.councilAgreement)})`
    : '';
  return `${table(rows).join('\n')}\n\n${report.runs} run${report.runs === 1 ? '' : 's'}${describe(report)} · ${report.picks} best-answer pick${report.picks === 1 ? '' : 's'}${agreement}\n`;
}

function describe({ filter }: LeaderboardReport): string {
  const parts = [
    filter.from ? `from ${filter.from.slice(0, 16).replace('T', ' ')}` : '',
    filter.to ? `to ${filter.to.slice(0, 16).replace('T', ' ')}` : '',
    filter.workflow ? `workflow ${filter.workflow}` : '',
    filter.models?.length ? `models ${filter.models.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const rating = (elo: LeaderboardEntry['elo']) => (elo == null ? '-' : Math.round(elo).toString());
const percent = (share: number | null | undefined) => (share == null ? '-' : `${Math.round(share * 100)}%`);
