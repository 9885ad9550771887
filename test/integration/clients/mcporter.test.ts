// The real mcporter (a client that falls back to the old SSE transport and takes
// any 401/403 as "start OAuth here") with the Cursor entries MCP Keyring writes,
// which mcporter imports from ~/.cursor/mcp.json: the local HTTP bridge signed out
// (our message, no OAuth of its own) and signed in, and the stdio bridge.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { after, test } from 'node:test';
import { startHttpBridge, type HttpBridge } from '../../../main/core/bridge/http-bridge';
import { bridgeLaunch, httpLaunch } from '../../../main/core/clients/launch';
import { clientEntryName, installClient } from '../../../main/core/service/clients';
import { bridgePath } from '../../helpers/keyring-env';
import { mcporterBin, privateHome, runClient } from '../../helpers/real-clients';
import { scriptedSignIn, useStack } from '../../helpers/stack';

const stack = useStack('mcporter');
let home: Awaited<ReturnType<typeof privateHome>> | undefined;
let bridge: HttpBridge | undefined;
after(async () => {
  await bridge?.close();
  await home?.cleanup();
});

const ID = 'example';
const entry = clientEntryName(ID);

async function mcporter(...args: string[]) {
  // mcporter reads ./config/mcporter.json and editor configs under HOME; it never opens a browser here.
  const result = await runClient(process.execPath, [mcporterBin, ...args], { ...home!.env, BROWSER: '/bin/false' });
  return { ...result, all: result.stdout + result.stderr };
}

test('signed out, through the HTTP bridge: mcporter shows our message and starts no OAuth of its own', async () => {
  home = await privateHome('mcporter');
  await stack.profile.keyring.add({ url: stack.mcp.url, name: 'example', id: ID });
  bridge = await startHttpBridge(stack.profile.keyring, { port: 0, log: () => undefined });
  await installClient({ platform: 'linux', env: {}, homedir: home.home }, 'cursor', ID, httpLaunch(bridge.url(ID), { name: 'Authorization', value: `Bearer ${bridge.secret}` }));

  const listed = await mcporter('list', entry, '--log-level', 'info');
  assert.equal(listed.code, 0, listed.all);
  assert.match(listed.all, /Sign in to example again: run `mcp-keyring connect example`/);
  assert.doesNotMatch(listed.all, /auth required|mcporter auth|OAuth/i);

  const called = await mcporter('call', `${entry}.echo`, 'text=hi', '--oauth-timeout', '3000');
  assert.notEqual(called.code, 0);
  assert.match(called.all, /503/);
  assert.doesNotMatch(called.all, /OAuth|mcporter auth/i);
  // mcporter kept no OAuth state of its own.
  assert.deepEqual(await fs.readdir(home.home), ['.cursor']);
});

test('signed in, the same entry works without restarting the bridge', async () => {
  await stack.profile.keyring.connect(ID, scriptedSignIn);
  const called = await mcporter('call', `${entry}.echo`, 'text=through the HTTP bridge');
  assert.equal(called.code, 0, called.all);
  assert.match(called.stdout, /through the HTTP bridge/);
});

test('the stdio bridge entry the writer produces works with mcporter', async () => {
  await installClient(
    { platform: 'linux', env: {}, homedir: home!.home },
    'cursor',
    ID,
    bridgeLaunch({ serverId: ID, mode: 'development', execPath: process.execPath, bridgeScript: bridgePath, env: { MCP_KEYRING_HOME: stack.profile.home, MCP_KEYRING_SERVICE: stack.profile.service } }),
  );
  const called = await mcporter('call', `${entry}.echo`, 'text=through the stdio bridge');
  assert.equal(called.code, 0, called.all);
  assert.match(called.stdout, /through the stdio bridge/);
});
