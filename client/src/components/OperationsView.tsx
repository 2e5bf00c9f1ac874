import { useEffect } from 'react';
import type { LatencySummary, ServerStats, StatusCounts } from '../council/stats-types';
import { useSession, useStore } from '../store/hooks';
import type { OperationsStatus, StatsSample } from '../store/operations-store';
import { useBeat } from './beat';
import { formatCount, formatLatency, formatRate, formatUptime } from './format';
import { Sparkline } from './Sparkline';

/** The server's live figures (`GET /api/stats`, admins only), polled while this view is open and the page visible. */
export function OperationsView() {
  const { operations } = useSession();
  useEffect(() => operations.watch(), [operations]);
  const status = useStore(operations, (s) => s.status);
  const stats = useStore(operations, (s) => s.stats);
  const samples = useStore(operations, (s) => s.samples);
  const error = useStore(operations, (s) => s.error);

  if (status === 'forbidden') {
    return (
      <div className="operations">
        <div className="ops-notice" role="alert">
          <h2>Operations need the admin role</h2>
          <p>
            The server shows its live figures to admins only, and your API key’s user is not one. Sign in with an admin’s key, or ask
            whoever runs this server for the role.
          </p>
          <button type="button" className="btn" onClick={() => operations.retry()}>
            Try again
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="operations" data-status={status}>
      <div className="ops-head">
        <LiveStatus status={status} error={error} />
        {stats && (
          <span className="ops-meta">
            updated {new Date(stats.at).toLocaleTimeString()} · up {formatUptime(stats.uptimeSeconds)}
          </span>
        )}
        {status === 'error' && (
          <button type="button" className="btn btn-small" onClick={() => operations.retry()}>
            Retry now
          </button>
        )}
      </div>
      {stats ? <Figures stats={stats} samples={samples} /> : status === 'loading' && <p className="muted">Loading the server’s figures…</p>}
    </div>
  );
}

function LiveStatus({ status, error }: { status: OperationsStatus; error: string | undefined }) {
  const text =
    status === 'live'
      ? 'Live'
      : status === 'loading'
        ? 'Connecting…'
        : status === 'paused'
          ? 'Paused while the page is hidden'
          : status === 'idle'
            ? 'Not polling'
            : (error ?? 'Not polling');
  useBeat(status === 'live' || status === 'loading');
  return (
    <span className={`ops-status ops-status-${status}`} role="status">
      <span className="ops-status-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function Figures({ stats, samples }: { stats: ServerStats; samples: readonly StatsSample[] }) {
  return (
    <>
      <section aria-labelledby="ops-now">
        <h2 id="ops-now" className="section-title">
          Now
        </h2>
        <dl className="ops-tiles">
          <Tile metric="active-runs" label="Active runs" value={stats.activeRuns} note={`${formatCount(stats.runs.started)} started`} />
          <Tile metric="active-model-calls" label="Model calls" value={stats.activeModelCalls} note="streaming or waiting" />
          <Tile metric="connections" label="Connections" value={stats.connections} note="SignalR" />
          <Tile metric="subscribers" label="Subscribers" value={stats.subscribers} note="run subscriptions" />
        </dl>
        <div className="ops-charts">
          <RateChart
            metric="tokens-per-second"
            label="Tokens / s"
            spoken="Tokens per second"
            value={stats.tokensPerSecond}
            samples={samples}
            pick={tokens}
          />
          <RateChart
            metric="events-per-second"
            label="Events / s"
            spoken="Events per second"
            value={stats.eventsPerSecond}
            samples={samples}
            pick={events}
          />
        </div>
      </section>

      <section aria-labelledby="ops-latency">
        <h2 id="ops-latency" className="section-title">
          Latency, last minute
        </h2>
        <table className="ops-table" aria-labelledby="ops-latency">
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col">p50</th>
              <th scope="col">p99</th>
              <th scope="col">Samples</th>
            </tr>
          </thead>
          <tbody>
            <LatencyRow metric="ttft" label="Time to first token" summary={stats.lastMinute.timeToFirstTokenMs} />
            <LatencyRow metric="model-call" label="Model call duration" summary={stats.lastMinute.modelCallDurationMs} />
            <LatencyRow metric="cancel" label="Cancel to complete" summary={stats.lastMinute.cancelToCompleteMs} />
            <LatencyRow metric="send-lag" label="Send lag" summary={stats.lastMinute.sendLagMs} />
          </tbody>
        </table>
      </section>

      <div className="ops-columns">
        <section aria-labelledby="ops-status">
          <h2 id="ops-status" className="section-title">
            By status, since the server started
          </h2>
          <table className="ops-table" aria-labelledby="ops-status">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Counted</span>
                </th>
                <th scope="col">Started</th>
                <th scope="col">Going</th>
                <th scope="col">OK</th>
                <th scope="col">Cancelled</th>
                <th scope="col">Failed</th>
                <th scope="col" className="ops-share-head">
                  <span className="visually-hidden">Share</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <StatusRow metric="runs" label="Runs" counts={stats.runs} />
              <StatusRow metric="model-calls" label="Model calls" counts={stats.modelCalls} />
            </tbody>
          </table>
        </section>
        <ErrorsByProvider errors={stats.errorsByProvider} />
      </div>
    </>
  );
}

const tokens = (s: StatsSample) => s.tokensPerSecond;
const events = (s: StatsSample) => s.eventsPerSecond;

function Tile({ metric, label, value, note }: { metric: string; label: string; value: number; note: string }) {
  return (
    <div className="ops-tile" data-metric={metric}>
      <dt>{label}</dt>
      <dd className="ops-figure" data-value={value}>
        {formatCount(value)}
      </dd>
      <dd className="ops-note">{note}</dd>
    </div>
  );
}

function RateChart(props: {
  metric: string;
  label: string;
  spoken: string;
  value: number;
  samples: readonly StatsSample[];
  pick: (s: StatsSample) => number;
}) {
  return (
    <figure className="ops-chart" data-metric={props.metric}>
      <figcaption>
        <span className="ops-chart-label">{props.label}</span>
        <span className="ops-figure" data-value={props.value}>
          {formatRate(props.value)}
        </span>
      </figcaption>
      <Sparkline samples={props.samples} value={props.pick} label={props.spoken} format={formatRate} />
      <span className="ops-note">last 60 s · averaged over 10 s</span>
    </figure>
  );
}

function LatencyRow({ metric, label, summary }: { metric: string; label: string; summary: LatencySummary }) {
  const none = 'No data in the last minute';
  return (
    <tr data-metric={metric}>
      <th scope="row">{label}</th>
      <td data-value={summary.p50 ?? ''} title={summary.p50 === null ? none : undefined}>
        {formatLatency(summary.p50)}
      </td>
      <td data-value={summary.p99 ?? ''} title={summary.p99 === null ? none : undefined}>
        {formatLatency(summary.p99)}
      </td>
      <td className="muted">{formatCount(summary.count)}</td>
    </tr>
  );
}

function StatusRow({ metric, label, counts }: { metric: string; label: string; counts: StatusCounts }) {
  const going = Math.max(0, counts.started - counts.ok - counts.cancelled - counts.failed);
  const total = Math.max(1, counts.ok + counts.cancelled + counts.failed + going);
  const share = (n: number) => `${(n / total) * 100}%`;
  return (
    <tr data-metric={metric}>
      <th scope="row">{label}</th>
      <td data-status="started">{formatCount(counts.started)}</td>
      <td data-status="going">{formatCount(going)}</td>
      <td data-status="ok" data-value={counts.ok}>
        {formatCount(counts.ok)}
      </td>
      <td data-status="cancelled">{formatCount(counts.cancelled)}</td>
      <td data-status="failed" className={counts.failed > 0 ? 'ops-bad' : undefined}>
        {formatCount(counts.failed)}
      </td>
      <td className="ops-share">
        <span className="ops-bar-track" aria-hidden="true">
          <span className="ops-bar-ok" style={{ width: share(counts.ok) }} />
          <span className="ops-bar-cancelled" style={{ width: share(counts.cancelled) }} />
          <span className="ops-bar-failed" style={{ width: share(counts.failed) }} />
          <span className="ops-bar-going" style={{ width: share(going) }} />
        </span>
      </td>
    </tr>
  );
}

function ErrorsByProvider({ errors }: { errors: Record<string, number> }) {
  const rows = Object.entries(errors)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return (
    <section aria-labelledby="ops-errors">
      <h2 id="ops-errors" className="section-title">
        Errors by provider
      </h2>
      {rows.length === 0 ? (
        <p className="ops-empty muted">No failed model calls since the server started.</p>
      ) : (
        <table className="ops-table" aria-labelledby="ops-errors">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Failed calls</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([provider, n]) => (
              <tr key={provider} data-provider={provider}>
                <th scope="row">{provider}</th>
                <td className="ops-bad">{formatCount(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
