// Servers that answer initialize and tools/list without a token and ask for one
// only on tools/call (authMode 'tools-call-only' in test/helpers/mcp-server.ts).
// Discovery still finds their authorization server (the probe succeeds, the
// RFC 9728 document names it), and once connected the bridge sends the token on
// every request — not only after a 401 — so the server sees one caller throughout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAuthServer, type AuthServer } from '../../helpers/auth-server';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../../helpers/mcp-server';
import { recordingBrowser, waitFor } from '../../helpers/quirks/common';

let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 300 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri }, authMode: 'tools-call-only' });
  profile = await createKeyringEnv('quirks-tools-call-only');
});
after(async () => {
  await profile.cleanup();
  await mcp.close();
  await as.close();
});

test('discovery: the unauthenticated probe succeeds, yet the authorization server is found', async () => {
  const preview = await profile.keyring.preview(mcp.url);
  assert.equal(preview.protection, 'oauth');
  assert.equal(preview.authorizationServer, as.issuer);
  assert.deepEqual(preview.scopes, ['mcp:tools', 'mcp:admin'], 'no challenge: scopes from scopes_supported');
});

test('before sign-in the bridge asks for it instead of going on anonymously', async () => {
  const server = await profile.keyring.add({ url: mcp.url, name: 'lazy-unsigned' });
  const requests = mcp.stats.requests;
  await assert.rejects(connectBridge(server.id, profile.env), /Not signed in\. Sign in to lazy-unsigned again: run `mcp-keyring connect lazy-unsigned`/);
  assert.equal(mcp.stats.requests, requests, 'nothing was sent without a token');
});

test('once connected, every request (initialize, tools/list, tools/call, …) carries the bearer token', async () => {
  const server = await profile.keyring.add({ url: mcp.url, name: 'lazy' });
  await profile.keyring.connect(server.id, recordingBrowser().signIn);
  const requests = mcp.stats.requests;
  const callers = mcp.callers.length;
  const bridge = await connectBridge(server.id, profile.env);
  try {
    const tools = await bridge.client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'whoami'));
    // A request is counted when it arrives and its caller once the token is verified: let
    // requests in flight (the SSE GET) finish. A request without a token would never catch up.
    await waitFor(() => mcp.callers.length - callers === mcp.stats.requests - requests, 'every request before the first tools/call to have had a valid bearer token', 2_000);
    assert.ok(mcp.stats.requests - requests >= 3, `initialize, notifications/initialized and tools/list at least (saw ${mcp.stats.requests - requests})`);

    const who = JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(who.sub, 'alice');
    assert.equal(mcp.stats.unauthorized, 0, 'no 401 was needed to make the bridge send the token');
    await waitFor(() => mcp.callers.length - callers === mcp.stats.requests - requests, 'every request to have had a valid bearer token', 2_000);
    assert.ok(mcp.callers.slice(callers).every((c) => c.sub === 'alice'));
  } finally {
    await bridge.close();
  }
});
