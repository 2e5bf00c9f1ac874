// The summary table printed at the end, and the figures derived from the sampler's time series.

const fmt = (x, digits = 2) => (x === null || x === undefined ? '-' : typeof x === 'number' ? x.toFixed(digits) : String(x));

export function table(rows) {
  const header = ['', 'count', 'p50', 'p90', 'p99', 'max'];
  const lines = [header, ...rows.map(([name, s]) => [name, String(s.count), fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max)])];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

const stat = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  return { mean: Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 10) / 10, max: Math.max(...v), min: Math.min(...v) };
};

/** Server, driver and machine figures over [from, to] samples of the time series. */
export function serverSummary(samples, marks) {
  if (samples.length === 0) return {};
  const at = (name, fallback) => samples[marks[name] ?? fallback] ?? samples[fallback];
  const first = samples[0];
  const baseline = at('baseline', 0);
  const ramped = at('ramped', samples.length - 1);
  const runStart = at('runStart', 0);
  const runEnd = at('runEnd', samples.length - 1);
  const last = samples[samples.length - 1];
  const during = samples.filter((s) => s.atS > runStart.atS && s.atS <= runEnd.atS);
  const window = during.length ? during : samples;
  const span = runEnd.atS - runStart.atS;
  const rate = (k) => (span > 0 ? Math.round((runEnd[k] - runStart[k]) / span) : null);
  // Under heavy load a probe request can time out: use the nearest samples inside the window that have one.
  const probeStart = samples.find((x) => x.atS >= runStart.atS && x.probe)?.probe;
  const probeEnd = [...samples].reverse().find((x) => x.atS <= runEnd.atS && x.probe)?.probe;
  const probeDelta = (k) => (probeStart && probeEnd ? probeEnd[k] - probeStart[k] : null);
  const tokenEvents = runEnd.tokenEventsTotal - runStart.tokenEventsTotal;
  const out = {
    windowS: Math.round(span * 10) / 10,
    delivered: {
      tokenEventsPerS: rate('tokenEventsTotal'),
      tokensPerS: rate('tokensTotal'),
      charsPerS: rate('charsTotal'),
      runsCompletedPerS: span > 0 ? Math.round(((runEnd.runsCompletedTotal - runStart.runsCompletedTotal) / span) * 100) / 100 : null,
      peakTokenEventsPerS: Math.max(0, ...window.map((s) => s.tokenEventsPerS ?? 0)),
    },
    serverCpuPct: stat(window.map((s) => s.serverCpuPct)),
    serverRssMb: { start: first.serverRssMb, baseline: baseline.serverRssMb, ramped: ramped.serverRssMb, runStart: runStart.serverRssMb, end: runEnd.serverRssMb, last: last.serverRssMb, max: stat(samples.map((s) => s.serverRssMb))?.max },
    serverThreads: { start: first.serverThreads, ramped: ramped.serverThreads, runStart: runStart.serverThreads, end: runEnd.serverThreads, max: stat(samples.map((s) => s.serverThreads))?.max },
    driverCpuPct: stat(window.map((s) => s.driverCpuPct)),
    driverLoopDelayP99Ms: stat(window.map((s) => s.driverLoopDelayP99Ms)),
    machineBusyPct: stat(window.map((s) => s.machineBusyPct)),
    loadAvg1: { start: first.loadAvg1, end: last.loadAvg1 },
  };
  // Server CPU time per token event delivered: the efficiency figure, steadier than latency on a shared machine.
  if (out.serverCpuPct && tokenEvents > 0) out.serverCpuUsPerTokenEvent = Math.round((out.serverCpuPct.mean / 100) * span * 1e6 / tokenEvents * 10) / 10;
  // Everything the machine did beyond the server and the driver: other people's builds and tests.
  // The sampler takes it per sample (machine busy minus server and driver).
  const other = stat(window.map((s) => s.otherCpuPct));
  if (other) out.otherProcessesCpuPct = other.mean;
  if (probeStart && probeEnd && probeEnd !== probeStart) {
    out.gc = {
      gen0: probeDelta('gen0Collections'),
      gen1: probeDelta('gen1Collections'),
      gen2: probeDelta('gen2Collections'),
      pauseMs: Math.round(probeDelta('gcPauseMs')),
      allocatedMb: Math.round(probeDelta('totalAllocatedBytes') / 1048576),
      allocatedBytesPerTokenEvent: tokenEvents > 0 ? Math.round(probeDelta('totalAllocatedBytes') / tokenEvents) : null,
      heapMb: { runStart: Math.round(probeStart.heapBytes / 1048576), end: Math.round(probeEnd.heapBytes / 1048576) },
      lockContentions: probeDelta('lockContentions'),
      // The runtime's allocation sampling since the server started (warm-up included), largest types first.
      topAllocations: (probeEnd.topAllocations ?? []).slice(0, 8),
    };
    out.threadPool = { threadsMax: stat(window.map((s) => s.probe?.threadPoolThreads))?.max, queueMax: stat(window.map((s) => s.probe?.threadPoolQueue))?.max };
    out.hubConnectionsMax = stat(samples.map((s) => s.probe?.hubConnections))?.max;
    out.runsRunningMax = stat(samples.map((s) => s.probe?.runsRunning))?.max;
  }
  return out;
}
