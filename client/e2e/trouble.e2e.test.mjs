// End to end, when things go wrong: a reload or a second tab mid-run, the server going down and coming back, a run
// the server's crash cut off, a phone, bad input. The real server (Release build), Debian's Chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/node/support/server.mjs';
import { startProxy } from '../../shared-contracts/client/test/support/proxy.mjs';
import { ask, launchBrowser, newPage, openApp, screenshotConversation } from './support/browser.mjs';

const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-output');
mkdirSync(outputDir, { recursive: true });
const shot = (name) => path.join(outputDir, name);

const chair = 'sim/chair?ttft=150&tps=120&tokens=120';
// A server with a small model-count limit, so the settings dialog has one to enforce.
const maxModels = 4;
let server;
let browser;

before(async () => {
  server = await startServer({ env: { Council__MaxModelsPerRun: String(maxModels) } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const lane = (page, section, model) => page.locator(`section.section-${section} article.lane[data-model="${model}"]`);
const stageCard = (page, name) => page.locator('.stage-bar .stage').filter({ has: page.locator('.stage-name', { hasText: name }) });
const seconds = (meta) => {
  const m = /· ([\d.]+) (ms|s)\b/.exec(meta);
  return m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : NaN;
};
const hueOf = (locator) => locator.evaluate((el) => el.style.getPropertyValue('--model-hue'));

describe('a run watched from elsewhere', () => {
  test('a second tab and a reload land on the running conversation, marked running, and the resumed view matches the live one', async () => {
    const { page, errors } = await openApp(browser.context, server.url, { models: ['sim/warmup1?ttft=50&tps=200&tokens=30', 'sim/warmup2?ttft=50&tps=200&tokens=30'], chairman: chair });
    // Another conversation first: under first-seen colours its models would take the first hues on this page only.
    await ask(page, 'Warm up');
    await page.locator('.run[data-status="ok"]').waitFor({ timeout: 30000 });
    await page.getByRole('button', { name: '+ New conversation' }).click();

    const swift = 'sim/swift?ttft=200&tps=40&tokens=60';
    const steady = 'sim/steady?ttft=300&tps=20&tokens=260';
    const late = 'sim/late?ttft=15000&tps=20&tokens=60';
    await page.getByRole('button', { name: 'Open council settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Council settings' });
    await dialog.getByRole('button', { name: 'Use the server’s default council' }).click();
    for (const id of [swift, steady, late]) {
      await dialog.getByLabel('Add a model id').fill(id);
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    }
    await dialog.getByRole('button', { name: 'Done' }).click();
    await ask(page, 'How do tides work?');
    await lane(page, 'answers', swift).and(page.locator('[data-status="done"]')).waitFor({ timeout: 15000 });
    await lane(page, 'answers', steady).and(page.locator('[data-status="streaming"]')).waitFor({ timeout: 5000 });

    // The stage bar says who streams and who has not sent a first token yet (it redraws at most every 200 ms, so it
    // may still name swift for a moment).
    const answers = stageCard(page, 'answers').locator('.stage-detail');
    await answers.filter({ hasText: /streaming: steady · waiting for a first token: late/ }).waitFor({ timeout: 3000 });
    // Live speed of a 20 tok/s model, a second or more into its stream.
    await page.waitForTimeout(1500);
    const rate = Number(/(\d+) tok\/s/.exec(await lane(page, 'answers', steady).locator('.chip-streaming').innerText())[1]);
    assert.ok(rate >= 14 && rate <= 23, `a 20 tok/s model reads ${rate} tok/s`);

    // A second tab opened now lands on this conversation, streaming, with every stage laid out.
    const { page: tab, errors: tabErrors } = await newPage(browser.context, {});
    await tab.goto(server.url);
    await tab.locator('.run[data-status="running"]').waitFor({ timeout: 5000 });
    await lane(tab, 'answers', steady).and(tab.locator('[data-status="streaming"]')).waitFor({ timeout: 3000 });
    assert.match(await tab.locator('.conversation-item[aria-current="page"]').innerText(), /running/);
    assert.match(await tab.locator('.topbar-title').innerText(), /How do tides work/);
    // (The stage bar redraws at most every 200 ms.)
    await tab.locator('.stage-bar .stage-name').nth(2).waitFor({ timeout: 3000 });
    assert.deepEqual(await tab.locator('.stage-bar .stage-name').allTextContents(), ['answers', 'reviews', 'synthesis']);
    await screenshotConversation(tab, shot('resumed-second-tab.png'));

    // Its figures are the run's, not the replay's: the clock, a finished lane's TTFT, no TTFT made up for a streaming
    // lane, a plausible speed, and the same colours.
    const [clockLive, clockTab] = [seconds(await page.locator('.run-meta').innerText()), seconds(await tab.locator('.run-meta').innerText())];
    assert.ok(Math.abs(clockLive - clockTab) < 1.5, `clocks: live ${clockLive} s, second tab ${clockTab} s`);
    const ttft = (p, model) => lane(p, 'answers', model).locator('.lane-stats div').filter({ hasText: 'TTFT' }).locator('dd').innerText();
    assert.equal(await ttft(tab, swift), await ttft(page, swift));
    assert.notEqual(await ttft(tab, steady), '0 ms');
    await tab.waitForTimeout(1200);
    const tabRate = /(\d+) tok\/s/.exec(await lane(tab, 'answers', steady).locator('.chip-streaming').innerText());
    assert.ok(!tabRate || Number(tabRate[1]) <= 23, `the second tab reads ${tabRate?.[1]} tok/s for a 20 tok/s model`);
    assert.equal(await hueOf(lane(tab, 'answers', swift)), await hueOf(lane(page, 'answers', swift)));

    // Skipping the model that never started streaming: the stage bar says so.
    await lane(page, 'answers', late).getByRole('button', { name: 'Skip late' }).click();
    await stageCard(page, 'answers').locator('.stage-detail', { hasText: 'skipped: late' }).waitFor({ timeout: 5000 });
    assert.doesNotMatch(await stageCard(page, 'answers').locator('.stage-detail').innerText(), /waiting for a first token: late/);

    // A reload of the first tab lands there too.
    await page.reload();
    await page.locator('.run[data-status="running"]').waitFor({ timeout: 5000 });

    // Finished: the final answer on top of the run, finished lanes fold away, the review labels keyed to models.
    await tab.locator('.run[data-status="ok"]').waitFor({ timeout: 60000 });
    const run = tab.locator('.run');
    assert.deepEqual((await run.locator(':scope > section.run-section').evaluateAll((s) => s.map((x) => x.getAttribute('aria-label')))).slice(0, 3), ['Final answer', 'Answers', 'Reviews']);
    await tab.getByRole('button', { name: 'Hide answers' }).click();
    await tab.getByRole('button', { name: 'Hide reviews' }).click();
    assert.equal(await run.locator('section.section-answers .stage-body').isHidden(), true);
    assert.equal(await run.locator('section.section-review .stage-body').isHidden(), true);
    assert.equal(await tab.getByRole('table', { name: 'Aggregate ranking' }).isVisible(), true, 'the ranking stays in view');
    const keyed = await tab.locator('dl.label-key dd').allInnerTexts();
    assert.deepEqual([...keyed].sort(), ['steady', 'swift'], `the key names the models that were reviewed: ${keyed}`);
    await tab.getByRole('button', { name: 'Show answers' }).click();
    assert.equal(await run.locator('section.section-answers .stage-body').isVisible(), true);
    await screenshotConversation(tab, shot('resumed-finished.png'));

    assert.deepEqual([...errors, ...tabErrors].map(String), []);
    await tab.close();
    await page.close();
  });
});

describe('the server goes away', () => {
  test('while it is down the run is paused; it reconnects promptly; a run its crash cut off shows as it ended, from the stored log, with Retry', async () => {
    // Events are stored at most every 1.5 s: the crash loses the newest ones, which the page has seen (log_diverged).
    const env = { Council__Storage__FlushIntervalMs: '1500' };
    let own = await startServer({ env });
    const proxy = await startProxy(() => Number(new URL(own.url).port));
    try {
      const models = ['sim/kilo?ttft=100&tps=25&tokens=500', 'sim/lima?ttft=100&tps=25&tokens=500'];
      const { page, errors } = await openApp(browser.context, proxy.url, { models, chairman: chair });
      await ask(page, 'Survive a crash');
      await page.waitForFunction(() => {
        const lanes = [...document.querySelectorAll('section.section-answers article.lane')];
        const tokens = (l) => Number(/tokens\s*≈?(\d+)/.exec(l.querySelector('.lane-stats')?.textContent ?? '')?.[1] ?? 0);
        return lanes.length === 2 && lanes.every((l) => tokens(l) > 100);
      }, null, { timeout: 20000 });
      const runId = await page.locator('.run').getAttribute('data-run-id');

      await own.stop('SIGKILL');
      const status = page.locator('.run .run-status');
      await status.filter({ hasText: 'paused · reconnecting…' }).waitFor({ timeout: 10000 });
      await page.locator('section.section-answers .chip-paused').nth(1).waitFor({ timeout: 3000 });
      assert.equal(await page.locator('section.section-answers .chip-paused').count(), 2, 'both lanes say paused');
      assert.equal(await page.locator('.run .pulse').count(), 0, 'nothing pulses as if streaming');
      const frozen = await page.locator('.run-meta').innerText();
      await page.waitForTimeout(1100);
      assert.equal(await page.locator('.run-meta').innerText(), frozen, 'the run clock stops while the server is away');
      await screenshotConversation(page, shot('server-down-paused.png'));
      // Down a few seconds, as a restart would be: the page keeps trying.
      await page.waitForTimeout(3000);

      own = await startServer({ dbPath: own.dbPath, env });
      await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 8000 });

      // The restarted server closed the run as interrupted. The page replays the stored log from the start.
      await page.locator('.run[data-status="failed"]').waitFor({ timeout: 10000 });
      assert.match(await status.innerText(), /^interrupted$/i);
      const meta = await page.locator('.run-meta').innerText();
      assert.ok(seconds(meta) >= 1, `the run's true duration, not 0: ${meta}`);
      const out = Number(/in, ≈?(\d+) out/.exec(meta)?.[1]);
      assert.ok(out > 50, `tokens out counted from what streamed: ${meta}`);
      // (The stage bar redraws at most every 200 ms.)
      await stageCard(page, 'answers').locator('.stage-detail', { hasText: 'stopped at 0 of 2' }).waitFor({ timeout: 3000 });
      assert.equal(await stageCard(page, 'reviews').locator('.stage-count').innerText(), 'not run');
      assert.equal(await stageCard(page, 'synthesis').locator('.stage-count').innerText(), 'not run');
      assert.equal(await page.locator('.run').getByText(/^Interrupted:/).count(), 1, 'the reason, once');
      assert.equal(await page.locator('section.section-answers .chip', { hasText: 'cut off' }).count(), 2);

      // What the lanes show is the stored log, not the events the crash lost.
      const stored = await (await fetch(`${own.url}/api/runs/${runId}`)).json();
      for (const model of models) {
        const output = stored.outputs.find((o) => o.model === model && o.stage === 0);
        assert.equal(Number(await lane(page, 'answers', model).getAttribute('data-length')), output.text.length, `${model} shows the stored text`);
      }
      await screenshotConversation(page, shot('interrupted-run.png'));

      // Retry asks the same question with the same council, in the same conversation.
      await page.getByRole('button', { name: 'Retry' }).click();
      const retried = page.locator('.turn').nth(1);
      await retried.locator('.run[data-status="running"]').waitFor({ timeout: 10000 });
      assert.equal(await retried.locator('.question').innerText(), 'Survive a crash');
      assert.deepEqual(await retried.locator('section.section-answers article.lane').evaluateAll((l) => l.map((x) => x.dataset.model)), models);
      assert.equal(await page.locator('.conversation-item[aria-current="page"]').innerText().then((t) => /2 questions/.test(t)), true);
      await page.keyboard.press('Escape');
      await retried.locator('.run[data-status="cancelled"]').waitFor({ timeout: 10000 });
      assert.deepEqual(errors.map(String).filter((e) => !/WebSocket|Failed to load resource|net::ERR|Connection disconnected|Failed to complete negotiation/i.test(e)), []);
      await page.close();
    } finally {
      await proxy.close();
      await own.stop();
    }
  });
});

describe('a phone', () => {
  test('at 390 px a "Conversations" button opens the list with New conversation, and every control stays on screen', async () => {
    const { page, errors } = await newPage(browser.context, { models: ['sim/p1?ttft=50&tps=150&tokens=60', 'sim/p2?ttft=80&tps=150&tokens=60'], chairman: chair });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.url);
    await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
    assert.equal(await page.locator('nav.sidebar').isVisible(), false);
    await ask(page, 'Pocket question');
    await page.locator('.run[data-status="ok"]').waitFor({ timeout: 30000 });

    const onScreen = async (locator, what) => {
      const box = await locator.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390 + 0.5 && box.width > 0, `${what} is on screen: ${JSON.stringify(box)}`);
    };
    await onScreen(page.locator('.topbar-title'), 'the title');
    assert.ok((await page.locator('.topbar-title').boundingBox()).width > 100, 'the title has room');
    for (const name of ['Conversations', 'Operations', 'Open council settings', 'Send question', 'Council settings']) {
      await onScreen(page.getByRole('button', { name, exact: true }), name);
    }
    await onScreen(page.getByLabel('Your question'), 'the question box');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling');
    // The timeline's axis labels do not run into each other.
    const axes = await page.locator('.timeline-axis').evaluateAll((all) => all.map((axis) => [...axis.children]
      .filter((s) => getComputedStyle(s).visibility !== 'hidden').map((s) => s.getBoundingClientRect()).map((r) => [r.left, r.right])));
    assert.ok(axes.length > 0);
    for (const labels of axes) {
      for (let i = 1; i < labels.length; i++) assert.ok(labels[i][0] >= labels[i - 1][1], `axis labels ${i - 1} and ${i} overlap: ${JSON.stringify(labels)}`);
    }
    await screenshotConversation(page, shot('phone-390.png'));

    await page.getByRole('button', { name: 'Conversations', exact: true }).click();
    const drawer = page.getByRole('navigation', { name: 'Conversations' });
    await drawer.waitFor({ state: 'visible' });
    await onScreen(drawer.getByRole('button', { name: '+ New conversation' }), 'New conversation');
    await drawer.locator('.conversation-item', { hasText: 'Pocket question' }).waitFor();
    await page.screenshot({ path: shot('phone-390-conversations.png') });
    await drawer.getByRole('button', { name: '+ New conversation' }).click();
    await drawer.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('.topbar-title').innerText(), 'New conversation');
    // And back to the earlier one through the menu.
    await page.getByRole('button', { name: 'Conversations', exact: true }).click();
    await drawer.locator('.conversation-item', { hasText: 'Pocket question' }).click();
    await page.locator('.turn').waitFor();
    assert.deepEqual(errors.map(String), []);
    await page.close();
  });
});

