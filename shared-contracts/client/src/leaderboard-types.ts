// Types of GET /api/leaderboard. Like the conversation endpoints' types, REST is not part of the hub contract that
// @council/contracts generates: these mirror shared-contracts/Council.Contracts/Api/LeaderboardRecords.cs.

/** What a leaderboard counted: runs started in [from, to), of one workflow, among a set of models. */
export interface LeaderboardFilter {
  from?: string | null;
  to?: string | null;
  workflow?: string | null;
  models?: string[] | null;
}

/** One model's line: the council's Elo from every review, the user's Elo from best-answer picks, speed, failures, cost. */
export interface LeaderboardEntry {
  model: string;
  runs: number;
  answers: number;
  rankedRuns: number;
  averageRank?: number | null;
  winRate?: number | null;
  elo?: number | null;
  comparisons: number;
  userElo?: number | null;
  userComparisons: number;
  userPicks: number;
  calls: number;
  medianTtftMs?: number | null;
  medianTokensPerSecond?: number | null;
  failureRate: number;
  totalCost?: number | null;
}

/** The models ranked across the user's finished runs, best council Elo first. */
export interface LeaderboardReport {
  filter: LeaderboardFilter;
  runs: number;
  picks: number;
  agreementRuns: number;
  /** Of agreementRuns, the share where the council's top-ranked answer was the user's pick. */
  councilAgreement?: number | null;
  models: LeaderboardEntry[];
}
