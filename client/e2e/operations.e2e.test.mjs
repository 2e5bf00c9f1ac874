// The operations view against the real server: live figures while a council runs (auth mode None, where the
// local user is an admin), and, on a server in ApiKeys mode, an admin's key sees them while another user's
// key gets the "admin role" message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/node/support/server.mjs';
import { ask, launchBrowser, newPage, openApp } from './support/browser.mjs';

const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-output');
mkdirSync(outputDir, { recursive: true });

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** The number a figure shows, read from its data-value. */
const figure = (page, selector) => page.locator(selector).getAttribute('data-value').then(Number);
/** Waits until a figure is above `above` and at most `atMost` (the page's CSP allows no eval: no predicates as text). */
const waitForFigure = (page, selector, { above = -Infinity, atMost = Infinity }, timeout = 15000) =>
  page.waitForFunction(
    ([selector, above, atMost]) => {
      const value = document.querySelector(selector)?.getAttribute('data-value');
      return value !== null && value !== undefined && value !== '' && Number(value) > above && Number(value) <= atMost;
    },
    [selector, above, atMost],
    { timeout, polling: 100 },
  );

const activeRuns = '[data-metric="active-runs"] .ops-figure';
const tokensPerSecond = '[data-metric="tokens-per-second"] .ops-figure';
const runsOk = 'tr[data-metric="runs"] td[data-status="ok"]';

describe('operations view (auth mode None)', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('shows a council running: active runs, tokens/s and its chart, then the run counted as ok', async () => {
    const models = ['sim/ops1?ttft=100&tps=40&tokens=160', 'sim/ops2?ttft=200&tps=40&tokens=160', 'sim/ops3?ttft=150&tps=40&tokens=160'];
    const { page, errors } = await openApp(browser.context, server.url, { models, chairman: 'sim/opschair?ttft=100&tps=60&tokens=120' });
    const requests = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/stats') requests.push(r);
    });

    await ask(page, 'How do you watch a server?');
    await page.locator('section.section-answers article.lane[data-status="streaming"]').first().waitFor({ timeout: 10000 });

    const toggle = page.getByRole('button', { name: 'Operations' });
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Operations');
    assert.ok(page.url().endsWith('#operations'));
    assert.equal(await page.getByLabel('Your question').isVisible(), false, 'the composer is hidden');

    await waitForFigure(page, activeRuns, { above: 0 });
    await waitForFigure(page, tokensPerSecond, { above: 0 });
    const okBefore = await figure(page, runsOk);
    await page.waitForFunction(() => Number(document.querySelector('[data-metric="tokens-per-second"] svg')?.getAttribute('data-points')) >= 3, null, {
      timeout: 10000,
    });
    await page.screenshot({ path: path.join(outputDir, 'operations.png') });
    const line = page.locator('[data-metric="tokens-per-second"] polyline.sparkline-line').first();
    assert.ok((await line.getAttribute('points')).split(' ').length >= 2, 'the sparkline has points');
    assert.match(await page.getByRole('img', { name: /^Tokens per second, last 60 s: now [\d.,]+, peak [\d.,]+$/ }).getAttribute('aria-label'), /peak/);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Live' }).count(), 1);
    assert.equal(await page.locator('[data-metric="connections"] .ops-figure').getAttribute('data-value'), '1');

    // About once a second, no faster.
    const since = requests.length;
    await page.waitForTimeout(3000);
    const polled = requests.length - since;
    assert.ok(polled >= 2 && polled <= 5, `${polled} requests in 3 s`);

    // The run ends while the view is open: it is counted as ok.
    await waitForFigure(page, runsOk, { above: okBefore }, 60000);
    await waitForFigure(page, activeRuns, { atMost: 0 }, 10000);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(outputDir, 'operations-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // Hidden tab: no polling.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.getByRole('status').filter({ hasText: 'Paused while the page is hidden' }).waitFor({ timeout: 2000 });
    const whileHidden = requests.length;
    await page.waitForTimeout(2500);
    assert.equal(requests.length, whileHidden, 'no requests while hidden');
    await page.evaluate(() => {
      delete document.visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 3000 });

    // Closing the view (Back) stops the polling and shows the conversation, finished.
    await page.goBack();
    await page.locator('.run[data-status="ok"]').waitFor({ timeout: 5000 });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    const afterClose = requests.length;
    await page.waitForTimeout(2500);
    assert.ok(requests.length <= afterClose + 1, 'no polling once the view is closed');
    assert.deepEqual(errors.map(String), []);
    await page.close();
  });
});

describe('operations view (auth mode ApiKeys)', () => {
  const adminKey = 'e2e-admin-4b1d9c0e7a';
  const userKey = 'e2e-user-93fa1e52c8';
  const sha = (k) => createHash('sha256').update(k).digest('hex');
  let server;
  before(async () => {
    server = await startServer({
      env: {
        Council__Auth__Mode: 'ApiKeys',
        Council__Auth__ApiKeys__0__Hash: sha(adminKey),
        Council__Auth__ApiKeys__0__User: 'root',
        Council__Auth__ApiKeys__0__Roles__0: 'admin',
        Council__Auth__ApiKeys__1__Hash: sha(userKey),
        Council__Auth__ApiKeys__1__User: 'bob',
      },
    });
  });
  after(async () => {
    await server?.stop();
  });

  async function signIn(key) {
    const { page, errors } = await newPage(browser.context);
    await page.goto(`${server.url}/#operations`);
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('API key').press('Enter');
    await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
    return { page, errors };
  }

  test('an admin key sees the figures: the key goes as a bearer token', async () => {
    const { page } = await signIn(adminKey);
    const request = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/stats');
    assert.equal((await (await request).headerValue('authorization')), `Bearer ${adminKey}`);
    await waitForFigure(page, '[data-metric="connections"] .ops-figure', { above: 0 });
    await page.close();
  });

  test('another user is told operations need the admin role', async () => {
    const { page, errors } = await signIn(userKey);
    const alert = page.getByRole('alert').filter({ hasText: 'Operations need the admin role' });
    await alert.waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.ops-tiles').count(), 0);
    await page.screenshot({ path: path.join(outputDir, 'operations-forbidden.png') });
    // The app itself still works for this user.
    await page.getByRole('button', { name: 'Operations' }).click();
    await page.getByLabel('Your question').waitFor({ state: 'visible', timeout: 2000 });
    assert.deepEqual(errors.map(String).filter((e) => !/403|Forbidden|401|Unauthorized|negotiat|Failed to start the connection/i.test(e)), []);
    await page.close();
  });
});
