// The real-browser check of the harness: Debian Chromium (headless, playwright-core) clicks through
// the test IdP's login and consent pages for the STAND-IN RP (lib/standin-rp.mjs, not authgate)
// and ends signed in. Screenshots go to tests/e2e/artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Idp } from './lib/idp.mjs';
import { startStandinRp } from './lib/standin-rp.mjs';
import { launchBrowser } from './lib/browser.mjs';

let idp;
let rp;
let browser;

before(async () => {
  idp = new Idp();
  rp = await startStandinRp({ idp, scope: 'openid email profile groups' });
  idp.client.redirectUris.splice(0, Infinity, rp.redirectUri);
  await idp.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await rp?.stop();
  await idp?.stop();
});

test('Chromium signs alice in through the IdP login and consent pages', async () => {
  const { page } = browser;
  await page.goto(`${rp.url}/start`);
  await page.waitForURL((u) => u.href.startsWith(`${idp.issuer}/interaction/`));
  assert.equal(await page.title(), 'Sign in to the test IdP');
  await page.fill('#username', 'alice');
  await page.fill('#password', 'alice-password');
  await browser.screenshot('browser-idp-login');
  await page.click('#sign-in');

  await page.waitForSelector('#allow');
  assert.match(await page.textContent('#scopes'), /openid email profile groups/);
  await browser.screenshot('browser-idp-consent');
  await page.click('#allow');

  await page.waitForURL(`${rp.url}/`);
  const me = JSON.parse(await page.textContent('#me'));
  assert.equal(me.standin, true);
  assert.equal(me.sub, 'alice');
  assert.deepEqual(me.groups, ['admins', 'devs']);
  const shot = await browser.screenshot('browser-signed-in');
  assert.ok(existsSync(shot));

  const cookies = await browser.context.cookies(rp.url);
  assert.ok(cookies.some((c) => c.name === 'standin_sid' && c.httpOnly));
  assert.ok(cookies.some((c) => c.name === '_session'), 'IdP session cookie set in the browser');
  assert.equal(idp.tokenCalls('authorization_code'), 1);
  assert.deepEqual(browser.blocked, [], 'the pages reached nothing but 127.0.0.1');
});
