// Code blocks in Chromium: highlighted by their language with highlight.js, which the page fetches only once a
// finished code block needs it, and a "Copy code" button per block. The answer comes from a stub
// OpenAI-compatible model through the server's real provider path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/node/support/server.mjs';
import { ask, launchBrowser, openApp } from './support/browser.mjs';
import { startOpenAiStub } from './support/openai-stub.mjs';

const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-output');
const code = 'function add(a, b) {\n  // the sum\n  return a + b;\n}';
const answer = `Here is **the function**:\n\n\`\`\`js\n${code}\n\`\`\`\n\nAnd in Python:\n\n\`\`\`python\ndef add(a, b):\n    return a + b\n\`\`\`\n`;
let stub;
let server;
let browser;

before(async () => {
  stub = await startOpenAiStub(() => answer);
  server = await startServer({ env: { Council__Providers__stub__BaseUrl: stub.baseUrl, Council__Providers__stub__Models__0: 'coder' } });
  browser = await launchBrowser();
  await browser.context.addInitScript(() => {
    window.__copied = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, get: () => ({ writeText: async (text) => { window.__copied.push(text); } }) });
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await stub?.close();
});

test('code blocks are highlighted by language once finished, with the highlighter loaded lazily, and copy their code', async () => {
  const scripts = [];
  const { page, errors } = await openApp(browser.context, server.url, { models: ['stub/coder', 'sim/plain?ttft=50&tps=300&tokens=30'], chairman: 'stub/coder' });
  page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname); });
  const initial = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.js')));
  assert.equal(initial.filter((p) => /common|highlight/.test(p)).length, 0, `no highlighter on the first page: ${initial}`);

  await ask(page, 'Write add');
  await page.locator('.run[data-status="ok"]').waitFor({ timeout: 30000 });
  const lane = page.locator('section.section-answers article.lane[data-model="stub/coder"]');
  await lane.locator('pre code.hljs .hljs-keyword').first().waitFor({ timeout: 10000 });
  assert.ok(scripts.some((p) => /common/.test(p)), `the highlighter chunk was fetched on demand: ${scripts}`);
  assert.ok(await lane.locator('code.language-js .hljs-comment').count() > 0);
  assert.ok(await lane.locator('code.language-python .hljs-keyword').count() > 0);
  assert.equal(await lane.locator('code.language-js').innerText(), `${code}\n`, 'highlighting changes no text');

  assert.equal(await lane.getByRole('button', { name: 'Copy code' }).count(), 2);
  await lane.getByRole('button', { name: 'Copy code' }).first().click();
  assert.deepEqual(await page.evaluate(() => window.__copied), [`${code}\n`]);
  await lane.screenshot({ path: path.join(outputDir, 'code-blocks.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
