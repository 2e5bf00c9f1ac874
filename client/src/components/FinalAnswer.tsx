import { memo } from 'react';
import { Markdown } from '../markdown/Markdown';
import { useLane, useSession, useStore } from '../store/hooks';
import { hasBegun, isActive, isLanePending } from '../store/run-state';
import { modelHue, modelName } from './format';
import { CopyButton } from './CopyButton';
import { LaneStats } from './LaneStats';
import { ReadAloudButton } from './ReadAloudButton';
import { StatusChip } from './StatusChip';

/** The chairman's synthesis, streaming in large type; notes a fallback chairman taking over. */
export const FinalAnswer = memo(function FinalAnswer({ runId, stage }: { runId: string; stage: number }) {
  const session = useSession();
  const models = useStore(session.runs, (s) => s[runId]?.stages[stage]?.models);
  // The chairman is the last model asked in the stage: a fallback replaces one that failed.
  const chairman = useStore(session.runs, (s) => {
    const st = s[runId]?.stages[stage];
    const started = st?.models.filter((m) => st.lanes[m].started) ?? [];
    return started[started.length - 1] ?? st?.models[0];
  });
  const fallbacks = useStore(session.runs, (s) => s[runId]?.fallbacks);
  const final = useStore(session.runs, (s) => s[runId]?.final);
  const runActive = useStore(session.runs, (s) => (s[runId] ? isActive(s[runId]) : false));
  const stageStarted = useStore(session.runs, (s) => hasBegun(s[runId]?.stages[stage]));
  const lane = useLane(runId, stage, chairman ?? '');
  if (models && models.length === 0) {
    return (
      <article className="final lane-waiting" aria-label="Final answer" data-status="waiting">
        <p className="lane-placeholder">The chairman writes the final answer once the reviews are in.</p>
      </article>
    );
  }
  if (!models || !chairman || !lane) return null;

  const text = lane.text || (lane.status === 'done' ? final ?? '' : '');
  const name = modelName(chairman);
  return (
    <article
      className={`final lane-${lane.leftOut ? 'left-out' : lane.status}`}
      style={{ '--model-hue': modelHue(chairman) } as React.CSSProperties}
      aria-label="Final answer"
      data-status={lane.leftOut ? 'left-out' : lane.status}
    >
      <header className="final-header">
        <span className="model-dot" aria-hidden="true" />
        <span className="final-byline" title={chairman}>
          Chairman <strong>{name}</strong>
        </span>
        <StatusChip lane={lane} stageStarted={stageStarted} />
        <ReadAloudButton text={text} streaming={lane.status === 'streaming' || (lane.status === 'waiting' && runActive)} />
        <CopyButton text={text} />
        {runActive && isLanePending(lane) && (lane.started || stageStarted) && (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void session.skip(runId, stage, chairman)} aria-label={`Skip ${name}`}>
            Skip
          </button>
        )}
      </header>
      {fallbacks
        ?.filter((f) => f.stage === stage)
        .map((f) => (
          <p className="fallback-note" role="note" key={f.model}>
            <strong>{modelName(f.failedModel)}</strong> failed{f.error ? ` (${f.error})` : ''}; <strong>{modelName(f.model)}</strong> took over as
            chairman.
          </p>
        ))}
      {text ? (
        <Markdown text={text} className="final-text" streaming={lane.status === 'streaming'} />
      ) : lane.leftOut ? (
        <p className="lane-placeholder">No final answer: the run ended before the synthesis.</p>
      ) : stageStarted || lane.started ? (
        <p className="lane-placeholder">The chairman is reading the answers and the reviews…</p>
      ) : (
        <p className="lane-placeholder">{name} writes the final answer once the reviews are in.</p>
      )}
      {lane.error && (
        <p className="lane-error" role="alert">
          {lane.error}
        </p>
      )}
      {lane.started && <LaneStats lane={lane} />}
    </article>
  );
});
