import { memo, useEffect, useRef, useState } from 'react';
import { withoutVerdict } from '@council/client';
import { Markdown } from '../markdown/Markdown';
import { useNow, useSession, useStore, useStoreFields } from '../store/hooks';
import type { Turn } from '../store/conversations';
import { hasBegun, isActive, isLanePending, type Run } from '../store/run-state';
import { Pulse } from './beat';
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
    if (turn.runId && !known) session.ensureRun(turn.runId, turn.prompt, turn);
  }, [session, turn, known]);

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
          <Pulse /> Sending to the council…
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
  // Once the chairman starts, the final answer moves to the top of the run, into view: it is not 1,500 px below two
  // grids of lanes. Stages whose lanes are all done can be folded away.
  const synthesisBegun = useStore(session.runs, (s) => s[runId]?.stages.some((st) => st.kind === 'synthesis' && hasBegun(st)) ?? false);
  const [folded, setFolded] = useState<Readonly<Record<number, boolean>>>({});
  const top = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (synthesisBegun && initiallyExpanded && active) top.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [synthesisBegun, initiallyExpanded, active]);
  if (!status) return null;

  const outline: StageOutline[] = outlineKey
    ? outlineKey.split('\u0002').map((entry) => {
        const [index, kind, name] = entry.split('\u0001');
        return { index: Number(index), kind, name };
      })
    : [];
  const synthesis = [...outline].reverse().find((s) => s.kind === 'synthesis');
  const pinned = synthesisBegun && synthesis ? [synthesis, ...outline.filter((s) => s !== synthesis)] : outline;
  const shown = expanded ? pinned : synthesis ? [synthesis] : [];

  return (
    <div className={`run run-${status}`} data-run-id={runId} data-status={status} ref={top}>
      <RunHeader runId={runId} expanded={expanded} onToggle={() => setExpanded((e) => !e)} />
      {expanded && <StageBar runId={runId} />}
      {expanded && <SearchResults runId={runId} />}
      {shown.map((stage) => (
        <section key={stage.index} className={`run-section section-${stage.kind}`} id={`${runId}-stage-${stage.index}`} aria-label={titleOf(stage)}>
          <StageContent
            runId={runId}
            stage={stage}
            folded={folded[stage.index] === true}
            onFold={(fold) => setFolded((f) => ({ ...f, [stage.index]: fold }))}
          />
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
          <ReadAloudButton text={withoutVerdict(final)} streaming={false} />
          <CopyButton text={withoutVerdict(final)} />
        </header>
        <Markdown text={withoutVerdict(final)} className="final-text" />
      </article>
    </section>
  );
}

function titleOf(stage: StageOutline): string {
  return sectionTitles[stage.kind] ?? stage.name.charAt(0).toUpperCase() + stage.name.slice(1);
}

function StageContent({ runId, stage, folded, onFold }: { runId: string; stage: StageOutline; folded: boolean; onFold: (fold: boolean) => void }) {
  const session = useSession();
  const started = useStore(session.runs, (s) => {
    const st = s[runId]?.stages[stage.index];
    return st ? hasBegun(st) || st.models.some((m) => st.lanes[m].started) : false;
  });
  const skipped = useStore(session.runs, (s) => s[runId]?.stages[stage.index]?.phase === 'skipped');
  const several = useStore(session.runs, (s) => (s[runId]?.stages[stage.index]?.models.length ?? 0) > 1);
  // Only a stage whose lanes are all over folds: one still streaming stays open.
  const over = useStore(session.runs, (s) => {
    const st = s[runId]?.stages[stage.index];
    return st ? st.models.every((m) => !isLanePending(st.lanes[m])) : false;
  });
  const title = titleOf(stage);
  const lanes = stage.kind !== 'synthesis' && started && several;
  const foldable = stage.kind !== 'synthesis' && started && over;
  const hide = foldable && folded;
  return (
    <>
      <div className="section-head">
        <h3 className="section-title">{title}</h3>
        {lanes && !hide && <LaneViewToggle label={title} />}
        {foldable && (
          <button type="button" className="btn btn-ghost btn-small" aria-expanded={!hide} onClick={() => onFold(!hide)}>
            {hide ? `Show ${title.toLowerCase()}` : `Hide ${title.toLowerCase()}`}
          </button>
        )}
      </div>
      {/* Folded lanes stay in the page, hidden: unfolding shows them as they were, scroll positions included. */}
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
        <ReviewsPanel runId={runId} stage={stage.index} lanesHidden={hide} />
      ) : (
        <div className="stage-body" hidden={hide}>
          <LanesPanel runId={runId} stage={stage.index} label={title} footer={stage.kind === 'answers' ? BestAnswerButton : undefined} />
        </div>
      )}
    </>
  );
}

