// `mcp-keyring serve`: the local HTTP bridge as a user starts it from a terminal.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getOrCreateHttpBridgeSecret } from '../../main/core/bridge/http-bridge';
import { text } from '../helpers/bridge-client';
import { freePort } from '../helpers/free-port';
import { startCli } from '../helpers/run-cli';
import { useStack } from '../helpers/stack';

const stack = useStack('serve');

test('serve exposes each server on 127.0.0.1 behind the bridge secret, and stops on Ctrl-C', async () => {
  const server = await stack.connected('served');
  const port = await freePort();
  const cli = startCli(['serve', '--port', String(port)], { env: stack.profile.env, timeoutMs: 120_000 });
  try {
    await cli.waitForStderr(new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`), 15_000);
    const url = `http://127.0.0.1:${port}/servers/${server.id}/mcp`;
    await cli.waitForStderr(new RegExp(`served: ${url.replace(/[./]/g, '\\$&')}`), 15_000);
    const stderr = cli.stderr();
    const secret = await getOrCreateHttpBridgeSecret(stack.profile.keyring.vault, stack.profile.keyring.registry.paths);
    assert.ok(!stderr.includes(secret), 'the bridge secret is never printed');
    const client = new Client({ name: 'serve-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${secret}` } } }));
    assert.equal(text(await client.callTool({ name: 'echo', arguments: { text: 'over http' } })), 'over http');
    await client.close();
    const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(refused.status, 401);
  } finally {
    cli.kill('SIGINT');
  }
  assert.equal((await cli.done).code, 0);
});
