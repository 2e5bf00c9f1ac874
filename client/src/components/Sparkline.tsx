import type { StatsSample } from '../store/operations-store';

const width = 300;
const height = 64;
const pad = 4;

export interface SparklineProps {
  samples: readonly StatsSample[];
  value: (sample: StatsSample) => number;
  /** Says what the line is, for screen readers (with the current and highest values). */
  label: string;
  format: (value: number) => string;
  /** The time the chart spans, ending at the newest sample (ms). */
  windowMs?: number;
  /** Samples further apart than this are not joined: polling was paused in between (ms). */
  gapMs?: number;
}

/**
 * A small line chart of recent samples, hand-drawn in SVG: time on x (the last `windowMs`), the value on y
 * from 0 to the highest value shown. It stretches to its box; the newest point is marked.
 */
export function Sparkline({ samples, value, label, format, windowMs = 60_000, gapMs = 3_500 }: SparklineProps) {
  const newest = samples.at(-1);
  const peak = Math.max(0, ...samples.map(value));
  const top = niceCeiling(peak);
  const start = (newest?.at ?? 0) - windowMs;
  const x = (s: StatsSample) => ((s.at - start) / windowMs) * width;
  const y = (s: StatsSample) => height - pad - (Math.max(0, value(s)) / top) * (height - 2 * pad);

  const segments: StatsSample[][] = [];
  for (const s of samples) {
    const current = segments.at(-1);
    const previous = current?.at(-1);
    if (current && previous && s.at - previous.at <= gapMs) current.push(s);
    else segments.push([s]);
  }
  const summary = newest
    ? `${label}, last ${Math.round(windowMs / 1000)} s: now ${format(value(newest))}, peak ${format(peak)}`
    : `${label}: no samples yet`;

  return (
    <div className="sparkline">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={summary} data-points={samples.length}>
        <line className="sparkline-base" x1={0} x2={width} y1={height - pad} y2={height - pad} />
        <line className="sparkline-grid" x1={0} x2={width} y1={pad} y2={pad} />
        {segments.map((segment) => {
          const points = segment.map((s) => `${round(x(s))},${round(y(s))}`).join(' ');
          const first = segment[0];
          const last = segment[segment.length - 1];
          const area = `M${round(x(first))},${height - pad} L${points.replaceAll(' ', ' L')} L${round(x(last))},${height - pad} Z`;
          return (
            <g key={first.at}>
              <path className="sparkline-area" d={area} />
              <polyline className="sparkline-line" points={points} />
            </g>
          );
        })}
      </svg>
      {newest && (
        <span
          className="sparkline-now"
          aria-hidden="true"
          style={{ left: `${(x(newest) / width) * 100}%`, top: `${(y(newest) / height) * 100}%` }}
        />
      )}
      <span className="sparkline-scale" aria-hidden="true">
        {format(top)}
      </span>
    </div>
  );
}

/** 1, 2, 5, 10, 20, 50…: a round top for the y axis at or above the peak. */
export function niceCeiling(peak: number): number {
  if (!(peak > 1)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(peak));
  for (const step of [1, 2, 5, 10]) if (peak <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
