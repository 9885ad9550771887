// The stdio bridge as Claude Desktop runs it, in the situations that go wrong in
// real life: a server that forgets the session, a token the server rejects, a
// user who disconnects and signs in again while the client keeps running, and an
// old HTTP+SSE server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretNames } from '../../main/core/vault/secrets';
import { connectBridge, text } from '../helpers/bridge-client';
import { startMcpServer } from '../helpers/mcp-server';
import { scriptedSignIn, useStack } from '../helpers/stack';

const stack = useStack('bridge', { accessTokenTTL: 300 });

test('a dropped session (404) is re-initialized transparently', async () => {
  const server = await stack.connected('sessions');
  const bridge = await connectBridge(server.id, stack.profile.env);
  try {
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'one' } })), 'one');
    const sessions = stack.mcp.stats.sessions;
    stack.mcp.dropSessions();
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'two' } })), 'two');
    assert.equal(stack.mcp.stats.sessions, sessions + 1);
    // Notifications keep flowing on the new session.
    assert.equal(text(await bridge.client.callTool({ name: 'notify', arguments: { count: 2 } })), 'done');
    assert.deepEqual(bridge.logs.slice(-2), ['notification 1/2', 'notification 2/2']);
  } finally {
    await bridge.close();
  }
});

test('a token the server rejects (401) is refreshed and the call retried once', async () => {
  const server = await stack.connected('rejected');
  await stack.profile.keyring.vault.set(secretNames.accessToken(server.id), 'not-a-valid-token-at-all');
  const refreshes = stack.as.stats.refreshGrants;
  const bridge = await connectBridge(server.id, stack.profile.env);
  try {
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'retried' } })), 'retried');
    assert.equal(stack.as.stats.refreshGrants, refreshes + 1);
    const view = await stack.profile.keyring.view(server);
    assert.equal(view.status, 'connected');
    assert.match(view.state.lastRefreshBy ?? '', /^bridge \(pid \d+\)$/);
    assert.ok(!bridge.stderr().includes('not-a-valid-token-at-all'));
  } finally {
    await bridge.close();
  }
});

test('after a disconnect the bridge explains what to do, and uses the next sign-in without a restart', async () => {
  const server = await stack.connected('relogin');
  const bridge = await connectBridge(server.id, stack.profile.env);
  try {
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'before' } })), 'before');
    await stack.profile.keyring.disconnect(server.id);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the bridge hears of it through the state file
    await assert.rejects(bridge.client.callTool({ name: 'echo', arguments: { text: 'during' } }), (error: Error) => {
      assert.match(error.message, /Not signed in\. Sign in to relogin again: run `mcp-keyring connect relogin` or click Connect in MCP Keyring\./);
      return true;
    });
    assert.equal((await stack.profile.keyring.view(server)).status, 'needs-sign-in');
    await stack.profile.keyring.connect(server.id, scriptedSignIn);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'after' } })), 'after');
  } finally {
    await bridge.close();
  }
});

test('a server speaking only the old HTTP+SSE transport is bridged too', async () => {
  const legacy = await startMcpServer({ auth: { issuer: stack.as.issuer, jwksUri: stack.as.jwksUri }, legacySseOnly: true });
  try {
    const server = await stack.connected('legacy', legacy.url);
    const bridge = await connectBridge(server.id, stack.profile.env);
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
