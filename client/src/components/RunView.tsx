import { memo, useEffect, useState } from 'react';
import { Markdown } from '../markdown/Markdown';
import { useNow, useSession, useStore } from '../store/hooks';
import type { Turn } from '../store/conversations';
import { isActive } from '../store/run-state';
import { BestAnswerButton } from './BestAnswerButton';
import { CopyButton } from './CopyButton';
import { FinalAnswer } from './FinalAnswer';
import { formatCost, formatMs, formatTokens } from './format';
import { LanesPanel, LaneViewToggle } from './LanesPanel';
import { ReadAloudButton } from './ReadAloudButton';
import { ReviewsPanel } from './ReviewsPanel';
import { SearchResults } from './SearchResults';
import { StageBar } from './StageBar';
import { Timeline } from './Timeline';

interface StageOutline {
  index: number;
  kind: string;
  name: string;
}

const sectionTitles: Record<string, string> = { answers: 'Answers', review: 'Reviews', synthesis: 'Final answer' };

/** One question and everything its run produced. */
export const TurnView = memo(function TurnView({ turn, latest }: { turn: Turn; latest: boolean }) {
  const session = useSession();
  const known = useStore(session.runs, (s) => (turn.runId ? s[turn.runId] !== undefined : false));
  useEffect(() => {
    if (turn.runId && !known) session.ensureRun(turn.runId, turn.prompt);
  }, [session, turn.runId, turn.prompt, known]);

  return (
    <section className="turn" aria-label={`Question: ${turn.prompt.slice(0, 80)}`}>
      <div className="question">
        <p>{turn.prompt}</p>
      </div>
      {turn.error ? (
        <p className="run-error" role="alert">
          The council could not start: {turn.error}
        </p>
      ) : !turn.runId ? (
        <p className="lane-placeholder" role="status">
          <span className="pulse" aria-hidden="true" /> Sending to the council…
        </p>
      ) : (
        <RunView runId={turn.runId} initiallyExpanded={latest} />
      )}
    </section>
  );
});

export const RunView = memo(function RunView({ runId, initiallyExpanded }: { runId: string; initiallyExpanded: boolean }) {
  const session = useSession();
  const outlineKey = useStore(session.runs, (s) => s[runId]?.stages.map((st) => `${st.index}\u0001${st.kind}\u0001${st.name}`).join('\u0002') ?? '');
  const status = useStore(session.runs, (s) => s[runId]?.status);
  const active = useStore(session.runs, (s) => (s[runId] ? isActive(s[runId]) : false));
  const [expanded, setExpanded] = useState(initiallyExpanded || active);
  useEffect(() => {
    if (active) setExpanded(true);
  }, [active]);
  if (!status) return null;

  const outline: StageOutline[] = outlineKey
    ? outlineKey.split('\u0002').map((entry) => {
        const [index, kind, name] = entry.split('\u0001');
        return { index: Number(index), kind, name };
      })
    : [];
  const synthesis = [...outline].reverse().find((s) => s.kind === 'synthesis');
  const shown = expanded ? outline : synthesis ? [synthesis] : [];

  return (
    <div className={`run run-${status}`} data-run-id={runId} data-status={status}>
      <RunHeader runId={runId} expanded={expanded} onToggle={() => setExpanded((e) => !e)} />
      {expanded && <StageBar runId={runId} />}
      {expanded && <SearchResults runId={runId} />}
      {shown.map((stage) => (
        <section key={stage.index} className={`run-section section-${stage.kind}`} id={`${runId}-stage-${stage.index}`} aria-label={titleOf(stage)}>
          <StageContent runId={runId} stage={stage} />
        </section>
      ))}
      {!synthesis && <FinalResult runId={runId} />}
      {expanded && outline.length > 0 && (
        <section className="run-section section-timeline" aria-label="Timeline">
          <h3 className="section-title">Timeline</h3>
          <Timeline runId={runId} />
        </section>
      )}
    </div>
  );
});

