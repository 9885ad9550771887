// Token endpoint client authentication chosen from what the authorization server
// says, not assumed: oidc-provider refuses a client that authenticates another way
// than the one it is registered with (invalid_client), and here each server accepts
// only client_secret_basic or only client_secret_post. Covered for an app the user
// registered (--client-id --client-secret) and for a dynamically registered client
// that the server hands a secret — with a registration answer that leaves out
// client_secret_expires_at, as real servers do.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { secretNames } from '../../../main/core/vault/secrets';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { runCli } from '../../helpers/run-cli';
import { filesContaining, recordingBrowser } from '../../helpers/quirks/common';
import { startMcpHost, type McpHost } from '../../helpers/quirks/mcp-host';
import { createQuirkyProvider, type QuirkyProvider } from '../../helpers/quirks/oidc';

type Method = 'client_secret_basic' | 'client_secret_post';
const APP_SECRET = `app-secret-${randomBytes(16).toString('hex')}`;

interface Stack {
  as: QuirkyProvider;
  host: McpHost;
  close(): Promise<void>;
  /** Registration answers as sent (after the edge dropped client_secret_expires_at). */
  registrations: Array<Record<string, unknown>>;
}

/** The registration answer without client_secret_expires_at, like servers that leave it out. */
function withoutSecretExpiry(handler: http.RequestListener, seen: Array<Record<string, unknown>>): http.RequestListener {
  return (req, res) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === '/reg') {
      const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        if (!chunk || res.statusCode !== 201) return end(chunk, ...rest);
        const body = JSON.parse(String(chunk)) as Record<string, unknown>;
        delete body.client_secret_expires_at;
        seen.push(body);
        const json = JSON.stringify(body);
        res.setHeader('content-length', Buffer.byteLength(json));
        return end(json);
      }) as typeof res.end;
    }
    handler(req, res);
  };
}

/** An authorization server that accepts only `method`, with the user's app registered for it, and an MCP server it protects. */
async function stack(method: Method): Promise<Stack> {
  let serve: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => serve(req, res));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const as = await createQuirkyProvider(issuer, {
    clientAuthMethods: [method],
    clients: [
      {
        client_id: `app-${method}`,
        client_secret: APP_SECRET,
        token_endpoint_auth_method: method,
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
  });
  const registrations: Array<Record<string, unknown>> = [];
  serve = withoutSecretExpiry(as.handler, registrations);
  const host = await startMcpHost({ auth: { issuer, jwks: as.jwks }, resourceMetadata: { authorizationServers: [issuer] } });
  return {
    as,
    host,
    registrations,
    async close() {
      await host.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

let basic: Stack;
let post: Stack;
let profile: KeyringEnv;

before(async () => {
  [basic, post] = await Promise.all([stack('client_secret_basic'), stack('client_secret_post')]);
  profile = await createKeyringEnv('quirks-token-auth');
});
after(async () => {
  await profile.cleanup();
  await Promise.all([basic.close(), post.close()]);
});

/** Checks one token request for how the client authenticated (the form body is recorded; Basic leaves no secret in it). */
function assertAuthenticatedWith(params: Record<string, string> | undefined, method: Method, secret: string) {
  assert.ok(params, 'no token request was recorded');
  if (method === 'client_secret_post') assert.equal(params.client_secret, secret);
  else assert.equal(params.client_secret, undefined, 'client_secret_basic sends no secret in the body');
}

/** Sign-in, a bridged tool call, and a refresh through the real CLI. */
async function signInCallRefresh(s: Stack, id: string) {
  const browser = recordingBrowser();
  await profile.keyring.connect(id, browser.signIn);
  assert.equal(s.as.stats.codeGrants, 1, 'the code grant was refused');
  const bridge = await connectBridge(id, profile.env);
  try {
    assert.equal(JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} }))).sub, 'alice');
  } finally {
    await bridge.close();
  }
  await profile.keyring.states.patch(id, { expiresAt: Date.now() - 1000 });
  const headers = await runCli(['headers', id], { env: profile.env });
  assert.equal(headers.code, 0, headers.stderr);
  assert.equal(s.as.stats.refreshGrants, 1, 'the refresh was refused');
  assert.equal(s.as.to('token').at(-1)?.params.grant_type, 'refresh_token');
}

for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
  test(`the user's own app at a server that takes only ${method}: code grant and refresh authenticate with ${method}`, async () => {
    const s = method === 'client_secret_basic' ? basic : post;
    const before = s.as.stats.codeGrants;
    assert.equal(before, 0);
    const server = await profile.keyring.add({ url: s.host.url, name: `app-${method}`, auth: { kind: 'oauth', sendResource: true, clientId: `app-${method}` }, clientSecret: APP_SECRET });
    await signInCallRefresh(s, server.id);
    for (const request of s.as.to('token')) assertAuthenticatedWith(request.params, method, APP_SECRET);
    assert.equal(s.as.stats.registrations, 0);
  });
}

for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
  test(`dynamic registration at a server that takes only ${method} and hands out a secret without client_secret_expires_at`, async () => {
    const s = method === 'client_secret_basic' ? basic : post;
    // A second sign-in at the same AS, now with a registered client instead of the app.
    s.as.stats.codeGrants = 0;
    s.as.stats.refreshGrants = 0;
    const tokenRequestsBefore = s.as.to('token').length;
    const server = await profile.keyring.add({ url: s.host.url, name: `dcr-${method}`, auth: { kind: 'oauth', sendResource: true } });
    await signInCallRefresh(s, server.id);

    assert.equal(s.as.stats.registrations, 1);
    assert.equal(s.as.to('registration')[0]?.method, 'POST');
    const answer = s.registrations[0]!;
    assert.equal(answer.client_secret_expires_at, undefined, 'the edge must have removed it');
    assert.equal(answer.token_endpoint_auth_method, method);
    const clientId = String(answer.client_id);
    const secret = String(answer.client_secret);
    // The secret the server handed out is in the keychain, and in no file.
    assert.equal(await profile.keyring.vault.get(secretNames.clientSecret(s.as.issuer, clientId)), secret);
    assert.deepEqual(await filesContaining(profile.home, secret), []);
    for (const request of s.as.to('token').slice(tokenRequestsBefore)) {
      assert.equal(request.params.client_id ?? clientId, clientId);
      assertAuthenticatedWith(request.params, method, secret);
    }
  });
}