/** What the run's header shows of it: a token does not change any of it. */
type HeaderFields = Pick<Run, 'status' | 'workflow' | 'stopRequested' | 'interrupted' | 'error' | 'actionError' | 'metrics' | 'createdAt' | 'completedAt' | 'stages' | 'lastEventAt'>;

const noStages: Run['stages'] = [];

function headerFields(run: Run | undefined): HeaderFields | undefined {
  if (!run) return undefined;
  const { status, workflow, stopRequested, interrupted, error, actionError, metrics, createdAt, completedAt } = run;
  // The lanes and the time of the last event count only for a run a restart cut off, which streams no more.
  const cut = interrupted === true;
  return { status, workflow, stopRequested, interrupted, error, actionError, metrics, createdAt, completedAt, stages: cut ? run.stages : noStages, lastEventAt: cut ? run.lastEventAt : undefined };
}

/** The run's figures in the header: the server's metrics, or (a run cut off by a restart) what its events add up to. */
export function runFigures(run: HeaderFields, now: number): { durationMs: number; promptTokens?: number; completionTokens?: number; approximate: boolean } {
  const elapsed = (run.completedAt ?? now) - run.createdAt;
  const metrics = run.metrics;
  if (!metrics) return { durationMs: elapsed, approximate: false };
  if (!run.interrupted) return { durationMs: metrics.durationMs, promptTokens: metrics.promptTokens, completionTokens: metrics.completionTokens, approximate: false };
  // The server stopped mid-run: its closing metrics count only the calls that had completed, and no duration.
  let cut = 0;
  for (const stage of run.stages) for (const m of stage.models) if (stage.lanes[m].status === 'interrupted' && !stage.lanes[m].usage) cut += stage.lanes[m].tokens;
  const lastSeen = Math.max(run.completedAt ?? now, run.lastEventAt ?? 0) - run.createdAt;
  return { durationMs: metrics.durationMs || lastSeen, promptTokens: metrics.promptTokens, completionTokens: metrics.completionTokens + cut, approximate: cut > 0 };
}

function RunHeader({ runId, expanded, onToggle }: { runId: string; expanded: boolean; onToggle: () => void }) {
  const session = useSession();
  const run = useStoreFields(session.runs, (s) => headerFields(s[runId]));
  const online = useStore(session.connection, (s) => s.state === 'connected');
  const active = run ? isActive(run) : false;
  const paused = active && !online;
  // While the connection is down nothing is known of the run: its clock stops rather than count on.
  const now = useNow(500, active && online);
  if (!run) return null;
  const figures = runFigures(run, now);
  const cost = formatCost(run.metrics?.cost);
  const status = run.interrupted && run.status === 'failed' ? 'interrupted' : run.status;
  const label = paused
    ? 'paused · reconnecting…'
    : run.stopRequested
      ? 'stopping…'
      : status === 'starting'
        ? 'starting'
        : status === 'ok'
          ? 'done'
          : status;
  const retry = !active && (status === 'failed' || status === 'interrupted');
  const approx = figures.approximate ? '≈' : '';
  return (
    <header className="run-header">
      <span className={`run-status run-status-${paused ? 'paused' : run.stopRequested ? 'stopping' : status}`} role="status">
        {active && !paused && <Pulse />}
        {label}
      </span>
      <span className="run-meta">
        {run.workflow ?? 'council'} · {formatMs(figures.durationMs)}
        {figures.completionTokens !== undefined && (
          <>
            {' '}
            · tokens {formatTokens(figures.promptTokens ?? 0)} in, {approx}
            {formatTokens(figures.completionTokens)} out
            {cost && <> · {cost}</>}
          </>
        )}
      </span>
      <span className="spacer" />
      {retry && (
        <button type="button" className="btn btn-primary btn-small" onClick={() => void session.retry(runId)} title="Ask the same question again, with the same settings">
          Retry
        </button>
      )}
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
      {paused && (
        <p className="run-paused" role="note">
          The connection to the server is down; the run resumes here from where it left off once it is back.
        </p>
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
