// Rename, delete and search conversations in the sidebar, in Chromium against the real server (which stores them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/node/support/server.mjs';
import { ask, launchBrowser, openApp } from './support/browser.mjs';

const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-output');
const quick = { models: ['sim/a?ttft=30&tps=300&tokens=20', 'sim/b?ttft=30&tps=300&tokens=20'], chairman: 'sim/c?ttft=30&tps=300&tokens=20' };
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

const action = (sidebar, title, name) => sidebar.locator('.conversation-entry').filter({ hasText: title }).getByRole('button', { name });
const titles = async () => (await fetch(`${server.url}/api/conversations`).then((r) => r.json())).map((c) => c.title).sort();

test('search filters the conversations; rename and delete change them on the server too', async () => {
  const { page, errors } = await openApp(browser.context, server.url, quick);
  for (const prompt of ['Apples or pears?', 'Best pear recipes', 'Rust or Go?']) {
    await page.getByRole('button', { name: '+ New conversation' }).click();
    await ask(page, prompt);
    await page.locator('.run[data-status="ok"]').last().waitFor({ timeout: 30000 });
  }
  const sidebar = page.getByRole('navigation', { name: 'Conversations' });
  const items = sidebar.locator('.conversation-item .conversation-title');
  assert.equal(await items.count(), 3);

  const search = sidebar.getByRole('searchbox', { name: 'Search conversations' });
  await search.fill('pear');
  assert.deepEqual((await items.allInnerTexts()).sort(), ['Apples or pears?', 'Best pear recipes']);
  await search.fill('pear recipes');
  assert.deepEqual(await items.allInnerTexts(), ['Best pear recipes']);
  await search.fill('kiwi');
  await sidebar.getByText('No conversation matches “kiwi”.').waitFor();
  await search.fill('');

  await action(sidebar, 'Rust or Go?', 'Rename conversation').click();
  const input = sidebar.getByRole('textbox', { name: 'New title' });
  await input.fill('Languages for a CLI');
  await input.press('Enter');
  await items.filter({ hasText: 'Languages for a CLI' }).waitFor();
  assert.equal(await page.locator('.topbar-title').innerText(), 'Languages for a CLI', 'the open conversation is renamed too');
  await page.waitForFunction(async (url) => (await (await fetch(`${url}/api/conversations`)).json()).some((c) => c.title === 'Languages for a CLI'), server.url, { timeout: 5000 });
  await action(sidebar, 'Languages for a CLI', 'Rename conversation').click();
  await sidebar.getByRole('textbox', { name: 'New title' }).press('Escape');
  assert.equal(await items.filter({ hasText: 'Languages for a CLI' }).count(), 1, 'Esc keeps the title');

  page.once('dialog', (dialog) => void dialog.dismiss());
  await action(sidebar, 'Apples or pears?', 'Delete conversation').click();
  assert.equal(await items.count(), 3, 'a dismissed confirmation deletes nothing');
  page.once('dialog', (dialog) => void dialog.accept());
  await action(sidebar, 'Apples or pears?', 'Delete conversation').click();
  await items.filter({ hasText: 'Apples or pears?' }).waitFor({ state: 'detached' });
  assert.deepEqual(await titles(), ['Best pear recipes', 'Languages for a CLI']);
  await page.screenshot({ path: path.join(outputDir, 'conversations.png') });

  // After a reload the server's list has the same names.
  await page.reload();
  await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
  await items.nth(1).waitFor();
  assert.deepEqual((await items.allInnerTexts()).sort(), ['Best pear recipes', 'Languages for a CLI']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('deleting a conversation while its run is going says why it cannot', async () => {
  const { page } = await openApp(browser.context, server.url, { models: ['sim/slow?ttft=100&tps=10&tokens=300', 'sim/b?ttft=30&tps=300&tokens=20'], chairman: quick.chairman });
  await ask(page, 'A long one');
  await page.locator('article.lane[data-status="streaming"]').first().waitFor({ timeout: 15000 });
  const sidebar = page.getByRole('navigation', { name: 'Conversations' });
  page.once('dialog', (dialog) => void dialog.accept());
  await action(sidebar, 'A long one', 'Delete conversation').click();
  await sidebar.getByRole('alert').filter({ hasText: 'still going' }).waitFor({ timeout: 5000 });
  assert.equal(await sidebar.locator('.conversation-item').filter({ hasText: 'A long one' }).count(), 1);
  await page.close();
});