/** A workflow without a synthesis stage (a pipeline): the run's final output, once it ends. */
function FinalResult({ runId }: { runId: string }) {
  const { runs } = useSession();
  const final = useStore(runs, (s) => s[runId]?.final);
  if (!final) return null;
  return (
    <section className="run-section section-final" aria-label="Result">
      <div className="section-head">
        <h3 className="section-title">Result</h3>
      </div>
      <article className="final" aria-label="Final answer" data-status="done">
        <header className="final-header">
          <ReadAloudButton text={final} streaming={false} />
          <CopyButton text={final} />
        </header>
        <Markdown text={final} className="final-text" />
      </article>
    </section>
  );
}

function titleOf(stage: StageOutline): string {
  return sectionTitles[stage.kind] ?? stage.name.charAt(0).toUpperCase() + stage.name.slice(1);
}

function StageContent({ runId, stage }: { runId: string; stage: StageOutline }) {
  const session = useSession();
  const started = useStore(session.runs, (s) => {
    const st = s[runId]?.stages[stage.index];
    return st ? st.phase !== 'pending' || st.models.some((m) => st.lanes[m].started) : false;
  });
  const skipped = useStore(session.runs, (s) => s[runId]?.stages[stage.index]?.phase === 'skipped');
  const several = useStore(session.runs, (s) => (s[runId]?.stages[stage.index]?.models.length ?? 0) > 1);
  const title = titleOf(stage);
  const lanes = stage.kind !== 'synthesis' && started && several;
  return (
    <>
      <div className="section-head">
        <h3 className="section-title">{title}</h3>
        {lanes && <LaneViewToggle label={title} />}
      </div>
      {stage.kind === 'synthesis' ? (
        <FinalAnswer runId={runId} stage={stage.index} />
      ) : !started ? (
        <p className="lane-placeholder">
          {skipped
            ? 'Skipped: too few answers to review.'
            : stage.kind === 'review'
              ? 'Once the answers are in, each model ranks them without knowing who wrote which.'
              : 'Not started yet.'}
        </p>
      ) : stage.kind === 'review' ? (
        <ReviewsPanel runId={runId} stage={stage.index} />
      ) : (
        <LanesPanel runId={runId} stage={stage.index} label={title} footer={stage.kind === 'answers' ? BestAnswerButton : undefined} />
      )}
    </>
  );
}

function RunHeader({ runId, expanded, onToggle }: { runId: string; expanded: boolean; onToggle: () => void }) {
  const session = useSession();
  const run = useStore(session.runs, (s) => s[runId]);
  const active = run ? isActive(run) : false;
  const now = useNow(500, active);
  if (!run) return null;
  const elapsed = (run.completedAt ?? now) - run.createdAt;
  const metrics = run.metrics;
  const cost = formatCost(metrics?.cost);
  const label = run.stopRequested ? 'stopping…' : run.status === 'starting' ? 'starting' : run.status === 'ok' ? 'done' : run.status;
  return (
    <header className="run-header">
      <span className={`run-status run-status-${run.stopRequested ? 'stopping' : run.status}`} role="status">
        {active && <span className="pulse" aria-hidden="true" />}
        {label}
      </span>
      <span className="run-meta">
        {run.workflow ?? 'council'} · {formatMs(metrics?.durationMs ?? elapsed)}
        {metrics && (
          <>
            {' '}
            · tokens {formatTokens(metrics.promptTokens)} in, {formatTokens(metrics.completionTokens)} out
            {cost && <> · {cost}</>}
          </>
        )}
      </span>
      <span className="spacer" />
      {active && (
        <button type="button" className="btn btn-danger btn-small" onClick={() => void session.stop(runId)} disabled={run.stopRequested} aria-label="Stop this run" title="Stop the run (Esc)">
          Stop
        </button>
      )}
      {!active && (
        <button type="button" className="btn btn-ghost btn-small" onClick={onToggle} aria-expanded={expanded} aria-label={expanded ? 'Hide the details of this run' : 'Show the details of this run'}>
          {expanded ? 'Hide details' : 'Show details'}
        </button>
      )}
      {run.error && (
        <p className="run-error" role="alert">
          {run.error}
        </p>
      )}
      {run.actionError && (
        <p className="run-error run-action-error" role="alert">
          {run.actionError}
        </p>
      )}
    </header>
  );
}