describe('bad input', () => {
  test('the prompt length shows against the server limit while typing; settings check model ids and the model count; errors are worded for people', async () => {
    const { page, errors } = await openApp(browser.context, server.url, { models: ['sim/ok1?ttft=50&tps=200&tokens=20', 'sim/ok2?ttft=50&tps=200&tokens=20'], chairman: chair });
    const box = page.getByLabel('Your question');
    await box.fill('Short question');
    await page.locator('.composer-length', { hasText: '14 / 32,000 characters' }).waitFor({ timeout: 5000 });
    await box.fill('x'.repeat(100_000));
    const over = page.locator('.composer-length-over');
    await over.waitFor();
    assert.match(await over.innerText(), /100,000 \/ 32,000 characters: 68,000 too many/);
    assert.equal(await page.getByRole('button', { name: 'Send question' }).isDisabled(), true);
    await box.press('Enter');
    assert.equal(await page.locator('.turn').count(), 0, 'nothing was sent, no 29,000 px bubble');
    await page.locator('.composer').screenshot({ path: shot('prompt-too-long.png') });
    await box.fill('');

    await page.getByRole('button', { name: 'Open council settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Council settings' });
    await dialog.getByLabel('Add a model id').fill('nope/model-x');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    assert.equal(await dialog.getByRole('alert').innerText(), 'Unknown model: nope/model-x. Pick one from the list.');
    // The limit is 4 models: once four are chosen the others cannot be ticked, and a fifth cannot be added.
    for (const id of ['sim/ok3?tps=100', 'sim/ok4?tps=100']) {
      await dialog.getByLabel('Add a model id').fill(id);
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    }
    assert.match(await dialog.innerText(), /4 chosen\. At most 4 per run\./);
    const unticked = dialog.locator('.model-options input[type="checkbox"]:not(:checked)');
    assert.ok(await unticked.count() > 0);
    for (const checkbox of await unticked.all()) assert.equal(await checkbox.isDisabled(), true);
    await dialog.getByLabel('Add a model id').fill('sim/ok5');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    assert.match(await dialog.getByRole('alert').innerText(), /at most 4 models/);
    await dialog.screenshot({ path: shot('settings-validation.png') });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // A model the server refuses (kept from an older session): its refusal in words for a person.
    await page.evaluate(() => {
      const settings = JSON.parse(localStorage.getItem('council.settings.v1'));
      localStorage.setItem('council.settings.v1', JSON.stringify({ ...settings, models: ['sim/ok1', 'ghost/model'] }));
    });
    await page.reload();
    await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
    await ask(page, 'Who is there?');
    const refusal = page.locator('.turn .run-error');
    await refusal.waitFor({ timeout: 5000 });
    assert.equal(await refusal.innerText(), 'The council could not start: Unknown model: ghost/model. Pick one from the list.');
    assert.doesNotMatch(await refusal.innerText(), /list_models/);
    // And the settings dialog will not close over it.
    await page.getByRole('button', { name: 'Open council settings' }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();
    assert.match(await dialog.getByRole('alert').innerText(), /Unknown model: ghost\/model/);
    assert.equal(await dialog.isVisible(), true);
    assert.deepEqual(errors.map(String), []);
    await page.close();
  });

  test("a pipeline's result is shown without the reviewer's VERDICT line", async () => {
    const { page } = await openApp(browser.context, server.url, {
      models: ['sim/arch?ttft=30&tps=400&tokens=40', 'sim/code?ttft=30&tps=400&tokens=40', 'sim/rev?ttft=30&tps=400&tokens=40&approve=1'],
      chairman: chair,
      workflow: 'pipeline',
    });
    await ask(page, 'Write a rate limiter');
    await page.locator('.run[data-status="ok"]').waitFor({ timeout: 60000 });
    const result = page.getByRole('region', { name: 'Result' });
    assert.ok((await result.innerText()).length > 40);
    assert.doesNotMatch(await result.innerText(), /VERDICT/);
    await page.close();
  });
});
