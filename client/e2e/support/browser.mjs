// Debian's Chromium driven by playwright-core; never a downloaded browser, traffic stays on 127.0.0.1.
import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** @param {import('playwright-core').BrowserContextOptions} [contextOptions] e.g. { bypassCSP: true } */
export async function launchBrowser(contextOptions = {}) {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'council-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    ...contextOptions,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new page with these settings already chosen. `errors` collects uncaught exceptions and console errors;
 * `cspViolations()` the Content-Security-Policy violations the page reported.
 */
export async function newPage(context, settings = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(new Error(message.text()));
  });
  await page.addInitScript((value) => {
    if (!sessionStorage.getItem('council.e2e.seeded')) {
      sessionStorage.setItem('council.e2e.seeded', '1');
      localStorage.setItem('council.settings.v1', JSON.stringify(value));
    }
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  }, { models: [], customModels: [], chairman: '', workflow: 'council', laneView: 'grid', ...settings });
  return { page, errors, cspViolations: () => page.evaluate(() => window.__cspViolations) };
}

/** Opens the app with these settings already chosen, and waits until it is connected. */
export async function openApp(context, url, settings = {}) {
  const opened = await newPage(context, settings);
  await opened.page.goto(url);
  await opened.page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 });
  return opened;
}

/** Types a question and sends it with Enter. */
export async function ask(page, prompt) {
  const box = page.getByLabel('Your question');
  await box.fill(prompt);
  await box.press('Enter');
}

/**
 * A screenshot of the whole conversation: the page scrolls inside the conversation pane, so the
 * viewport is made tall enough to show all of it (and off-screen lanes get rendered) first.
 */
export async function screenshotConversation(page, file) {
  const size = page.viewportSize();
  const height = await page.evaluate(() => {
    const pane = document.querySelector('.conversation');
    return document.documentElement.clientHeight - pane.clientHeight + pane.scrollHeight;
  });
  await page.setViewportSize({ width: size.width, height: Math.ceil(height) });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path: file });
  await page.setViewportSize(size);
}
