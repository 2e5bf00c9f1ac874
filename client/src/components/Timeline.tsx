import { memo, useState } from 'react';
import { useNow, useSession, useStore, useThrottledStore } from '../store/hooks';
import { isActive, type Lane, type Run } from '../store/run-state';
import { formatAxis, formatMs, modelHue, modelName } from './format';
import { useOnScreen } from './on-screen';

interface Bar {
  lane: Lane;
  start: number;
  firstToken?: number;
  end: number;
  open: boolean;
}

/** When each call was asked, its first token and its end; times relative to the question (ms). */
export function timelineBars(run: Run, now: number): { stage: string; bars: Bar[] }[] {
  if (run.replayed) return replayedBars(run, now);
  return run.stages
    .map((stage) => ({
      stage: stage.name,
      bars: stage.models
        .map((m) => stage.lanes[m])
        .filter((lane) => lane.started && lane.startedAt !== undefined)
        .map((lane) => {
          const start = (lane.startedAt ?? run.createdAt) - run.createdAt;
          const firstToken = lane.ttftMs !== undefined ? start + lane.ttftMs : lane.firstTokenAt !== undefined ? lane.firstTokenAt - run.createdAt : undefined;
          const open = lane.completedAt === undefined;
          const end = lane.durationMs !== undefined ? start + lane.durationMs : (lane.completedAt ?? now) - run.createdAt;
          return { lane, start, firstToken, end: Math.max(end, firstToken ?? start, start), open };
        }),
    }))
    .filter((group) => group.bars.length > 0);
}

/**
 * A replayed run arrived all at once: lay it out from the server's own figures, each stage starting
 * when the one before ended (a stage asks all its models together).
 */
function replayedBars(run: Run, now: number): { stage: string; bars: Bar[] }[] {
  let offset = 0;
  return run.stages
    .map((stage) => {
      const bars = stage.models
        .map((m) => stage.lanes[m])
        .filter((lane) => lane.started)
        .map((lane) => {
          const open = lane.completedAt === undefined;
          const duration = lane.durationMs ?? (lane.startedAt !== undefined ? (lane.completedAt ?? now) - lane.startedAt : 0);
          const firstToken = lane.ttftMs !== undefined ? offset + lane.ttftMs : undefined;
          return { lane, start: offset, firstToken, end: offset + Math.max(duration, lane.ttftMs ?? 0), open };
        });
      offset = Math.max(offset, ...bars.map((b) => b.end));
      return { stage: stage.name, bars };
    })
    .filter((group) => group.bars.length > 0);
}

function tickStep(span: number): number {
  for (const step of [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000]) {
    if (span / step <= 8) return step;
  }
  return 600_000;
}

/** The run as a chart: one row per model per stage, from request to first token to completion. */
export const Timeline = memo(function Timeline({ runId }: { runId: string }) {
  const { runs } = useSession();
  // Off screen, a going run's timeline stands still; it is redrawn when it comes into view, or the run ends.
  const [el, setEl] = useState<HTMLElement | null>(null);
  const onScreen = useOnScreen(el);
  const going = useStore(runs, (s) => (s[runId] ? isActive(s[runId]) : false));
  const run = useThrottledStore(runs, (s) => s[runId], 250, going && !onScreen);
  const active = run ? isActive(run) : false;
  const now = useNow(250, active && onScreen);
  if (!run) return null;
  const groups = timelineBars(run, now);
  if (groups.length === 0) return <p className="lane-placeholder" ref={setEl}>The timeline fills in as models are asked.</p>;
  const lastEnd = Math.max(...groups.flatMap((g) => g.bars.map((b) => b.end)));
  const wallClock = run.replayed ? 0 : (run.completedAt ?? (active ? now : run.createdAt)) - run.createdAt;
  const span = Math.max(lastEnd, wallClock, 500);
  const step = tickStep(span);
  const ticks = Array.from({ length: Math.floor(span / step) + 1 }, (_, i) => i * step);
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / span) * 100))}%`;

  return (
    <figure className="timeline" aria-label="Timeline of the run" ref={setEl}>
      <div className="timeline-axis" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t} style={{ left: pct(t) }}>
            {formatAxis(t)}
          </span>
        ))}
      </div>
      {groups.map((group) => (
        <div className="timeline-group" key={group.stage}>
          <div className="timeline-stage">{group.stage}</div>
          <ul>
            {group.bars.map((bar) => {
              const status = bar.lane.status;
              const description = [
                `asked at ${formatMs(bar.start)}`,
                bar.firstToken !== undefined ? `first token at ${formatMs(bar.firstToken)}` : 'no tokens',
                bar.open ? 'still going' : `${status === 'done' ? 'done' : status} at ${formatMs(bar.end)}`,
              ].join(', ');
              return (
                <li
                  key={bar.lane.model}
                  className={`timeline-row timeline-${status}`}
                  style={{ '--model-hue': modelHue(bar.lane.model) } as React.CSSProperties}
                  aria-label={`${modelName(bar.lane.model)}: ${description}`}
                >
                  <span className="timeline-label" title={bar.lane.model}>
                    {modelName(bar.lane.model)}
                  </span>
                  <span className="timeline-track">
                    {ticks.map((t) => (
                      <span key={t} className="timeline-grid" style={{ left: pct(t) }} />
                    ))}
                    <span
                      className="timeline-wait"
                      style={{ left: pct(bar.start), width: pct((bar.firstToken ?? bar.end) - bar.start) }}
                    />
                    {bar.firstToken !== undefined && (
                      <span className="timeline-stream" style={{ left: pct(bar.firstToken), width: pct(bar.end - bar.firstToken) }} />
                    )}
                    {bar.firstToken !== undefined && <span className="timeline-ttft" style={{ left: pct(bar.firstToken) }} />}
                    {!bar.open && (status === 'cancelled' || status === 'failed') && (
                      <span className={`timeline-mark mark-${status}`} style={{ left: pct(bar.end) }} title={status}>
                        {status === 'cancelled' ? '✕' : '!'}
                      </span>
                    )}
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
      <figcaption className="timeline-legend">
        <span><i className="legend-wait" /> waiting for first token</span>
        <span><i className="legend-stream" /> streaming</span>
        <span><b className="mark-cancelled">✕</b> skipped</span>
        <span><b className="mark-failed">!</b> failed</span>
      </figcaption>
    </figure>
  );
});
