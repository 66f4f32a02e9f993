// Several identity providers (issue 7): two oidc-provider instances as two `providers:` entries of
// one authgate, chosen by host. "127.0.0.1" signs in with Corp (IdP 1); "localhost" with Partner
// (IdP 2) below /partner/; the other paths of "localhost" have no provider of their own, so a
// browser without a session gets the chooser page there, and one with a session keeps its
// provider. A policy matches on the provider (request.auth.provider).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { CookieJar, login, request } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';

// "localhost" must reach authgate's 127.0.0.1 listener, not ::1.
dns.setDefaultResultOrder('ipv4first');

describe('two identity providers chosen by host', () => {
  let corp;
  let partner;
  let hello;
  let gate;
  let dir;
  let corpBase;
  let partnerBase;

  before(async () => {
    const port = await freePort();
    corpBase = `http://127.0.0.1:${port}`;
    partnerBase = `http://localhost:${port}`;
    corp = new Idp({ clientId: 'corp-client', redirectUris: [`${corpBase}/oauth2/callback`] });
    partner = new Idp({ clientId: 'partner-client', redirectUris: [`${partnerBase}/oauth2/callback`] });
    await corp.start();
    await partner.start();
    hello = await startHello();
    dir = await mkdtemp(path.join(tmpdir(), 'authgate-e2e-providers-'));
    const config = path.join(dir, 'authgate.yaml');
    await writeFile(
      config,
      `providers:
  - id: corp
    name: Corp SSO
    issuer_url: ${corp.issuer}
    client_id: ${corp.client.clientId}
    client_secret: ${corp.client.clientSecret}
    hosts: ["127.0.0.1"]
  - id: partner
    name: Partner login
    issuer_url: ${partner.issuer}
    client_id: ${partner.client.clientId}
    client_secret: ${partner.client.clientSecret}
    user_claim: preferred_username
    hosts: [localhost]
    path_prefixes: [/partner/]
policies:
  - name: no-admin-for-partners
    action: DENY
    rules:
      - to: [{operation: {paths: ["/admin"]}}]
        when: [{key: request.auth.provider, values: [partner]}]
`,
    );
    gate = await startAuthgate({ port, upstream: hello.url, extraArgs: [`--config=${config}`] });
    await gate.ready();
  });

  after(async () => {
    const exit = await gate?.stop();
    await hello?.stop();
    await corp?.stop();
    await partner?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    assert.deepEqual(exit, { code: 0, signal: null }, 'graceful shutdown exits 0');
  });

  test('each host signs in with its own provider and its own cookie', async () => {
    const atCorp = await login(`${corpBase}/hello`);
    assert.equal(atCorp.status, 200, atCorp.body);
    assert.ok(atCorp.hops.some((hop) => hop.url.startsWith(corp.issuer)), 'Corp signed the user in');
    assert.equal(hello.lastRequest().headers['x-forwarded-user'], 'alice@example.com');
    assert.ok(atCorp.jar.get('_authgate'), 'the first provider keeps cookie.name');

    const atPartner = await login(`${partnerBase}/partner/hello`);
    assert.equal(atPartner.status, 200, atPartner.body);
    assert.ok(atPartner.hops.some((hop) => hop.url.startsWith(partner.issuer)), 'Partner signed the user in');
    assert.ok(!atPartner.hops.some((hop) => hop.url.startsWith(corp.issuer)));
    assert.equal(hello.lastRequest().headers['x-forwarded-user'], 'alice', "the partner's user_claim");
    assert.ok(atPartner.jar.get('_authgate_partner'), 'the other providers get <cookie.name>_<id>');

    // Corp's session is no session for Partner's routes: its login starts there.
    const crossed = await request(`${partnerBase}/partner/hello`, {
      headers: { cookie: `_authgate=${atCorp.jar.get('_authgate').value}` },
    });
    assert.equal(crossed.status, 302);
    assert.ok(crossed.headers.get('location').startsWith(partner.issuer), crossed.headers.get('location'));
  });

  test('a path no provider owns shows the chooser; the choice sticks to the session', async () => {
    const jar = new CookieJar();
    const page = await request(`${partnerBase}/reports?q=1`, { jar });
    assert.equal(page.status, 403);
    const html = await page.text();
    assert.match(html, /Sign in with Corp SSO/);
    assert.match(html, /Sign in with Partner login/);
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
    const partnerLink = links.find((href) => href.includes('provider=partner'));
    assert.ok(partnerLink, links.join(' '));
    const start = new URL(partnerLink, partnerBase);
    assert.equal(start.searchParams.get('rd'), '/reports?q=1');

    const chosen = await login(start.href, { jar });
    assert.equal(chosen.status, 200, chosen.body);
    assert.equal(chosen.url, `${partnerBase}/reports?q=1`, 'back where the user started');
    assert.ok(chosen.hops.some((hop) => hop.url.startsWith(partner.issuer)));
    // No route decides /reports: the Partner session serves it from now on.
    const again = await request(`${partnerBase}/reports`, { jar });
    assert.equal(again.status, 200);
    assert.equal(hello.lastRequest().headers['x-forwarded-user'], 'alice');

    // An unknown provider id shows the list again instead of guessing.
    const unknown = await request(`${partnerBase}/oauth2/start?provider=nope`, { jar: new CookieJar() });
    assert.equal(unknown.status, 200);
    assert.match(await unknown.text(), /Sign in with Corp SSO/);
  });

  test('policies match on the provider a session came from', async () => {
    const viaPartner = await login(`${partnerBase}/partner/hello`);
    assert.equal(viaPartner.status, 200);
    const denied = await request(`${partnerBase}/admin`, { jar: viaPartner.jar });
    assert.equal(denied.status, 403);
    assert.match(await denied.text(), /no-admin-for-partners/);

    const viaCorp = await login(`${corpBase}/hello`);
    assert.equal((await request(`${corpBase}/admin`, { jar: viaCorp.jar })).status, 200);
  });

  test('/metrics counts every provider: its health, and the policies its gate applied', async () => {
    const text = await (await fetch(gate.metricsUrl())).text();
    assert.match(text, /^authgate_idp_up\{provider="corp"\} 1$/m, text);
    assert.match(text, /^authgate_idp_up\{provider="partner"\} 1$/m);
    // Decided by Partner's gate, the second one.
    const denied = text.match(/^authgate_policy_matches_total\{policy="no-admin-for-partners"\} (\d+)$/m);
    assert.ok(denied && Number(denied[1]) >= 1, text);
  });
});
