// The leaderboard and what feeds it, in Chromium against the real server: a council, "Best answer" on an answer
// lane, the "Leaderboard" view; "Copy" on answers, reviews and the final answer; "Export" as Markdown and JSON;
// "Read aloud" speaking the final answer sentence by sentence while it streams (the page's speechSynthesis calls
// are recorded by a stand-in installed before the page loads).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/node/support/server.mjs';
import { ask, launchBrowser, openApp, screenshotConversation } from './support/browser.mjs';

const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-output');
mkdirSync(outputDir, { recursive: true });

const models = ['sim/alpha?ttft=100&tps=150&tokens=60', 'sim/beta?ttft=200&tps=120&tokens=60', 'sim/gamma?ttft=150&tps=140&tokens=60'];
// Slow enough that the final answer is still streaming for several seconds.
const slowChair = 'sim/chair?ttft=100&tps=25&tokens=160';
const fastChair = 'sim/chair?ttft=50&tps=300&tokens=40';
let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await browser.context.addInitScript(() => {
    window.__speech = { spoken: [], cancels: 0 };
    window.__copied = [];
    const record = {
      speak: (u) => window.__speech.spoken.push({ text: u.text, at: performance.now(), finalStatus: document.querySelector('article[aria-label="Final answer"]')?.getAttribute('data-status') }),
      cancel: () => { window.__speech.cancels++; },
      pause() {}, resume() {}, getVoices: () => [], speaking: false, pending: false, paused: false,
      addEventListener() {}, removeEventListener() {},
    };
    Object.defineProperty(window, 'speechSynthesis', { configurable: true, get: () => record });
    Object.defineProperty(navigator, 'clipboard', { configurable: true, get: () => ({ writeText: async (text) => { window.__copied.push(text); } }) });
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const finished = (page, timeout = 60000) => page.locator('.run[data-status="ok"]').last().waitFor({ timeout });

test('Read aloud speaks the final answer sentence by sentence while it streams, without markdown; the button and Esc stop it', async () => {
  const { page, errors } = await openApp(browser.context, server.url, { models: models.slice(0, 2), chairman: slowChair });
  await ask(page, 'Explain rainbows');
  const final = page.getByRole('article', { name: 'Final answer' });
  await final.locator('[data-status="streaming"], .markdown').first().waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('article[aria-label="Final answer"]')?.getAttribute('data-status') === 'streaming', null, { timeout: 30000 });
  const readAloud = final.getByRole('button', { name: 'Read aloud' });
  await readAloud.click();
  assert.equal(await readAloud.getAttribute('aria-pressed'), 'true');

  // The first sentences are spoken while the chairman is still writing.
  await page.waitForFunction(() => window.__speech.spoken.length >= 2, null, { timeout: 20000 });
  const early = await page.evaluate(() => window.__speech.spoken);
  assert.equal(early[0].finalStatus, 'streaming', 'the first sentence is spoken before the answer is complete');
  assert.equal(await final.getAttribute('data-status'), 'streaming');
  for (const { text } of early) {
    assert.doesNotMatch(text, /[*#`]|\]\(|^\s*[-+>]\s/, `no markdown read out: ${text}`);
    assert.match(text, /\w/);
  }
  // Stop with the same button: speech is cancelled, nothing more is spoken.
  await readAloud.click();
  assert.equal(await readAloud.getAttribute('aria-pressed'), 'false');
  const afterStop = await page.evaluate(() => ({ n: window.__speech.spoken.length, cancels: window.__speech.cancels }));
  assert.ok(afterStop.cancels >= 2, 'start and stop each cancel');
  await page.waitForTimeout(800);
  assert.equal(await page.evaluate(() => window.__speech.spoken.length), afterStop.n);

  // Again, then Esc: it stops the reading, not the run.
  await readAloud.click();
  await page.keyboard.press('Escape');
  assert.equal(await readAloud.getAttribute('aria-pressed'), 'false');
  assert.equal(await page.evaluate(() => window.__speech.cancels), afterStop.cancels + 2);
  await finished(page);
  assert.equal(await final.getAttribute('data-status'), 'done', 'Esc while reading did not stop the run');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Best answer is picked on an answer lane, stored with the run, and counted by the Leaderboard', async () => {
  const { page, errors } = await openApp(browser.context, server.url, { models, chairman: fastChair });
  await ask(page, 'What makes a good API?');
  await finished(page);
  const lanes = page.locator('section.section-answers article.lane');
  await lanes.getByRole('button', { name: 'Best answer' }).nth(2).waitFor({ timeout: 5000 });
  assert.equal(await lanes.getByRole('button', { name: 'Best answer' }).count(), 3, 'one control per answer lane');
  assert.equal(await page.locator('section.section-review').getByRole('button', { name: 'Best answer' }).count(), 0, 'not on reviews');

  const beta = page.locator(`section.section-answers article.lane[data-model="${models[1]}"]`).getByRole('button', { name: 'Best answer' });
  const gamma = page.locator(`section.section-answers article.lane[data-model="${models[2]}"]`).getByRole('button', { name: 'Best answer' });
  await gamma.click();
  await beta.click(); // one pick per run: it moves
  assert.equal(await beta.getAttribute('aria-pressed'), 'true');
  assert.equal(await gamma.getAttribute('aria-pressed'), 'false');
  const runId = await page.locator('.run').last().getAttribute('data-run-id');
  await page.waitForFunction(async ({ url, runId, model }) => (await (await fetch(`${url}/api/runs/${runId}`)).json()).bestAnswer === model,
    { url: server.url, runId, model: models[1] }, { timeout: 5000 });

  // Copy on every answer, review and the final answer puts its markdown on the clipboard.
  const stored = await (await fetch(`${server.url}/api/runs/${runId}`)).json();
  await page.locator(`section.section-answers article.lane[data-model="${models[0]}"]`).getByRole('button', { name: 'Copy' }).click();
  await page.locator(`section.section-review article.lane[data-model="${models[0]}"]`).getByRole('button', { name: 'Copy' }).click();
  await page.getByRole('article', { name: 'Final answer' }).getByRole('button', { name: 'Copy' }).click();
  const copied = await page.evaluate(() => window.__copied);
  assert.deepEqual(copied, [
    stored.outputs.find((o) => o.stage === 0 && o.model === models[0]).text,
    stored.outputs.find((o) => o.stage === 1 && o.model === models[0]).text,
    stored.final,
  ]);
  assert.match(copied[0], /\*\*|^#|\n- /m, 'the markdown, not the rendered text');
  await screenshotConversation(page, path.join(outputDir, 'best-answer.png'));

  // The reload keeps the pick (it is the server's).
  await page.reload();
  await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
  await page.getByRole('button', { name: /What makes a good API/ }).click();
  await page.locator('.run[data-status="ok"]').last().waitFor({ timeout: 15000 });
  await page.locator(`section.section-answers article.lane[data-model="${models[1]}"]`).getByRole('button', { name: 'Best answer', pressed: true }).waitFor({ timeout: 10000 });

  // The leaderboard: a row per model; beta's Elo from the user's pick is above 1000.
  await page.getByRole('button', { name: 'Leaderboard' }).click();
  const table = page.getByRole('table', { name: 'Leaderboard table' });
  await table.waitFor({ timeout: 10000 });
  assert.match(page.url(), /#leaderboard$/);
  const row = table.locator(`tr[data-model="${models[1]}"]`);
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[8], '1', 'one pick');
  assert.ok(Number(cells[3]) > 1000, `your Elo of the picked model: ${cells[3]}`);
  assert.ok(Number(cells[2]) > 0, 'a council Elo');
  // A row per model of the user's finished runs: this council's three and its chairman, and the read-aloud run's chairman.
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.model));
  assert.deepEqual([...rows].sort(), [...models, fastChair, slowChair].sort());
  await page.locator('.leaderboard-summary').filter({ hasText: 'best-answer pick' }).waitFor();
  await page.screenshot({ path: path.join(outputDir, 'leaderboard.png') });

  // A model set: only those models, ranked against each other.
  await page.getByRole('checkbox', { name: 'alpha' }).check();
  await page.getByRole('checkbox', { name: 'beta' }).check();
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Leaderboard table"] tbody tr').length === 2, null, { timeout: 10000 });
  await page.getByRole('combobox', { name: 'Workflow' }).selectOption('grid');
  await page.getByText('No finished runs match').waitFor({ timeout: 10000 });

  // Back to the conversation.
  await page.getByRole('button', { name: 'Leaderboard' }).click();
  await page.locator('.conversation:not([hidden])').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('Export downloads the conversation as Markdown and as JSON', async () => {
  const { page, errors } = await openApp(browser.context, server.url, { models: models.slice(0, 2), chairman: fastChair });
  await ask(page, 'Export me');
  await finished(page);
  const exportButton = page.getByRole('button', { name: 'Export', exact: true });
  for (const [item, check] of [
    ['Markdown (.md)', (text) => { assert.match(text, /^# Export me\n/); assert.match(text, /### Final answer/); assert.match(text, /### Metrics/); }],
    ['JSON (.json)', (text) => { const json = JSON.parse(text); assert.equal(json.runs.length, 1); assert.equal(json.runs[0].outputs.length, 5); assert.ok(json.runs[0].metrics.calls.length > 0); }],
  ]) {
    await exportButton.click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: item }).click()]);
    assert.match(download.suggestedFilename(), /^council-export-me\.(md|json)$/);
    check(readFileSync(await download.path(), 'utf8'));
  }
  assert.deepEqual(errors, []);
  await page.close();
});
