// Debian's Chromium, headless, driven by playwright-core (which never downloads a browser of its
// own here). Each launch gets a fresh --user-data-dir (Playwright's launchPersistentContext owns
// that flag), removed on close. Requests to anything but loopback are aborted: the tests' pages
// must never make the browser reach the network.
//
//   const browser = await launchBrowser();
//   const page = browser.page;  await page.goto(url);  ...  await browser.close();
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.AUTHGATE_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// Returns { context, page, userDataDir, blocked (URLs aborted), screenshot(name), close() }.
export async function launchBrowser({ timeoutMs = 15000 } = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium package (scripts/bootstrap does)`);
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'authgate-e2e-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: timeoutMs,
      viewport: { width: 1000, height: 700 },
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(timeoutMs);
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname)) return route.continue();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    userDataDir,
    blocked,
    // Saves a full-page PNG as artifacts/<name>.png and returns its path.
    async screenshot(name) {
      await mkdir(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      try {
        await context.close();
      } finally {
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
