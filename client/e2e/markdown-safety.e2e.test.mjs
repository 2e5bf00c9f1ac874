// Model output is untrusted. A "model" behind the server's real OpenAI-compatible provider path answers with
// hostile markdown; in Chromium it must render inert: no script runs, no handler fires, no dangerous link
// can be followed. Checked twice: under the server's Content-Security-Policy (as users get it) and with CSP
// bypassed, so the renderer itself is what is tested, not only the policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../tests/node/support/server.mjs';
import { ask, launchBrowser, newPage } from './support/browser.mjs';
import { startOpenAiStub } from './support/openai-stub.mjs';

// Every vector would set a window.__pwned_* sentinel and open a dialog if it ever ran.
const hostile = [
  '# Totally normal answer',
  '',
  'Here is a [safe link](https://example.com/docs) to show links still work.',
  '',
  '<script>window.__pwned_script = 1; alert("script")</script>',
  '',
  '<img src=x onerror="window.__pwned_img = 1; alert(\'img\')">',
  '',
  'Inline <img src="x" onerror="window.__pwned_inline_img=1"> and <b onmouseover="window.__pwned_hover=1">bold</b>.',
  '',
  '[click me](javascript:window.__pwned_link=1;alert(\'link\'))',
  '',
  '[CLICK CAPS](JaVaScRiPt:window.__pwned_caps=1)',
  '',
  '[entity link](&#106;avascript:window.__pwned_entity=1)',
  '',
  '<javascript:window.__pwned_autolink=1>',
  '',
  '[ref link][evil]',
  '',
  '[evil]: javascript:window.__pwned_ref=1',
  '',
  '<iframe src="javascript:parent.__pwned_iframe=1;alert(\'iframe\')"></iframe>',
  '',
  '<iframe srcdoc="<script>parent.__pwned_srcdoc=1</script>"></iframe>',
  '',
  '<a href="data:text/html,<script>alert(\'data\')</script>">data link</a>',
  '',
  '[data md link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '',
  '<svg onload="window.__pwned_svg=1"><circle r="5"/></svg>',
  '',
  '<details open ontoggle="window.__pwned_toggle=1"><summary>x</summary>y</details>',
  '',
  '![tracking pixel](x" onerror="window.__pwned_md_img=1)',
  '',
  '<style>body { display: none }</style>',
  '',
  '<form action="javascript:window.__pwned_form=1"><button>Submit</button></form>',
  '',
  '```html',
  '<script>window.__pwned_code = 1</script>',
  '```',
].join('\n');

const allowedHref = /^(?:https?:|mailto:|#)/i;
const plain = 'sim/plain?ttft=50&tps=200&tokens=40';

let stub;
let server;

before(async () => {
  // A reviewer must end with a ranking; the hostile text comes first, so reviews are hostile too.
  stub = await startOpenAiStub(({ messages }) => (
    messages.some((m) => m.content.includes('FINAL RANKING')) ? `${hostile}\n\nFINAL RANKING:\n1. Response A\n2. Response B\n` : hostile));
  server = await startServer({ env: { Council__Providers__evil__BaseUrl: stub.baseUrl, Council__Providers__evil__Models__0: 'm' } });
});

after(async () => {
  await server?.stop();
  await stub?.close();
});

for (const [name, contextOptions] of [['under the server\'s CSP', {}], ['with CSP bypassed (the renderer alone)', { bypassCSP: true }]]) {
  describe(`hostile model output ${name}`, () => {
    let browser;
    before(async () => { browser = await launchBrowser(contextOptions); });
    after(async () => { await browser?.close(); });

    test('renders inert: no script, no handler, no dialog, no javascript: or data: link', async () => {
      const { page, errors, cspViolations } = await newPage(browser.context, { models: ['evil/m', plain], chairman: 'evil/m' });
      const dialogs = [];
      page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
      const requests = [];
      page.on('request', (request) => requests.push(request.url()));
      const popups = [];
      browser.context.on('page', (p) => popups.push(p));

      await page.goto(server.url);
      await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
      const appUrl = page.url();
      await ask(page, 'Please answer in markdown.');
      await page.locator('.run[data-status="ok"]').waitFor({ timeout: 30000 });

      // The hostile text did arrive, and shows as text: in the answer lane, the reviews and the final answer.
      const evilAnswer = page.locator('section.section-answers article.lane[data-model="evil/m"] .markdown');
      assert.match(await evilAnswer.innerText(), /<script>window\.__pwned_script = 1/);
      assert.match(await page.getByRole('article', { name: 'Final answer' }).locator('.markdown').innerText(), /<iframe src="javascript:/);
      const rendered = page.locator('.markdown');
      assert.ok(await rendered.count() >= 4, 'answer lanes, a review and the final answer are rendered');

      const dom = await page.evaluate(() => {
        const roots = [...document.querySelectorAll('.markdown')];
        const all = roots.flatMap((root) => [...root.querySelectorAll('*')]);
        return {
          dangerous: all.filter((el) => /^(script|iframe|img|svg|object|embed|style|form|details|link|meta|base)$/i.test(el.tagName)).map((el) => el.outerHTML),
          handlers: all.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`)),
          srcAttributes: all.filter((el) => el.hasAttribute('src') || el.hasAttribute('srcdoc')).map((el) => el.outerHTML),
          links: roots.flatMap((root) => [...root.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), text: a.textContent, target: a.target, rel: a.rel }))),
          scriptsInDocument: [...document.scripts].map((s) => s.src || s.textContent.slice(0, 40)),
          sentinels: Object.keys(window).filter((k) => k.startsWith('__pwned')),
        };
      });
      assert.deepEqual(dom.dangerous, []);
      assert.deepEqual(dom.handlers, []);
      assert.deepEqual(dom.srcAttributes, []);
      assert.ok(dom.scriptsInDocument.every((src) => src.startsWith(`${server.url}/assets/`)), `only the app's own scripts: ${dom.scriptsInDocument}`);
      for (const link of dom.links) {
        assert.match(link.href ?? '', allowedHref, `link "${link.text}" points at ${link.href}`);
        assert.equal(link.target, '_blank');
        assert.match(link.rel, /noopener/);
      }
      assert.ok(dom.links.some((l) => l.href === 'https://example.com/docs'), 'safe links are still links');
      for (const text of ['click me', 'CLICK CAPS', 'entity link', 'ref link', 'data md link']) {
        assert.ok(!dom.links.some((l) => l.text.includes(text)), `"${text}" is not a link`);
      }

      // Clicking where the dangerous links would be does nothing.
      await evilAnswer.getByText('click me').first().click();
      await evilAnswer.getByText('data md link').first().click();
      await evilAnswer.getByText('bold').first().hover();
      await page.waitForTimeout(200);
      assert.equal(page.url(), appUrl);
      assert.deepEqual(popups.map((p) => p.url()), []);

      // The <img src=x> never turned into a request.
      assert.deepEqual(requests.filter((url) => /\/x(?:[?#"]|$)/.test(url) || url.startsWith('data:text/html')), []);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(await page.evaluate(() => Object.keys(window).filter((k) => k.startsWith('__pwned'))), []);
      assert.deepEqual(await cspViolations(), [], 'nothing even tried to run');
      assert.deepEqual(errors.map(String), []);
      await page.close();
    });
  });
}

test('the stub was really used: the answers came over the OpenAI-compatible HTTP path', () => {
  assert.ok(stub.requests.length >= 3, `answers, a review and the synthesis went to the stub (${stub.requests.length} requests)`);
  assert.ok(stub.requests.every((r) => r.model === 'm' && r.stream === true));
});
