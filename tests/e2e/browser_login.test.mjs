// The real-browser test of authgate: headless Debian Chromium opens a protected page behind
// authgate, is sent to the IdP, signs in and consents, and comes back to the hello page showing
// the user's email. The screenshot stays in tests/e2e/artifacts/authgate-hello.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';

let idp;
let hello;
let gate;
let browser;

before(async () => {
  const port = await freePort();
  idp = new Idp({ redirectUris: [`http://127.0.0.1:${port}/oauth2/callback`] });
  await idp.start();
  hello = await startHello();
  gate = await startAuthgate({ port, issuer: idp.issuer, clientId: idp.client.clientId, clientSecret: idp.client.clientSecret, upstream: hello.url });
  await gate.ready();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gate?.stop();
  await hello?.stop();
  await idp?.stop();
});

test('Chromium logs in through authgate and sees the hello page with its email', async () => {
  const { page } = browser;
  await page.goto(`${gate.url}/private/page`);
  await page.waitForURL((u) => u.href.startsWith(`${idp.issuer}/interaction/`));
  await page.fill('#username', 'alice');
  await page.fill('#password', 'alice-password');
  await page.click('#sign-in');
  await page.waitForSelector('#allow');
  await page.click('#allow');
  await page.waitForURL((u) => u.href === `${gate.url}/private/page`);
  const body = await page.textContent('body');
  assert.match(body, /alice@example\.com/);
  await browser.screenshot('authgate-hello');
  const cookies = await browser.context.cookies(gate.url);
  const session = cookies.find((c) => c.name === '_authgate');
  assert.ok(session, 'session cookie stored by the browser');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  assert.deepEqual(browser.blocked, [], 'no request left the machine');
});
