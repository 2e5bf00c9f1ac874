// Measures the SPA in Debian's Chromium while 10 concurrent runs × 5 models stream at 50 tokens/s each:
// median frame time and longest frame, longest task (Long Tasks API) from the first question on (the page's load
// apart), and JS heap at the end.
// Usage: node build/bench/spa-trace.mjs   (after dotnet build -c Release and npm run build -w client)
import os from 'node:os';
import { startServer } from '../../tests/node/support/server.mjs';
import { launchBrowser, openApp, ask } from '../../client/e2e/support/browser.mjs';

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
  for (let i = 1; i <= 10; i++) await ask(page, `Concurrent question ${i}`);
  await page.waitForTimeout(12000); // ~50 lanes streaming at 50 tokens/s
  const m = await page.evaluate(() => {
    const d = window.__frames.slice(1).map((t, i) => t - window.__frames[i]).sort((a, b) => a - b);
    return { frames: d.length, median: d[Math.floor(d.length / 2)], p95: d[Math.floor(d.length * 0.95)], max: d.at(-1),
      tasks: window.__longTasks,
      heapMb: performance.memory.usedJSHeapSize / 1048576 };
  });
  const streaming = await page.locator('article.lane[data-status="streaming"]').count();
  console.log(`10 runs × 5 models at 50 tokens/s (${streaming} lanes streaming at the end of 12 s):`);
  const during = m.tasks.filter(([at]) => at >= asking).map(([, d]) => d);
  const atLoad = m.tasks.filter(([at]) => at < asking).map(([, d]) => d);
  console.log(`frame time median ${m.median.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms, max ${m.max.toFixed(1)} ms over ${m.frames} frames; longest task ${Math.max(0, ...during).toFixed(0)} ms (${during.length} tasks over 50 ms); JS heap ${m.heapMb.toFixed(1)} MB`);
  console.log(`page load before the questions: ${atLoad.length} tasks over 50 ms${atLoad.length ? `, longest ${Math.max(...atLoad).toFixed(0)} ms` : ''}`);
  // Frame times are wall-clock: on a shared machine they say as much about the other processes as about the page.
  console.log(`machine: load average ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end, ${os.cpus().length} cores`);
} finally {
  await browser.close();
  await server.stop();
}
