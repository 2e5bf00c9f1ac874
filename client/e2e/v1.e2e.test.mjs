// A council another tool starts over /v1/chat/completions is an ordinary run: the web client lists its
// conversation, shows its lanes streaming live, and sees it end cancelled when that tool hangs up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../tests/node/support/server.mjs';
import { launchBrowser, openApp } from './support/browser.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a council streamed to another tool over /v1 is watched live in the web client, and ends when that tool hangs up', async () => {
  const slow = 'sim/tortoise?ttft=100&tps=15&tokens=1500';
  const models = [slow, 'sim/hare?ttft=50&tps=200&tokens=40'];
  const hangUp = new AbortController();
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'council', stream: true, messages: [{ role: 'user', content: 'Asked by another tool' }], council: { models, chairman: 'sim/chair?ttft=20&tps=200&tokens=20' } }),
    signal: hangUp.signal,
  });
  assert.equal(response.status, 200);
  const runId = response.headers.get('x-council-run');
  const reader = response.body.getReader();
  const reading = (async () => { try { while (!(await reader.read()).done); } catch { /* hung up */ } })();

  const { page, errors } = await openApp(browser.context, server.url);
  await page.getByRole('button', { name: /Asked by another tool/ }).click();
  const lane = page.locator(`section.section-answers article.lane[data-model="${slow}"]`);
  await lane.and(page.locator('[data-status="streaming"]')).waitFor({ timeout: 15000 });
  const before = (await lane.locator('.lane-body').textContent()).length;
  await page.waitForFunction(([model, length]) =>
    document.querySelector(`section.section-answers article.lane[data-model="${CSS.escape(model)}"] .lane-body`)?.textContent.length > length + 20,
  [slow, before], { timeout: 10000 });

  hangUp.abort();
  await reading;
  await page.locator('.run[data-status="cancelled"]').waitFor({ timeout: 15000 });
  const stored = await (await fetch(`${server.url}/api/runs/${runId}`)).json();
  assert.equal(stored.status, 'cancelled');
  assert.deepEqual(errors.map(String), []);
  await page.close();
});
