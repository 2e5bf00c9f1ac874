import { useEffect, useState } from 'react';
import type { LeaderboardReport } from '@council/client';
import { useSession, useStore } from '../store/hooks';
import { modelHue, modelName } from './format';

const periods = [
  ['all', 'All time'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
] as const;

type Load = { status: 'loading' } | { status: 'ok'; report: LeaderboardReport } | { status: 'error'; message: string };

/** The models ranked across this user's runs: by the council's votes (Elo from every review) and by the user's picks. */
export function LeaderboardView() {
  const session = useSession();
  const workflows = useStore(session.connection, (s) => s.workflows);
  const [period, setPeriod] = useState<string>('all');
  const [workflow, setWorkflow] = useState('');
  const [models, setModels] = useState<readonly string[]>([]);
  const [known, setKnown] = useState<readonly string[]>([]);
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    let current = true;
    const query = new URLSearchParams({ period });
    if (workflow) query.set('workflow', workflow);
    if (models.length) query.set('models', models.join(','));
    setLoad((l) => (l.status === 'ok' ? l : { status: 'loading' }));
    session
      .api(`/api/leaderboard?${query}`, { headers: { accept: 'application/json' } })
      .then(async (response) => {
        if (!response.ok) throw new Error(((await response.json().catch(() => undefined)) as { detail?: string } | undefined)?.detail ?? `HTTP ${response.status}`);
        const report = (await response.json()) as LeaderboardReport;
        if (!current) return;
        setLoad({ status: 'ok', report });
        if (!models.length) setKnown(report.models.map((m) => m.model));
      })
      .catch((error: unknown) => current && setLoad({ status: 'error', message: error instanceof Error ? error.message : String(error) }));
    return () => {
      current = false;
    };
  }, [session, period, workflow, models]);

  const toggle = (model: string) => setModels((m) => (m.includes(model) ? m.filter((x) => x !== model) : [...m, model]));
  return (
    <section className="leaderboard" aria-label="Leaderboard">
      <p className="muted">
        Every review ranks the answers; each pair it orders is a vote. <strong>Council Elo</strong> rates the models on those votes (K = 32, from 1000);
        <strong> your Elo</strong> on your “Best answer” picks, where the pick beats every other answer of that run.
      </p>
      <form className="leaderboard-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Period{' '}
          <select value={period} onChange={(e) => setPeriod(e.target.value)}>
            {periods.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Workflow{' '}
          <select value={workflow} onChange={(e) => setWorkflow(e.target.value)}>
            <option value="">Every workflow</option>
            {workflows?.map((w) => (
              <option key={w.name} value={w.name}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        {known.length > 1 && (
          <fieldset className="leaderboard-models">
            <legend>Models (none: all)</legend>
            {known.map((model) => (
              <label key={model} title={model}>
                <input type="checkbox" checked={models.includes(model)} onChange={() => toggle(model)} /> {modelName(model)}
              </label>
            ))}
          </fieldset>
        )}
      </form>
      {load.status === 'loading' && <p className="lane-placeholder">Counting the votes…</p>}
      {load.status === 'error' && (
        <p className="lane-error" role="alert">
          The leaderboard could not be loaded: {load.message}
        </p>
      )}
      {load.status === 'ok' && <Board report={load.report} />}
    </section>
  );
}

function Board({ report }: { report: LeaderboardReport }) {
  if (report.models.length === 0) return <p className="lane-placeholder">No finished runs match. Ask the council something, then come back.</p>;
  const num = (v: number | null | undefined, digits = 0) => (v == null ? '—' : v.toFixed(digits));
  const pct = (v: number | null | undefined) => (v == null ? '—' : `${Math.round(v * 100)}%`);
  return (
    <>
      <p className="leaderboard-summary">
        {report.runs} {report.runs === 1 ? 'run' : 'runs'} · {report.picks} best-answer {report.picks === 1 ? 'pick' : 'picks'}
        {report.agreementRuns > 0 && (
          <>
            {' '}
            · the council’s top answer was your pick in <strong>{pct(report.councilAgreement)}</strong> of {report.agreementRuns}
          </>
        )}
      </p>
      <div className="aggregate">
        <table aria-label="Leaderboard table" className="leaderboard-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Model</th>
              <th scope="col" title="Elo from every review's pairwise preferences">Council Elo</th>
              <th scope="col" title="Elo from your best-answer picks">Your Elo</th>
              <th scope="col">Avg rank</th>
              <th scope="col" title="Ranked first by the council">Win rate</th>
              <th scope="col">Runs</th>
              <th scope="col">Answers</th>
              <th scope="col" title="Your best-answer picks">Picks</th>
              <th scope="col" title="Median time to first token">TTFT</th>
              <th scope="col" title="Median tokens per second">Tok/s</th>
              <th scope="col">Failed</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {report.models.map((m, i) => (
              <tr key={m.model} data-model={m.model} style={{ '--model-hue': modelHue(m.model) } as React.CSSProperties}>
                <td className="rank">{i + 1}</td>
                <td title={m.model}>
                  <span className="model-dot" aria-hidden="true" />
                  {modelName(m.model)}
                </td>
                <td>{num(m.elo)}</td>
                <td>{num(m.userElo)}</td>
                <td>{num(m.averageRank, 2)}</td>
                <td>{pct(m.winRate)}</td>
                <td>{m.runs}</td>
                <td>{m.answers}</td>
                <td>{m.userPicks}</td>
                <td>{m.medianTtftMs == null ? '—' : `${Math.round(m.medianTtftMs)} ms`}</td>
                <td>{num(m.medianTokensPerSecond, 1)}</td>
                <td>{pct(m.failureRate)}</td>
                <td>{m.totalCost == null ? '—' : `$${m.totalCost.toFixed(4)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
