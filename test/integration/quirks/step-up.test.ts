// Step-up authorization: a token good for mcp:tools meets a tool that needs
// mcp:admin (HTTP 403, WWW-Authenticate: Bearer error="insufficient_scope",
// scope="mcp:tools mcp:admin"). The bridge answers with an error that tells the
// user to reconnect and marks the server needs-more-access; `connect` asks for the
// union of what was granted and what was asked for; the running bridge uses the new
// token without a restart. A 403 for scopes the token already has is not a reason
// to sign in again (no loop), and a step-up the authorization server does not
// grant is reported as such.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { BRIDGE_ERROR } from '../../../main/core/bridge/stdio-bridge';
import { isKeyringError } from '../../../main/core/errors';
import { startAuthServer, type AuthServer } from '../../helpers/auth-server';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../../helpers/mcp-server';
import { recordingBrowser, waitFor } from '../../helpers/quirks/common';
import { startMcpHost, type McpHost } from '../../helpers/quirks/mcp-host';
import { startQuirkyAuthServer, type QuirkyAuthServer } from '../../helpers/quirks/oidc';

let as: AuthServer;
let mcp: McpTestServer;
let aclHost: McpHost;
let stingyAs: QuirkyAuthServer;
let stingyHost: McpHost;
let profile: KeyringEnv;

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 300 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  // Only "root" may use admin, whatever the token's scopes.
  aclHost = await startMcpHost({
    auth: { issuer: as.issuer, jwks: new URL(as.jwksUri), admins: ['root'] },
    resourceMetadata: { authorizationServers: [as.issuer] },
  });
  // An authorization server that never puts mcp:admin in a token.
  stingyAs = await startQuirkyAuthServer({ resourceScopes: ['mcp:tools'] });
  stingyHost = await startMcpHost({ auth: { issuer: stingyAs.issuer, jwks: stingyAs.jwks }, resourceMetadata: { authorizationServers: [stingyAs.issuer] } });
  profile = await createKeyringEnv('quirks-stepup');
});
after(async () => {
  await profile.cleanup();
  await Promise.all([mcp, aclHost, stingyHost].map((s) => s.close()));
  await Promise.all([as.close(), stingyAs.close()]);
});

const scopeSet = (params: URLSearchParams) => new Set((params.get('scope') ?? '').split(' ').filter(Boolean));

test('403 insufficient_scope → reconnect asks for the union → the same bridge process can call admin', async () => {
  const browser = recordingBrowser();
  const server = await profile.keyring.add({ url: mcp.url, name: 'stepper' });
  const first = await profile.keyring.connect(server.id, browser.signIn);
  assert.deepEqual(scopeSet(browser.last()), new Set(['mcp:tools', 'offline_access']), 'first sign-in: the challenge scope (+ offline_access)');
  assert.ok(!first.scopes.includes('mcp:admin'));

  const bridge = await connectBridge(server.id, profile.env);
  try {
    const pid = bridge.pid;
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'tools ok' } })), 'tools ok');
    const forbidden = mcp.stats.forbidden;
    await assert.rejects(bridge.client.callTool({ name: 'admin', arguments: {} }), (error: unknown) => {
      assert.ok(error instanceof McpError);
      assert.equal(error.code, BRIDGE_ERROR.insufficientScope);
      assert.match(error.message, /stepper needs more access \(mcp:tools mcp:admin\): run `mcp-keyring connect stepper` or click Reconnect in MCP Keyring/);
      return true;
    });
    assert.equal(mcp.stats.forbidden, forbidden + 1, 'no retry of a 403');
    const stepped = await profile.keyring.view(server);
    assert.equal(stepped.status, 'needs-more-access');
    assert.deepEqual(stepped.state.requestedScopes, ['mcp:tools', 'mcp:admin']);

    // The user reconnects: granted ∪ requested (∪ offline_access) is asked for.
    const state = await profile.keyring.connect(server.id, browser.signIn);
    assert.equal(browser.urls.length, 2);
    assert.deepEqual(scopeSet(browser.last()), new Set(['mcp:tools', 'mcp:admin', 'offline_access']));
    assert.equal(state.status, 'connected');
    assert.ok(state.scopes.includes('mcp:admin'), `granted: ${state.scopes.join(' ')}`);
    assert.deepEqual(state.requestedScopes, []);

    // The bridge notices the new sign-in through the state file; no restart.
    let result = '';
    await waitFor(async () => {
      result = await bridge.client
        .callTool({ name: 'admin', arguments: {} })
        .then(text)
        .catch(() => '');
      return result === 'admin ok';
    }, 'the bridge to use the stepped-up token');
    assert.equal(bridge.pid, pid);
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'still fine' } })), 'still fine');
    assert.equal((await profile.keyring.view(server)).status, 'connected');
  } finally {
    await bridge.close();
  }
});

test('a 403 for scopes the token already has: "signing in again will not help", and no needs-more-access loop', async () => {
  const browser = recordingBrowser(); // signs in as alice, who is not an admin of aclHost
  const server = await profile.keyring.add({ url: aclHost.url, name: 'acl', auth: { kind: 'oauth', sendResource: true, scopes: ['mcp:tools', 'mcp:admin'] } });
  const state = await profile.keyring.connect(server.id, browser.signIn);
  assert.ok(state.scopes.includes('mcp:admin') && state.scopes.includes('mcp:tools'), `granted: ${state.scopes.join(' ')}`);

  const bridge = await connectBridge(server.id, profile.env);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(bridge.client.callTool({ name: 'admin', arguments: {} }), (error: unknown) => {
        assert.ok(error instanceof McpError);
        assert.equal(error.code, BRIDGE_ERROR.insufficientScope);
        assert.match(error.message, /acl refused the request although the token already has mcp:tools mcp:admin; signing in again will not help/);
        return true;
      });
    }
    assert.equal(aclHost.stats.forbidden, 2, 'one 403 per call, no retries');
    const view = await profile.keyring.view(server);
    assert.equal(view.status, 'connected', 'not sent back to sign in');
    assert.deepEqual(view.state.requestedScopes, []);
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'others work' } })), 'others work');
  } finally {
    await bridge.close();
  }
});

test('a step-up the authorization server does not grant is reported, not looped', async () => {
  const browser = recordingBrowser();
  const server = await profile.keyring.add({ url: stingyHost.url, name: 'stingy' });
  await profile.keyring.connect(server.id, browser.signIn);
  const bridge = await connectBridge(server.id, profile.env);
  try {
    await assert.rejects(bridge.client.callTool({ name: 'admin', arguments: {} }), /stingy needs more access \(mcp:tools mcp:admin\)/);
  } finally {
    await bridge.close();
  }
  await assert.rejects(profile.keyring.connect(server.id, browser.signIn), (error: unknown) => {
    assert.ok(isKeyringError(error, 'insufficient-scope'));
    assert.match(error.message, new RegExp(`Signed in, but ${stingyAs.issuer.replace(/\./g, '\\.')} did not grant mcp:admin`));
    return true;
  });
  assert.ok(scopeSet(browser.last()).has('mcp:admin'), 'it was asked for');
  const view = await profile.keyring.view(server);
  assert.match(view.state.lastError ?? '', /did not grant mcp:admin/);
  // The token that was granted still works for what it covers.
  const again = await connectBridge(server.id, profile.env);
  try {
    assert.equal(text(await again.client.callTool({ name: 'echo', arguments: { text: 'tools still ok' } })), 'tools still ok');
  } finally {
    await again.close();
  }
});
