// MCP servers that are their own authorization server: discovery, dynamic
// registration, PKCE sign-in and refresh all happen at the MCP server's origin
// (an oidc-provider mounted on the same express app as the MCP endpoint). Two
// flavours: one that publishes RFC 9728 metadata naming itself, and one from
// before RFC 9728 (2025-03-26 spec) whose 401 names nothing, so the client falls
// back to the origin's RFC 8414 metadata.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { secretNames } from '../../../main/core/vault/secrets';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { runCli, scriptedBrowser } from '../../helpers/run-cli';
import { recordingBrowser } from '../../helpers/quirks/common';
import { startMcpHost, type McpHost } from '../../helpers/quirks/mcp-host';
import { createQuirkyProvider, type QuirkyProvider } from '../../helpers/quirks/oidc';

let withMetadata: { host: McpHost; as: QuirkyProvider };
let legacy: { host: McpHost; as: QuirkyProvider };
let profile: KeyringEnv;

async function selfHosted(resourceMetadata: 'self' | 'none') {
  let as!: QuirkyProvider;
  const host = await startMcpHost({
    resourceMetadata: resourceMetadata === 'self' ? { authorizationServers: ['self'] } : 'none',
    mount: async (app, origin) => {
      as = await createQuirkyProvider(origin, { accessTokenTTL: 300 });
      app.use((req, res) => as.handler(req, res));
    },
    auth: (origin) => ({ issuer: origin, jwks: new URL(`${origin}/jwks`) }),
  });
  return { host, as };
}

before(async () => {
  [withMetadata, legacy] = await Promise.all([selfHosted('self'), selfHosted('none')]);
  profile = await createKeyringEnv('quirks-own-as');
});
after(async () => {
  await profile.cleanup();
  await Promise.all([withMetadata.host.close(), legacy.host.close()]);
});

test('RFC 9728 metadata naming itself: connect (CLI) → bridged call → refresh, all at the MCP origin', async () => {
  const { host, as } = withMetadata;
  const env = { ...profile.env, BROWSER: scriptedBrowser };
  const preview = await profile.keyring.preview(host.url);
  assert.equal(preview.authorizationServer, host.origin);
  assert.equal(preview.registration, 'dynamic');

  const added = await runCli(['add', host.url, '--name', 'self'], { env });
  const id = added.stdout.trim();
  const connected = await runCli(['connect', id, '--timeout', '20s'], { env });
  assert.equal(connected.code, 0, connected.stderr);
  assert.match(connected.stderr, new RegExp(`visit:\\n  ${host.origin.replace(/\./g, '\\.')}/auth\\?`));
  assert.equal(as.stats.registrations, 1);
  assert.equal(as.stats.codeGrants, 1);
  assert.equal(as.to('token')[0]?.params.resource, host.url);

  const bridge = await connectBridge(id, env);
  try {
    const who = JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(who.iss, host.origin);
    assert.equal(who.aud, host.url);
  } finally {
    await bridge.close();
  }
  // The server rejects the stored token: the bridge refreshes at the same origin and retries.
  await profile.keyring.vault.set(secretNames.accessToken(id), 'rejected-by-the-server');
  const second = await connectBridge(id, env);
  try {
    assert.equal(text(await second.client.callTool({ name: 'echo', arguments: { text: 'after refresh' } })), 'after refresh');
  } finally {
    await second.close();
  }
  assert.equal(as.stats.refreshGrants, 1);
  assert.equal(as.to('token').at(-1)?.params.grant_type, 'refresh_token');
  assert.match((await profile.keyring.view(await profile.keyring.registry.get(id))).state.lastRefreshBy ?? '', /^bridge /);
});

test('no RFC 9728 metadata (2025-03-26 servers): the origin\'s RFC 8414 metadata is used', async () => {
  const { host, as } = legacy;
  const preview = await profile.keyring.preview(host.url);
  assert.equal(preview.protection, 'oauth');
  assert.equal(preview.authorizationServer, host.origin);
  assert.ok(as.requests.some((r) => r.path === '/.well-known/oauth-authorization-server'));

  const server = await profile.keyring.add({ url: host.url, name: 'legacy-self' });
  const browser = recordingBrowser();
  const state = await profile.keyring.connect(server.id, browser.signIn);
  assert.equal(state.authorizationServer, host.origin);
  assert.equal(browser.last().get('resource'), host.url);
  assert.equal(new URL(browser.urls[0]!.href).origin, host.origin);

  const bridge = await connectBridge(server.id, profile.env);
  try {
    assert.equal(JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} }))).sub, 'alice');
  } finally {
    await bridge.close();
  }
  // Refresh ahead of expiry (the headersHelper path).
  await profile.keyring.states.patch(server.id, { expiresAt: Date.now() - 1000 });
  const headers = await runCli(['headers', server.id], { env: profile.env });
  assert.equal(headers.code, 0, headers.stderr);
  assert.equal(as.stats.refreshGrants, 1);
  const bridge2 = await connectBridge(server.id, profile.env);
  try {
    assert.equal(text(await bridge2.client.callTool({ name: 'echo', arguments: { text: 'fresh' } })), 'fresh');
  } finally {
    await bridge2.close();
  }
});
