// Measures the SPA in Debian's Chromium while 10 concurrent runs × 5 models stream at 50 tokens/s each:
// median frame time and longest frame, longest task (Long Tasks API) from the first question on (the page's load
// apart), JS heap at the end, and the CPU time Chromium's processes and the server spent meanwhile (from /proc:
// on a 2-core machine a long task is as often the page waiting for a core as the page working).
// Usage: node build/bench/spa-trace.mjs   (after dotnet build -c Release and npm run build -w client)
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { startServer } from '../../tests/node/support/server.mjs';
import { launchBrowser, openApp, ask } from '../../client/e2e/support/browser.mjs';

/** CPU seconds so far of Chromium's processes, by type (renderer, gpu-process, …), and of the server. */
function cpuSeconds() {
  const by = {};
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const kind = cmd.includes('Council.Server') ? 'server' : cmd.includes('chromium') ? (cmd.match(/--type=([a-z-]+)/)?.[1] ?? 'browser') : undefined;
      if (!kind) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      by[kind] = (by[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ
    } catch {
      // gone meanwhile
    }
  }
  return by;
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const models = [1, 2, 3, 4, 5].map((i) => `sim/t${i}?ttft=${100 * i}&tps=50&tokens=400`);
  const { page } = await openApp(browser.context, server.url, { models, chairman: 'sim/tc?ttft=100&tps=50&tokens=100' });
  await page.evaluate(() => {
    window.__frames = []; window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
    const tick = (t) => { window.__frames.push(t); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const loadBefore = os.loadavg()[0];
  const asking = await page.evaluate(() => performance.now()); // tasks before this one are the page's load
  const cpuBefore = cpuSeconds();
  for (let i = 1; i <= 10; i++) await ask(page, `Concurrent question ${i}`);
  await page.waitForTimeout(12000); // ~50 lanes streaming at 50 tokens/s
  const m = await page.evaluate(() => {
    const d = window.__frames.slice(1).map((t, i) => t - window.__frames[i]).sort((a, b) => a - b);
    return { frames: d.length, median: d[Math.floor(d.length / 2)], p95: d[Math.floor(d.length * 0.95)], max: d.at(-1),
      tasks: window.__longTasks,
      heapMb: performance.memory.usedJSHeapSize / 1048576 };
  });
  const cpuAfter = cpuSeconds();
  const streaming = await page.locator('article.lane[data-status="streaming"]').count();
  console.log(`10 runs × 5 models at 50 tokens/s (${streaming} lanes streaming at the end of 12 s):`);
  const duringTasks = m.tasks.filter(([at]) => at >= asking);
  const during = duringTasks.map(([, d]) => d);
  const atLoad = m.tasks.filter(([at]) => at < asking).map(([, d]) => d);
  console.log(`frame time median ${m.median.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms, max ${m.max.toFixed(1)} ms over ${m.frames} frames; longest task ${Math.max(0, ...during).toFixed(0)} ms (${during.length} tasks over 50 ms); JS heap ${m.heapMb.toFixed(1)} MB`);
  if (duringTasks.length) console.log(`  tasks over 50 ms: ${duringTasks.map(([at, d]) => `${d.toFixed(0)} ms at ${((at - asking) / 1000).toFixed(1)} s`).join(', ')}`);
  const cpu = Object.keys(cpuAfter).sort().map((k) => `${k} ${(cpuAfter[k] - (cpuBefore[k] ?? 0)).toFixed(1)} s`);
  console.log(`CPU meanwhile: ${cpu.join(', ')}`);
  console.log(`page load before the questions: ${atLoad.length} tasks over 50 ms${atLoad.length ? `, longest ${Math.max(...atLoad).toFixed(0)} ms` : ''}`);
  // Frame times are wall-clock: on a shared machine they say as much about the other processes as about the page.
  console.log(`machine: load average ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end, ${os.cpus().length} cores`);
} finally {
  await browser.close();
  await server.stop();
}
