import { memo, useMemo } from 'react';
import type { AggregateRanking } from '@council/contracts';
import { useSession, useStore, useThrottledStore } from '../store/hooks';
import { isActive, type Run } from '../store/run-state';
import { modelHue, modelName } from './format';
import type { LaneFooterProps } from './LaneCard';
import { LanesPanel } from './LanesPanel';

/**
 * The review stage: the council's aggregate ranking, the key to the labels, and each reviewer's evaluation and
 * ranking (folded away, `lanesHidden`, once the chairman is on).
 */
export const ReviewsPanel = memo(function ReviewsPanel({ runId, stage, lanesHidden = false }: { runId: string; stage: number; lanesHidden?: boolean }) {
  return (
    <>
      <AggregateTable runId={runId} stage={stage} />
      <LabelKey runId={runId} stage={stage} />
      <div className="stage-body" hidden={lanesHidden}>
        <LanesPanel runId={runId} stage={stage} label="Reviews" footer={RankingFooter} />
      </div>
    </>
  );
});

function RankingFooter({ runId, stage, model }: LaneFooterProps) {
  // The ranking and whether the review is done, not the whole lane: its tokens need not re-render this.
  const { runs } = useSession();
  const ranking = useStore(runs, (s) => s[runId]?.stages[stage]?.lanes[model]?.ranking);
  const done = useStore(runs, (s) => s[runId]?.stages[stage]?.lanes[model]?.status === 'done');
  if (!ranking) {
    return done ? <p className="lane-placeholder">No ranking could be read from this review.</p> : null;
  }
  return (
    <div className="ranking">
      <span className="ranking-label">Ranking</span>
      <ol aria-label={`${modelName(model)}'s ranking`}>
        {ranking.map((ranked) => (
          <li key={ranked} style={{ '--model-hue': modelHue(ranked) } as React.CSSProperties} title={ranked}>
            <span className="model-dot" aria-hidden="true" />
            {modelName(ranked)}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Average positions so far from the rankings that are in; the server's aggregate once the run ends. */
export function provisionalRankings(run: Run, stage: number): AggregateRanking[] {
  const positions = new Map<string, number[]>();
  const review = run.stages[stage];
  for (const model of review?.models ?? []) {
    review.lanes[model].ranking?.forEach((ranked, i) => {
      positions.set(ranked, [...(positions.get(ranked) ?? []), i + 1]);
    });
  }
  return [...positions]
    .map(([model, ranks]) => ({ model, averageRank: ranks.reduce((a, b) => a + b, 0) / ranks.length, votes: ranks.length }))
    .sort((a, b) => a.averageRank - b.averageRank || b.votes - a.votes);
}

function AggregateTable({ runId, stage }: { runId: string; stage: number }) {
  const { runs } = useSession();
  const run = useThrottledStore(runs, (s) => s[runId], 300);
  const rows = useMemo(() => (run ? run.aggregateRankings ?? provisionalRankings(run, stage) : []), [run, stage]);
  if (!run || rows.length === 0) return null;
  const final = run.aggregateRankings !== undefined;
  const worst = Math.max(...rows.map((r) => r.averageRank), rows.length);
  return (
    <div className="aggregate">
      <table aria-label="Aggregate ranking">
        <caption>
          Aggregate ranking {final ? '' : <span className="muted">(provisional, as reviews come in)</span>}
        </caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Model</th>
            <th scope="col">Average rank</th>
            <th scope="col">Votes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={row.model} style={{ '--model-hue': modelHue(row.model) } as React.CSSProperties}>
              <td className="rank">{i + 1}</td>
              <td title={row.model}>
                <span className="model-dot" aria-hidden="true" />
                {modelName(row.model)}
              </td>
              <td>
                <span className="rank-bar" aria-hidden="true">
                  <span style={{ width: `${Math.max(6, ((worst - row.averageRank + 1) / worst) * 100)}%` }} />
                </span>
                {row.averageRank.toFixed(2)}
              </td>
              <td>{row.votes}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Which model each anonymous label was: a reviewer's FINAL RANKING lists labels in the order its `ranking` lists
 * model ids, so the two side by side are the key. Shown once the run is over (while it goes, the labels stay blind).
 */
export function labelKey(run: Run, stage: number): { label: string; model: string }[] {
  const key = new Map<string, string>();
  const review = run.stages[stage];
  for (const model of review?.models ?? []) {
    const lane = review.lanes[model];
    if (!lane.ranking) continue;
    const block = lane.text.slice(lane.text.toUpperCase().lastIndexOf('FINAL RANKING'));
    const labels = [...block.matchAll(/Response\s+([A-Z]{1,2})\b/g)].map((m) => m[1]);
    if (labels.length !== lane.ranking.length) continue;
    labels.forEach((label, i) => key.set(label, lane.ranking![i]));
  }
  return [...key].map(([label, model]) => ({ label, model })).sort((a, b) => a.label.length - b.label.length || a.label.localeCompare(b.label));
}

function LabelKey({ runId, stage }: { runId: string; stage: number }) {
  const { runs } = useSession();
  const run = useThrottledStore(runs, (s) => s[runId], 300);
  const key = useMemo(() => (run && !isActive(run) ? labelKey(run, stage) : []), [run, stage]);
  if (key.length === 0) return null;
  return (
    <dl className="label-key" aria-label="Who wrote which response">
      {key.map(({ label, model }) => (
        <div key={label} style={{ '--model-hue': modelHue(model) } as React.CSSProperties}>
          <dt>Response {label}</dt>
          <dd title={model}>
            <span className="model-dot" aria-hidden="true" />
            {modelName(model)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
