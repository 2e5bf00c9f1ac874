import { useEffect } from 'react';
import { useSession, useStore } from '../store/hooks';
import { isActive } from '../store/run-state';
import { modelName } from './format';
import type { LaneFooterProps } from './LaneCard';

/**
 * "Best answer" under each answer of a finished run: the user's own verdict beside the council's, one pick per run
 * (picking another moves it; picking it again takes it back). It counts in the leaderboard's "your Elo".
 */
export function BestAnswerButton({ runId, stage, model }: LaneFooterProps) {
  const session = useSession();
  const finished = useStore(session.runs, (s) => (s[runId] ? !isActive(s[runId]) : false));
  const answered = useStore(session.runs, (s) => s[runId]?.stages[stage]?.lanes[model]?.status === 'done');
  const pick = useStore(session.picks, (s) => s[runId]);
  useEffect(() => {
    if (finished) session.picks.load(runId);
  }, [finished, runId, session]);
  if (!finished || !answered || pick === undefined) return null;
  const picked = pick === model;
  return (
    <div className="best-answer">
      <button
        type="button"
        className={`btn btn-small ${picked ? 'btn-primary' : 'btn-ghost'}`}
        aria-pressed={picked}
        aria-label="Best answer"
        title={picked ? 'Your pick for the best answer (click to take it back)' : `Pick ${modelName(model)}’s answer as the best`}
        onClick={() => void session.picks.toggle(runId, model)}
      >
        {picked ? '★ Best answer' : '☆ Best answer'}
      </button>
    </div>
  );
}
