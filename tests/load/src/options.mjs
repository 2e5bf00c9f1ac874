// Command-line options of the load driver, with presets ("profiles") for the standard scenarios.
import { parseArgs } from 'node:util';

/** The default council: four simulated models of different speeds and a chairman, all with explicit timing. */
export const COUNCIL_MODELS = [
  'sim/load-a?ttft=150&tps=20&tokens=60',
  'sim/load-b?ttft=250&tps=15&tokens=50',
  'sim/load-c?ttft=350&tps=12&tokens=45',
  'sim/load-d?ttft=500&tps=10&tokens=40',
];
export const COUNCIL_CHAIRMAN = 'sim/load-chair?ttft=150&tps=20&tokens=60';

const PROFILES = {
  // Every connection runs councils back to back with a pause to read the answer.
  council: {},
  // Connections are held and only heartbeats flow; a few run councils so the server is not entirely asleep.
  idle: { active: '0', 'think-ms': '5000' },
  // Fast models, no pause: as many token events as the server can deliver.
  saturate: {
    models: 'sim/sat-a?ttft=10&tps=1000&tokens=400,sim/sat-b?ttft=10&tps=1000&tokens=400,sim/sat-c?ttft=10&tps=1000&tokens=400,sim/sat-d?ttft=10&tps=1000&tokens=400',
    chairman: 'sim/sat-chair?ttft=10&tps=1000&tokens=400',
    'think-ms': '0',
  },
};

const SPEC = {
  profile: { type: 'string', default: 'council' },
  url: { type: 'string' },
  pid: { type: 'string' },
  connections: { type: 'string', default: '100' },
  'ramp-rate': { type: 'string', default: '250' },
  duration: { type: 'string', default: '30' },
  drain: { type: 'string', default: '60' },
  active: { type: 'string' },
  'think-ms': { type: 'string', default: '1000' },
  'max-runs': { type: 'string' },
  models: { type: 'string' },
  chairman: { type: 'string' },
  workflow: { type: 'string' },
  'cancel-fraction': { type: 'string', default: '0' },
  protocol: { type: 'string', default: 'json' },
  'batch-window': { type: 'string', default: '0' },
  'server-env': { type: 'string', multiple: true, default: [] },
  'no-probe': { type: 'boolean', default: false },
  'sample-ms': { type: 'string', default: '1000' },
  'driver-nice': { type: 'string', default: '0' },
  settle: { type: 'string', default: '5' },
  label: { type: 'string' },
  report: { type: 'string' },
  strict: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export const USAGE = `Council load driver: many hub connections running councils on simulated models.

  npm run load -w tests/load -- [options]

  --profile council|idle|saturate  presets (council: every connection runs councils; idle: connections only held;
                                   saturate: fast models, no pause) — any option below overrides the preset
  --connections N        hub connections to open (default 100)
  --ramp-rate N          connections opened per second (default 250)
  --duration S           seconds of load once every connection is open (default 30)
  --drain S              at most this long for runs in flight to finish afterwards (default 60)
  --active N             how many connections run councils (default: all; the rest are idle, heartbeats only)
  --think-ms MS          pause between one connection's runs (default 1000)
  --max-runs N           at most N runs per connection
  --models a,b,c         council models (default: 4 simulated models with explicit ttft/tps/tokens)
  --chairman ID          chairman model
  --cancel-fraction F    in this fraction of runs, cancel the slowest answer model after its first token
  --protocol json|messagepack   hub protocol (messagepack is skipped, clearly, if the server refuses it)
  --batch-window MS      Council__TokenBatchWindowMs of the server the driver starts (default 0)
  --server-env K=V       more environment for the server the driver starts (repeatable)
  --url URL              drive a running server instead of starting one (e.g. http://127.0.0.1:5000)
  --pid N                that server's process id, for CPU/RSS/threads from /proc
  --no-probe             start the server without the load probe (no token stamps, no runtime figures)
  --sample-ms MS         server sampling period (default 1000)
  --driver-nice=N        run the driver at this nice value (-20..19; below 0 needs root), the server staying at
                         its own: with both on one machine, the driver's clients otherwise queue behind the server's
                         threads and that wait counts as latency the server added (default 0)
  --settle S             seconds to wait after the ramp before measuring idle RSS (default 5)
  --label NAME           name of the report (reports/<time>-<label>.json)
  --report PATH          where to write the JSON report
  --strict               exit 1 when there were errors, disconnects, seq gaps or duplicates
  --quiet                no progress lines
`;

const int = (name, value, min, max) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max} (got '${value}')`);
  return n;
};

export function parseOptions(argv) {
  const { values } = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false });
  if (values.help) return { help: true };
  const profile = PROFILES[values.profile];
  if (!profile) throw new Error(`unknown --profile '${values.profile}' (${Object.keys(PROFILES).join(', ')})`);
  // Preset values apply where the command line left the option at its default.
  const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  const v = { ...values };
  for (const [k, value] of Object.entries(profile)) if (!given.has(k)) v[k] = value;

  const connections = int('connections', v.connections, 1, 50_000);
  const active = v.active === undefined ? connections : Math.min(connections, int('active', v.active, 0, 50_000));
  const serverEnv = {};
  for (const pair of v['server-env']) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--server-env wants K=V (got '${pair}')`);
    serverEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (v.url && v['server-env'].length) throw new Error('--server-env only applies to a server the driver starts (not with --url)');
  return {
    profile: v.profile,
    url: v.url,
    pid: v.pid ? int('pid', v.pid, 1, 2 ** 31) : undefined,
    connections,
    rampRate: int('ramp-rate', v['ramp-rate'], 1, 10_000),
    durationS: int('duration', v.duration, 0, 24 * 3600),
    drainS: int('drain', v.drain, 0, 3600),
    active,
    thinkMs: int('think-ms', v['think-ms'], 0, 3_600_000),
    maxRuns: v['max-runs'] === undefined ? Infinity : int('max-runs', v['max-runs'], 0, 1e9),
    models: (v.models ?? COUNCIL_MODELS.join(',')).split(',').map((s) => s.trim()).filter(Boolean),
    chairman: v.chairman ?? COUNCIL_CHAIRMAN,
    workflow: v.workflow,
    cancelFraction: int('cancel-fraction', v['cancel-fraction'], 0, 1),
    protocol: v.protocol,
    batchWindowMs: int('batch-window', v['batch-window'], 0, 1000),
    serverEnv,
    probe: !v['no-probe'],
    sampleMs: int('sample-ms', v['sample-ms'], 100, 60_000),
    driverNice: int('driver-nice', v['driver-nice'], -20, 19),
    settleS: int('settle', v.settle, 0, 600),
    label: v.label ?? v.profile,
    report: v.report,
    strict: v.strict,
    quiet: v.quiet,
  };
}

/** ttft, tps and tokens of a simulated model id, where the id states them. */
export function simTiming(id) {
  const q = id.indexOf('?');
  if (!id.startsWith('sim/') || q < 0) return null;
  const params = new URLSearchParams(id.slice(q + 1));
  const ttft = Number(params.get('ttft'));
  const tps = Number(params.get('tps'));
  const tokens = Number(params.get('tokens'));
  if (!params.has('ttft') || !params.has('tps') || !params.has('tokens')) return null;
  return { ttft, tps, tokens, durationMs: ttft + (tokens / tps) * 1000 };
}
