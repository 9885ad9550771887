// The stdio bridge as Claude Desktop runs it, in the situations that go wrong in
// real life: a server that forgets the session, a token the server rejects, a
// user who disconnects and signs in again while the client keeps running, and an
// old HTTP+SSE server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { secretNames } from '../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { connectBridge, text } from '../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { completeLogin } from '../helpers/user-agent';

let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;
const signIn = { openBrowser: (url: string) => completeLogin(url).then(() => undefined), timeoutMs: 20_000 };

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 300 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('bridge');
});
after(async () => {
  await profile.cleanup();
  await mcp.close();
  await as.close();
});

async function connectedServer(name: string, url = mcp.url) {
  const server = await profile.keyring.add({ url, name });
  await profile.keyring.connect(server.id, signIn);
  return server;
}

test('a dropped session (404) is re-initialized transparently', async () => {
  const server = await connectedServer('sessions');
  const bridge = await connectBridge(server.id, profile.env);
  try {
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'one' } })), 'one');
    const sessions = mcp.stats.sessions;
    mcp.dropSessions();
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'two' } })), 'two');
    assert.equal(mcp.stats.sessions, sessions + 1);
    // Notifications keep flowing on the new session.
    assert.equal(text(await bridge.client.callTool({ name: 'notify', arguments: { count: 2 } })), 'done');
    assert.deepEqual(bridge.logs.slice(-2), ['notification 1/2', 'notification 2/2']);
  } finally {
    await bridge.close();
  }
});

test('a token the server rejects (401) is refreshed and the call retried once', async () => {
  const server = await connectedServer('rejected');
  await profile.keyring.vault.set(secretNames.accessToken(server.id), 'not-a-valid-token-at-all');
  const refreshes = as.stats.refreshGrants;
  const bridge = await connectBridge(server.id, profile.env);
  try {
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'retried' } })), 'retried');
    assert.equal(as.stats.refreshGrants, refreshes + 1);
    const view = await profile.keyring.view(server);
    assert.equal(view.status, 'connected');
    assert.match(view.state.lastRefreshBy ?? '', /^bridge \(pid \d+\)$/);
    assert.ok(!bridge.stderr().includes('not-a-valid-token-at-all'));
  } finally {
    await bridge.close();
  }
});

test('after a disconnect the bridge explains what to do, and uses the next sign-in without a restart', async () => {
  const server = await connectedServer('relogin');
  const bridge = await connectBridge(server.id, profile.env);
  try {
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'before' } })), 'before');
    await profile.keyring.disconnect(server.id);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the bridge hears of it through the state file
    await assert.rejects(bridge.client.callTool({ name: 'echo', arguments: { text: 'during' } }), (error: Error) => {
      assert.match(error.message, /Not signed in\. Sign in to relogin again: run `mcp-keyring connect relogin` or click Connect in MCP Keyring\./);
      return true;
    });
    assert.equal((await profile.keyring.view(server)).status, 'needs-sign-in');
    await profile.keyring.connect(server.id, signIn);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'after' } })), 'after');
  } finally {
    await bridge.close();
  }
});

test('a server speaking only the old HTTP+SSE transport is bridged too', async () => {
  const legacy = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri }, legacySseOnly: true });
  try {
    const server = await connectedServer('legacy', legacy.url);
    const bridge = await connectBridge(server.id, profile.env);
    try {
      assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'old school' } })), 'old school');
      assert.equal(text(await bridge.client.callTool({ name: 'notify', arguments: { count: 3 } })), 'done');
      assert.deepEqual(bridge.logs.slice(-3), ['notification 1/3', 'notification 2/3', 'notification 3/3']);
    } finally {
      await bridge.close();
    }
  } finally {
    await legacy.close();
  }
});
