// One authgate "stack" for tests that need several front ends at once: the test IdP, the hello
// upstream, authgate itself (reverse proxy to hello, with an optional YAML configuration file and
// an optional gRPC listener), nginx in front of it with the configuration docs/nginx.md shows, and
// a client that plays Envoy's ext_authz gRPC filter. Every port is picked at run time; stop()
// stops what start() started and removes the temp directory.
//
//   const stack = await startStack({
//     idp: { clientCredentials: { clients: [...], resources: {...} } },   // more Idp options
//     config: 'policies: ...' or (stack) => `... ${stack.idp.issuer} ...`,  // YAML for --config
//     extraArgs: ['--oidc-clock-skew=1s'] or async (stack) => [...],   // more authgate flags
//     nginx: true, grpc: true,                // which front ends besides the reverse proxy
//   });
//   stack.gate.url      authgate's own address (reverse proxy, /oauth2/auth)
//   stack.base          nginx's address (nginx: true)
//   stack.envoy         connectEnvoyGrpc() client (grpc: true); stack.gateway its public origin
//   stack.idp, stack.hello, stack.nginx, stack.dir (temp directory), await stack.file(name, text)
//   const { gate, nginx } = await stack.stop();   // exit statuses
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Idp } from './idp.mjs';
import { startHello } from './hello.mjs';
import { freePort, startAuthgate } from './authgate.mjs';
import { documentedServer, startNginx } from './nginx.mjs';
import { connectEnvoyGrpc } from './envoy_grpc.mjs';

export async function startStack({ idp: idpOptions = {}, config, extraArgs = [], nginx = false, grpc = false } = {}) {
  const stack = { idp: undefined, hello: undefined, gate: undefined, nginx: undefined, envoy: undefined };
  stack.dir = await mkdtemp(path.join(tmpdir(), 'authgate-e2e-stack-'));
  stack.file = async (name, text) => {
    const file = path.join(stack.dir, name);
    await writeFile(file, text);
    return file;
  };
  stack.stop = async () => {
    stack.envoy?.close();
    const exits = {};
    if (stack.nginx) exits.nginx = await stack.nginx.stop();
    if (stack.gate) exits.gate = await stack.gate.stop();
    await stack.hello?.stop();
    await stack.idp?.stop();
    await rm(stack.dir, { recursive: true, force: true });
    return exits;
  };

  try {
    const gatePort = await freePort();
    const gateUrl = `http://127.0.0.1:${gatePort}`;
    const nginxPort = nginx ? await freePort() : undefined;
    const grpcPort = grpc ? await freePort() : undefined;
    stack.base = nginx ? `http://127.0.0.1:${nginxPort}` : undefined;
    stack.gateway = grpc ? `http://127.0.0.1:${await freePort()}` : undefined;
    // authgate derives its redirect_uri from the Host it was reached at: one per front end.
    const origins = [gateUrl, stack.base, stack.gateway].filter(Boolean);
    stack.idp = new Idp({
      ...idpOptions,
      redirectUris: [...(idpOptions.redirectUris ?? []), ...origins.map((o) => `${o}/oauth2/callback`)],
      postLogoutRedirectUris: [...(idpOptions.postLogoutRedirectUris ?? []), ...origins.map((o) => `${o}/`)],
    });
    await stack.idp.start();
    stack.hello = await startHello();

    // `config` and `extraArgs` may depend on the IdP's issuer (a jwt_rules entry, a
    // requestPrincipal in a policy file): functions of the stack, called once it is up.
    const args = [...(typeof extraArgs === 'function' ? await extraArgs(stack) : extraArgs)];
    const text = typeof config === 'function' ? await config(stack) : config;
    if (text !== undefined) args.push(`--config=${await stack.file('authgate.yaml', text)}`);
    if (grpc) args.push(`--grpc-address=127.0.0.1:${grpcPort}`);
    // nginx and the test's clients connect from 127.0.0.1: nginx's X-Forwarded-Uri tells
    // /oauth2/auth which request the policies judge, and it is believed only from trusted proxies.
    if (nginx) args.push('--trusted-proxy=127.0.0.1');
    stack.gate = await startAuthgate({
      port: gatePort,
      issuer: stack.idp.issuer,
      clientId: stack.idp.client.clientId,
      clientSecret: stack.idp.client.clientSecret,
      upstream: stack.hello.url,
      extraArgs: args,
    });
    await stack.gate.ready();

    if (nginx) {
      const server = await documentedServer('nginx.md', 'tests/e2e/nginx.test.mjs', {
        'http://127.0.0.1:4180': stack.gate.url,
        'http://127.0.0.1:8080': stack.hello.url,
      });
      stack.nginx = await startNginx({ port: nginxPort, server });
    }
    if (grpc) stack.envoy = connectEnvoyGrpc({ address: `127.0.0.1:${grpcPort}`, gateway: stack.gateway });
    return stack;
  } catch (err) {
    await stack.stop().catch(() => {});
    throw err;
  }
}
