// A server in ApiKeys mode: the page asks for a key, refuses a wrong one, runs a council with the right one
// (hub and /api), stays signed in across a reload, and signs out. Per-user limits apply in this mode: the
// server's refusal shows on the page in its own words.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/node/support/server.mjs';
import { ask, launchBrowser, newPage } from './support/browser.mjs';

const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-output');
mkdirSync(outputDir, { recursive: true });

const key = 'e2e-key-7c1f3b9a52d4';
const models = ['sim/north?ttft=80&tps=120&tokens=40', 'sim/south?ttft=120&tps=120&tokens=40'];
const chair = 'sim/chair?ttft=80&tps=200&tokens=30';

let server;
let browser;

before(async () => {
  server = await startServer({
    env: {
      Council__Auth__Mode: 'ApiKeys',
      Council__Auth__ApiKeys__0__Hash: createHash('sha256').update(key).digest('hex'),
      Council__Auth__ApiKeys__0__User: 'alice',
      Council__MaxConcurrentRuns: '1',
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A refused negotiate or /api request is logged by Chromium (and by SignalR) as a console error: expected here.
const unexpected = (errors) => errors.map(String).filter((e) => !/401|Unauthorized|negotiat|Failed to start the connection/i.test(e));

test('sign in with an API key, run a council, reload, sign out', async () => {
  const { page, errors, cspViolations } = await newPage(browser.context, { models, chairman: chair });
  const signIn = page.getByRole('form', { name: 'Sign in to Council' });
  const keyField = page.getByLabel('API key');
  const storedKey = () => page.evaluate(() => sessionStorage.getItem('council.apiKey'));

  await page.goto(server.url);
  await keyField.waitFor({ timeout: 15000 });
  assert.equal(await page.getByLabel('Your question').count(), 0, 'nothing of the app before signing in');
  assert.equal(await keyField.getAttribute('type'), 'password');

  // A wrong key: an error in words, the field marked invalid, nothing stored.
  await keyField.fill('not-the-key');
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  const error = signIn.getByRole('alert');
  await error.waitFor({ timeout: 10000 });
  assert.equal(await error.innerText(), 'That API key was not accepted. Check it and try again.');
  assert.equal(await keyField.getAttribute('aria-invalid'), 'true');
  assert.equal(await storedKey(), null);
  await page.screenshot({ path: path.join(outputDir, 'sign-in-refused.png') });

  // The right key: connected, and a whole council runs.
  await keyField.fill(key);
  await keyField.press('Enter');
  await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
  assert.equal(await storedKey(), key);
  await ask(page, 'Signed-in question');
  await page.locator('.run[data-status="ok"]').waitFor({ timeout: 30000 });
  assert.equal(await page.getByRole('article', { name: 'Final answer' }).getAttribute('data-status'), 'done');

  // A reload keeps the session: no sign-in, and the server's /api lists the conversation (so the key went with it).
  await page.reload();
  await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
  assert.equal(await keyField.count(), 0);
  await page.getByRole('button', { name: /Signed-in question/ }).click();
  await page.locator('.run[data-status="ok"]').waitFor({ timeout: 15000 });

  // Sign out: back to the screen, the key gone from the tab, and still gone after a reload.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await keyField.waitFor({ timeout: 5000 });
  assert.equal(await storedKey(), null);
  assert.equal(await page.getByRole('button', { name: /Signed-in question/ }).count(), 0, 'the conversation list is gone with the user');
  await page.reload();
  await keyField.waitFor({ timeout: 15000 });
  assert.equal(await signIn.getByRole('alert').count(), 0, 'no error after a sign out');

  assert.deepEqual(await cspViolations(), []);
  assert.deepEqual(unexpected(errors), []);
  await page.close();
});

test('the server is asked without a key only until the user signs in: /api and the hub both get it', async () => {
  const { page } = await newPage(browser.context, { models, chairman: chair });
  const sent = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/hubs/')) {
      sent.push({ path: url.pathname, header: request.headers().authorization ?? null, query: url.searchParams.get('access_token') });
    }
  });
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(new URL(ws.url())));
  await page.goto(server.url);
  await page.getByLabel('API key').fill(key);
  await page.getByLabel('API key').press('Enter');
  await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
  await page.waitForTimeout(300);

  const afterSignIn = sent.slice(sent.findIndex((r) => r.header === `Bearer ${key}` || r.query === key));
  assert.ok(afterSignIn.length > 0);
  const api = afterSignIn.filter((r) => r.path.startsWith('/api/'));
  const negotiate = afterSignIn.filter((r) => r.path.endsWith('/negotiate'));
  assert.ok(api.length > 0 && api.every((r) => r.header === `Bearer ${key}`), `every /api request carries the key: ${JSON.stringify(api)}`);
  assert.ok(negotiate.length > 0 && negotiate.every((r) => r.header === `Bearer ${key}`), 'negotiate carries the key');
  assert.deepEqual(sockets.map((u) => [u.pathname, u.searchParams.get('access_token')]), [['/hubs/council', key]], 'the WebSocket carries it as access_token');
  await page.close();
});

test('a per-user limit refusing a run shows the server\'s message on that question', async () => {
  const { page } = await newPage(browser.context, { models: ['sim/slowpoke?ttft=100&tps=5&tokens=300', models[0]], chairman: chair });
  await page.goto(server.url);
  await page.getByLabel('API key').fill(key);
  await page.getByLabel('API key').press('Enter');
  await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
  await ask(page, 'A long one');
  await page.locator('.run[data-status="running"]').waitFor({ timeout: 10000 });
  await ask(page, 'One more at the same time');
  const refused = page.locator('.turn').nth(1).getByRole('alert');
  await refused.waitFor({ timeout: 10000 });
  assert.equal(await refused.innerText(), 'The council could not start: You have 1 runs going, the most at once. Retry when one finishes, or cancel one.');
  await page.keyboard.press('Escape');
  await page.locator('.run[data-status="cancelled"]').waitFor({ timeout: 10000 });
  await page.close();
});
