// A FastMCP-style OAuth proxy (test/helpers/quirks/oauth-proxy.ts): the MCP server
// is the authorization server MCP Keyring sees (its own metadata, /register,
// /authorize, /token), and behind it the user signs in at an upstream OpenID
// provider without dynamic registration. Full connect → bridged call → refresh
// (through the proxy to the upstream) → disconnect (the proxy has no revocation).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { secretNames } from '../../../main/core/vault/secrets';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { recordingBrowser } from '../../helpers/quirks/common';
import { startMcpHost, type McpHost } from '../../helpers/quirks/mcp-host';
import { mountOAuthProxy, proxyCallbackUrl, type OAuthProxy } from '../../helpers/quirks/oauth-proxy';
import { startQuirkyAuthServer, type QuirkyAuthServer } from '../../helpers/quirks/oidc';

const PROXY_CLIENT_ID = 'fastmcp-proxy';
const PROXY_CLIENT_SECRET = 'proxy-upstream-secret-0123456789';

let upstream: QuirkyAuthServer;
let proxy: OAuthProxy;
let host: McpHost;
let profile: KeyringEnv;

before(async () => {
  host = await startMcpHost({
    resourceMetadata: { authorizationServers: ['self'] },
    mount: async (app, origin) => {
      upstream = await startQuirkyAuthServer({
        registration: false,
        clients: [
          {
            client_id: PROXY_CLIENT_ID,
            client_secret: PROXY_CLIENT_SECRET,
            token_endpoint_auth_method: 'client_secret_post',
            redirect_uris: [proxyCallbackUrl(origin)],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
          },
        ],
      });
      proxy = await mountOAuthProxy(app, origin, {
        upstreamIssuer: upstream.issuer,
        upstreamClientId: PROXY_CLIENT_ID,
        upstreamClientSecret: PROXY_CLIENT_SECRET,
        resource: `${origin}/mcp`,
        scopes: ['mcp:tools', 'mcp:admin'],
      });
    },
    // Upstream tokens pass through the proxy: the MCP server checks the upstream's signature.
    auth: () => ({ issuer: upstream.issuer, jwks: upstream.jwks }),
  });
  profile = await createKeyringEnv('quirks-proxy');
});
after(async () => {
  await profile.cleanup();
  await host.close();
  await upstream.close();
});

test('connect through the proxy, call through the bridge, refresh through the proxy, disconnect', async () => {
  const preview = await profile.keyring.preview(host.url);
  assert.equal(preview.authorizationServer, host.origin, 'MCP Keyring sees the proxy as the authorization server');
  assert.equal(preview.registration, 'dynamic');

  const server = await profile.keyring.add({ url: host.url, name: 'fastmcp' });
  const browser = recordingBrowser();
  const state = await profile.keyring.connect(server.id, browser.signIn);
  assert.equal(state.status, 'connected');
  assert.equal(state.authorizationServer, host.origin);
  assert.equal(state.hasRefreshToken, true);
  assert.equal(browser.urls[0]?.origin, host.origin, 'the browser starts at the proxy');
  assert.deepEqual(proxy.stats, { registrations: 1, authorizations: 1, upstreamCodeExchanges: 1, codeGrants: 1, refreshGrants: 0, refused: 0 });
  // Upstream, the sign-in was the proxy's own client, not ours.
  assert.equal(upstream.to('authorization')[0]?.params.client_id, PROXY_CLIENT_ID);
  assert.equal(upstream.stats.codeGrants, 1);

  const bridge = await connectBridge(server.id, profile.env);
  try {
    const who = JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(who.iss, upstream.issuer);
    assert.equal(who.client_id, PROXY_CLIENT_ID);
    assert.equal(who.aud, host.url);
    assert.equal(who.sub, 'alice');
  } finally {
    await bridge.close();
  }
  // The server rejects the stored token: the bridge refreshes through the proxy and retries.
  await profile.keyring.vault.set(secretNames.accessToken(server.id), 'rejected-by-the-server');
  const second = await connectBridge(server.id, profile.env);
  try {
    assert.equal(text(await second.client.callTool({ name: 'echo', arguments: { text: 'refreshed via proxy' } })), 'refreshed via proxy');
  } finally {
    await second.close();
  }
  assert.equal(proxy.stats.refreshGrants, 1);
  assert.equal(upstream.stats.refreshGrants, 1);
  assert.equal(upstream.to('token').at(-1)?.params.client_id, PROXY_CLIENT_ID);

  // A second refresh uses the rotated refresh token the proxy passed back.
  await profile.keyring.states.patch(server.id, { expiresAt: Date.now() - 1000 });
  const token = await profile.keyring.tokens.getAccessToken(await profile.keyring.registry.get(server.id));
  assert.ok(token.token.length > 20);
  assert.equal(upstream.stats.refreshGrants, 2);
  assert.equal(upstream.stats.invalidGrant, 0);

  const result = await profile.keyring.disconnect(server.id);
  assert.equal(result.revoked, false);
  assert.match(result.revokeError ?? '', new RegExp(`${host.origin.replace(/\./g, '\\.')} has no revocation endpoint; the tokens were deleted here and expire on their own`));
  assert.deepEqual((await profile.secrets()).filter((s) => s.account.startsWith(`server/${server.id}/`)), []);
});
