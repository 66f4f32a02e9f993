// authgate as Envoy's ext_authz HTTP service (Istio envoyExtAuthzHttp), with a stand-in for
// Envoy's filter in front of the hello upstream (lib/envoy_http.mjs), against the real OpenID
// Provider: the whole browser flow goes through checks, as in the seed's mesh set-up.
//   - `--upstream=static://200`: every request to authgate is a check (oauth2-proxy's set-up);
//   - `--ext-authz-prefix=/check`: checks under Istio's pathPrefix, the rest reverse-proxied.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { CookieJar, login, request } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';
import { startEnvoyHttp } from './lib/envoy_http.mjs';

for (const mode of [
  { name: 'static://200', pathPrefix: '', extraArgs: ['--set-authorization-header=true'] },
  { name: 'ext_authz_prefix', pathPrefix: '/check', extraArgs: ['--set-authorization-header=true', '--ext-authz-prefix=/check'] },
]) {
  describe(`Envoy ext_authz HTTP check (${mode.name})`, () => {
    let idp;
    let hello;
    let gate;
    let envoy;

    before(async () => {
      const envoyPort = await freePort();
      const site = `http://127.0.0.1:${envoyPort}`;
      idp = new Idp({ redirectUris: [`${site}/oauth2/callback`], postLogoutRedirectUris: [`${site}/`] });
      await idp.start();
      hello = await startHello();
      gate = await startAuthgate({
        port: await freePort(),
        issuer: idp.issuer,
        clientId: idp.client.clientId,
        clientSecret: idp.client.clientSecret,
        upstream: mode.pathPrefix ? hello.url : 'static://200',
        extraArgs: mode.extraArgs,
      });
      await gate.ready();
      envoy = await startEnvoyHttp({ port: envoyPort, authz: gate.url, upstream: hello.url, pathPrefix: mode.pathPrefix });
    });

    after(async () => {
      await envoy?.stop();
      const exit = await gate?.stop();
      await hello?.stop();
      await idp?.stop();
      assert.deepEqual(exit, { code: 0, signal: null });
    });

    test('a browser logs in through checks and the upstream receives the identity', async () => {
      const result = await login(`${envoy.url}/app?x=1`);
      assert.deepEqual(result.pages, ['login', 'consent']);
      assert.equal(result.status, 200, result.body);
      assert.equal(result.url, `${envoy.url}/app?x=1`);
      const seen = hello.lastRequest();
      assert.equal(seen.headers['x-auth-request-email'], 'alice@example.com');
      assert.equal(seen.headers['x-auth-request-user'], 'alice@example.com');
      assert.match(seen.headers.authorization ?? '', /^Bearer ey/);
      // The callback and the first request were checks; authgate saw the original path.
      const paths = envoy.checks.map((c) => c.path);
      assert.ok(paths.includes(`${mode.pathPrefix}/app?x=1`), paths.join(' '));
      assert.ok(paths.some((p) => p.startsWith(`${mode.pathPrefix}/oauth2/callback?`)), paths.join(' '));
    });

    test('an allowed check is 200 with no body and the gateway headers', async () => {
      const { jar } = await login(`${envoy.url}/`);
      await request(`${envoy.url}/anything?q=1`, { jar });
      const check = envoy.answers.at(-1);
      assert.equal(check.status, 200);
      assert.equal(check.body.length, 0);
      assert.equal(check.headers.get('x-auth-request-preferred-username'), 'alice');
      assert.match(check.headers.get('authorization') ?? '', /^Bearer /);
      assert.match(check.headers.get('x-envoy-auth-headers-to-remove') ?? '', /X-Forwarded-User/i);
    });

    test('client-sent identity headers never reach the upstream', async () => {
      const { jar } = await login(`${envoy.url}/`);
      const response = await request(`${envoy.url}/headers`, {
        jar,
        headers: { 'X-Auth-Request-Email': 'mallory@evil.test', 'X-Forwarded-User': 'mallory' },
      });
      const echoed = (await response.json()).headers;
      assert.equal(echoed['x-auth-request-email'], 'alice@example.com');
      assert.equal(echoed['x-forwarded-user'], undefined);
    });

    test('without a session: browsers are redirected to the IdP, API clients get 401', async () => {
      const browser = await request(`${envoy.url}/page`, { jar: new CookieJar(), headers: { accept: 'text/html' } });
      assert.equal(browser.status, 302);
      assert.ok(browser.headers.get('location').startsWith(idp.issuer), browser.headers.get('location'));
      assert.ok(browser.headers.getSetCookie().some((c) => c.startsWith('_authgate_csrf_')));
      const api = await request(`${envoy.url}/api`, { method: 'POST', headers: { accept: 'application/json' } });
      assert.equal(api.status, 401);
      assert.match(api.headers.get('www-authenticate') ?? '', /^Bearer/);
    });

    test('sign-out through a check clears the session', async () => {
      const { jar } = await login(`${envoy.url}/`);
      const out = await request(`${envoy.url}/oauth2/sign_out?rd=/`, { jar });
      assert.equal(out.status, 302);
      assert.ok(out.headers.getSetCookie().some((c) => c.startsWith('_authgate=') && /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)));
      const after = await request(`${envoy.url}/page`, { jar, headers: { accept: 'application/json' } });
      assert.equal(after.status, 401);
    });
  });
}
