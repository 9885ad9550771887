// `mcp-keyring serve`: the local HTTP bridge as a user starts it from a terminal.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { test } from 'node:test';
import { getOrCreateHttpBridgeSecret } from '../../main/core/bridge/http-bridge';
import { text } from '../helpers/bridge-client';
import { cliPath } from '../helpers/keyring-env';
import { useStack } from '../helpers/stack';

const stack = useStack('serve');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('serve exposes each server on 127.0.0.1 behind the bridge secret, and stops on Ctrl-C', async () => {
  const server = await stack.connected('served');
  const port = await freePort();
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', String(port)], { env: stack.profile.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    for (let i = 0; i < 300 && !stderr.includes('listening'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(stderr, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`));
    const url = `http://127.0.0.1:${port}/servers/${server.id}/mcp`;
    assert.ok(stderr.includes(`served: ${url}`));
    const secret = await getOrCreateHttpBridgeSecret(stack.profile.keyring.vault, stack.profile.keyring.registry.paths);
    assert.ok(!stderr.includes(secret), 'the bridge secret is never printed');
    const client = new Client({ name: 'serve-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${secret}` } } }));
    assert.equal(text(await client.callTool({ name: 'echo', arguments: { text: 'over http' } })), 'over http');
    await client.close();
    const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(refused.status, 401);
  } finally {
    child.kill('SIGINT');
  }
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0);
});
