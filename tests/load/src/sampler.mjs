// Samples the server process (/proc/<pid>: CPU, RSS, threads), the server's own figures (the load probe's
// /api/load-probe, and /api/stats when the server has it), the machine (/proc/stat, /proc/loadavg) and the
// driver itself (CPU, RSS, event-loop delay), once per period, into a time series.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const CLK_TCK = 100; // USER_HZ: 100 on every Linux the driver targets (getconf CLK_TCK)
const PAGE = 4096;

function readProc(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpuTicks: Number(f[11]) + Number(f[12]), threads: Number(f[17]), rssBytes: Number(f[21]) * PAGE };
  } catch {
    return null;
  }
}

function readMachine() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] ?? 0);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    return { busyTicks: total - idle, totalTicks: total, load };
  } catch {
    return null;
  }
}

async function getJson(url, timeoutMs = 5000) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

export class Sampler {
  /** @param {{ url: string, pid?: number, periodMs: number, counters: () => object }} o */
  constructor({ url, pid, periodMs, counters }) {
    this.url = url;
    this.pid = pid;
    this.periodMs = periodMs;
    this.counters = counters;
    this.samples = [];
    this.marks = {};
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
    this.hasProbe = false;
    this.hasStats = false;
  }

  async start() {
    await this.findProbe();
    this.hasStats = (await getJson(`${this.url}/api/stats`)) !== null;
    this.loopDelay.enable();
    this.t0 = performance.now();
    this.prev = { t: this.t0, proc: this.pid ? readProc(this.pid) : null, machine: readMachine(), driverCpu: process.cpuUsage(), counters: this.counters() };
    await this.sample();
    this.timer = setInterval(() => { void this.sample(); }, this.periodMs);
  }

  /**
   * Whether the server has the load probe: asked a few times, so a cold or busy server's slow first
   * answer is not taken for a missing probe. When it is missing, `probeError` says what the last answer was.
   */
  async findProbe(attempts = 3) {
    for (let i = 0; i < attempts && !this.hasProbe; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      try {
        const response = await fetch(`${this.url}/api/load-probe`, { signal: AbortSignal.timeout(5000) });
        if (response.ok) {
          await response.json();
          this.hasProbe = true;
          this.probeError = null;
        } else {
          this.probeError = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
        }
      } catch (e) {
        this.probeError = String(e?.cause?.message ?? e?.message ?? e);
      }
    }
  }

  /** Names the latest sample, e.g. 'ramped' (for before/after figures). */
  mark(name) {
    this.marks[name] = this.samples.length - 1;
  }

  async sample() {
    const t = performance.now();
    const proc = this.pid ? readProc(this.pid) : null;
    const machine = readMachine();
    const driverCpu = process.cpuUsage();
    const counters = this.counters();
    const [probe, stats] = await Promise.all([
      this.hasProbe ? getJson(`${this.url}/api/load-probe`) : null,
      this.hasStats ? getJson(`${this.url}/api/stats`) : null,
    ]);
    const dt = (t - this.prev.t) / 1000 || 1;
    const s = { atS: Math.round((t - this.t0) / 100) / 10 };
    if (proc) {
      s.serverCpuPct = this.prev.proc ? Math.round(((proc.cpuTicks - this.prev.proc.cpuTicks) / CLK_TCK / dt) * 1000) / 10 : null;
      s.serverRssMb = Math.round(proc.rssBytes / 1048576 * 10) / 10;
      s.serverThreads = proc.threads;
    }
    if (machine && this.prev.machine) {
      const total = machine.totalTicks - this.prev.machine.totalTicks;
      s.machineBusyPct = total > 0 ? Math.round(((machine.busyTicks - this.prev.machine.busyTicks) / total) * 1000) / 10 : null;
      s.loadAvg1 = machine.load[0];
    }
    const driverCpuPct = Math.round(((driverCpu.user - this.prev.driverCpu.user + driverCpu.system - this.prev.driverCpu.system) / 1e6 / dt) * 1000) / 10;
    if (s.machineBusyPct != null && s.serverCpuPct != null) {
      // What everything else on the machine took, in % of one core.
      s.otherCpuPct = Math.round((s.machineBusyPct * os.cpus().length - s.serverCpuPct - driverCpuPct) * 10) / 10;
    }
    s.driverCpuPct = Math.round(((driverCpu.user - this.prev.driverCpu.user + driverCpu.system - this.prev.driverCpu.system) / 1e6 / dt) * 1000) / 10;
    s.driverRssMb = Math.round(process.memoryUsage.rss() / 1048576);
    s.driverLoopDelayP99Ms = Math.round(this.loopDelay.percentile(99) / 1e4) / 100;
    this.loopDelay.reset();
    for (const [k, v] of Object.entries(counters)) {
      s[k] = v;
      if (typeof v === 'number' && k.endsWith('Total')) s[k.replace(/Total$/, 'PerS')] = Math.round((v - (this.prev.counters[k] ?? 0)) / dt);
    }
    if (probe) {
      s.probe = probe;
    }
    if (stats) s.stats = stats;
    this.samples.push(s);
    this.prev = { t, proc: proc ?? this.prev.proc, machine: machine ?? this.prev.machine, driverCpu, counters };
    return s;
  }

  async stop() {
    clearInterval(this.timer);
    await this.sample();
    this.loopDelay.disable();
  }
}
