import { memo, useState } from 'react';
import { Markdown } from '../markdown/Markdown';
import { useLane, useSession, useStore } from '../store/hooks';
import { hasBegun, isActive, isLanePending, type Lane } from '../store/run-state';
import { modelHue, modelName } from './format';
import { useOnScreen } from './on-screen';
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
  // Off screen (an earlier run's), the streaming synthesis catches up as it scrolls into view.
  const [article, setArticle] = useState<HTMLElement | null>(null);
  const onScreen = useOnScreen(article);
  const lane = useLane(runId, stage, chairman ?? '', onScreen);
  if (models && models.length === 0) {
    return (
      <article className="final lane-waiting" aria-label="Final answer" data-status="waiting">
        <p className="lane-placeholder">The chairman writes the final answer once the reviews are in.</p>
      </article>
    );
  }
  if (!models || !chairman || !lane) return null;

  const text = finalText(lane, final);
  const name = modelName(chairman);
  return (
    <article
      ref={setArticle}
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
        <StatusChip lane={lane} stageStarted={stageStarted} onScreen={onScreen} />
        <FinalReadAloud runId={runId} stage={stage} chairman={chairman} final={final} runActive={runActive} />
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

function finalText(lane: Lane, final: string | undefined): string {
  return lane.text || (lane.status === 'done' ? final ?? '' : '');
}

/** Read aloud follows the synthesis as it streams, on screen or not: a reader who scrolls away still hears it all. */
function FinalReadAloud({ runId, stage, chairman, final, runActive }: { runId: string; stage: number; chairman: string; final: string | undefined; runActive: boolean }) {
  const lane = useLane(runId, stage, chairman);
  if (!lane) return null;
  return <ReadAloudButton text={finalText(lane, final)} streaming={lane.status === 'streaming' || (lane.status === 'waiting' && runActive)} />;
}
