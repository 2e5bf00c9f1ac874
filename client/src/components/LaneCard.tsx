import { memo, useEffect, useLayoutEffect, useRef, useState, type ComponentType } from 'react';
import { flushSync } from 'react-dom';
import { Markdown } from '../markdown/Markdown';
import { useLane, useSession, useStore } from '../store/hooks';
import { hasBegun, isActive, isLanePending } from '../store/run-state';
import { modelHue, modelName, modelProvider } from './format';
import { onScreenNow, useOnScreen, watchOnScreen } from './on-screen';
import { CopyButton } from './CopyButton';
import { whenIdle } from './idle';
import { LaneStats } from './LaneStats';
import { StatusChip } from './StatusChip';

export interface LaneFooterProps {
  runId: string;
  stage: number;
  model: string;
}

interface LaneCardProps {
  runId: string;
  stage: number;
  model: string;
  /** Extra content under the text: a reviewer's ranking. */
  footer?: ComponentType<LaneFooterProps>;
  /** Fill the panel (tabs view) rather than a fixed-height grid cell. */
  tall?: boolean;
}

/** One model's lane: status, figures, Skip, and its text streaming as markdown. */
export const LaneCard = memo(function LaneCard({ runId, stage, model, footer: Footer, tall }: LaneCardProps) {
  const session = useSession();
  // Off screen, a streaming lane is not re-rendered per token: it catches up as it scrolls into view.
  const [article, setArticle] = useState<HTMLElement | null>(null);
  const onScreen = useOnScreen(article);
  const lane = useLane(runId, stage, model, onScreen);
  // A lane that ends off screen renders its whole answer when the page is idle (or once in view), not at once:
  // fifty lanes ending together would otherwise all do it in one frame.
  const shownText = useRef('');
  const [released, setReleased] = useState<string>();
  const waiting = !onScreen && lane && !isLanePending(lane) && lane.text !== shownText.current && lane.text !== released ? lane.text : undefined;
  if (waiting === undefined) shownText.current = lane?.text ?? '';
  useEffect(() => (waiting === undefined ? undefined : whenIdle(() => flushSync(() => setReleased(waiting)))), [waiting]);
  const stageStarted = useStore(session.runs, (s) => hasBegun(s[runId]?.stages[stage]));
  const runActive = useStore(session.runs, (s) => (s[runId] ? isActive(s[runId]) : false));
  if (!lane) return null;
  const canSkip = runActive && isLanePending(lane) && (lane.started || stageStarted);
  const name = modelName(model);
  return (
    <article
      ref={setArticle}
      className={`lane lane-${lane.leftOut ? 'left-out' : lane.status}${tall ? ' lane-tall' : ''}`}
      style={{ '--model-hue': modelHue(model) } as React.CSSProperties}
      aria-label={`${name}: ${lane.leftOut ? 'left out' : lane.status}`}
      data-model={model}
      data-status={lane.leftOut ? 'left-out' : lane.status}
      // The text's length once the lane is over (for tests): not updated per token.
      data-length={isLanePending(lane) ? undefined : lane.text.length}
    >
      <header className="lane-header">
        <span className="model-dot" aria-hidden="true" />
        <h4 className="lane-title" title={model}>
          {name}
          {modelProvider(model) && <span className="lane-provider">{modelProvider(model)}</span>}
        </h4>
        <StatusChip lane={lane} stageStarted={stageStarted} onScreen={onScreen} />
        {lane.reviewed === false && (
          <span className="chip chip-queued" title="This answer came in after the reviews had started, so nobody reviewed it.">
            not reviewed
          </span>
        )}
        <CopyButton text={lane.text} />
        {canSkip && (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => void session.skip(runId, stage, model)}
            aria-label={`Skip ${name}`}
            title="Stop this model; the others go on"
          >
            Skip
          </button>
        )}
      </header>
      {lane.reasoning && <LaneReasoning reasoning={lane.reasoning} thinking={lane.status === 'streaming' && lane.text === ''} />}
      <LaneBody text={shownText.current} follow={lane.status === 'streaming'} />
      {lane.error && (
        <p className="lane-error" role="alert">
          {lane.error}
        </p>
      )}
      {lane.status === 'waiting' && !lane.leftOut && lane.text === '' && (lane.started || stageStarted) && (
        <p className="lane-placeholder">Waiting for the first token…</p>
      )}
      {lane.leftOut && <p className="lane-placeholder">Not part of this stage.</p>}
      {Footer && <Footer runId={runId} stage={stage} model={model} />}
      {(lane.started || lane.text) && <LaneStats lane={lane} />}
    </article>
  );
});

// Streaming lanes keep their newest text in view. Doing that costs a layout, so it is done only for
// lanes on screen, and for all of them together once a commit is done: fifty streaming lanes cost one
// layout per frame rather than fifty. A lane scrolled back into view catches up then.
const toFollow = new Set<HTMLElement>();
const behind = new WeakSet<HTMLElement>();

const laneOf = (body: HTMLElement): Element => body.closest('.lane, .final') ?? body;

function watchVisibility(body: HTMLElement): () => void {
  return watchOnScreen(laneOf(body), (visible) => {
    if (visible && behind.has(body)) followLater(body);
  });
}

function followLater(el: HTMLElement): void {
  if (onScreenNow(laneOf(el)) !== true) {
    behind.add(el);
    return;
  }
  behind.delete(el);
  if (toFollow.size === 0) {
    queueMicrotask(() => {
      const heights = [...toFollow].map((e) => [e, e.scrollHeight] as const);
      toFollow.clear();
      for (const [e, height] of heights) e.scrollTop = height;
    });
  }
  toFollow.add(el);
}

/** The model's reasoning, collapsed under a summary; opened, it is plain text (no markdown: it is not the answer). */
function LaneReasoning({ reasoning, thinking }: { reasoning: string; thinking: boolean }) {
  const words = reasoning.trim().split(/\s+/).length;
  return (
    <details className="lane-reasoning">
      <summary>
        {thinking ? 'Thinking…' : 'Reasoning'} <span className="lane-reasoning-size">{words} {words === 1 ? 'word' : 'words'}</span>
      </summary>
      <p className="lane-reasoning-text">{reasoning}</p>
    </details>
  );
}

/** The lane's text; keeps the newest tokens in view unless the reader scrolled up. */
function LaneBody({ text, follow }: { text: string; follow: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  // Only a reader's own scrolling unpins; the scrolls this component makes say nothing.
  const readerScrolling = useRef(0);
  useEffect(() => (ref.current ? watchVisibility(ref.current) : undefined), [text !== '']);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow && pinned.current) followLater(el);
  }, [text, follow]);
  if (!text) return null;
  const intent = () => (readerScrolling.current = performance.now());
  return (
    <div
      ref={ref}
      className="lane-body"
      tabIndex={0}
      aria-label="Answer text"
      onWheel={intent}
      onTouchMove={intent}
      onPointerDown={intent}
      onKeyDown={intent}
      onScroll={(e) => {
        if (performance.now() - readerScrolling.current > 1000) return;
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 32;
      }}
    >
      <Markdown text={text} streaming={follow} />
    </div>
  );
}
