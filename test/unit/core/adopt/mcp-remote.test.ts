// Reading mcp-remote entries the way mcp-remote 0.15.1 itself reads them: the
// cache-file hash and the options are checked against mcp-remote's own
// parseCommandLineArgs (the real package), so adoption finds the right cache.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { expandPlaceholders, mcpRemoteHash, mcpRemoteIndex, parseMcpRemoteArgs } from '../../../../main/core/adopt/mcp-remote';
import { keyringServerOf } from '../../../../main/core/adopt/entries';
import { adoptedForm } from '../../../../main/core/adopt/apply';
import { repoRoot } from '../../../helpers/keyring-env';

const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-unit-'));
process.env.MCP_REMOTE_CONFIG_DIR = configDir; // mcp-remote creates its cache directory while parsing
after(() => fs.rmSync(configDir, { recursive: true, force: true }));

async function theirs(args: string[]) {
  const dist = path.join(repoRoot, 'node_modules', 'mcp-remote', 'dist');
  const chunk = fs.readdirSync(dist).find((name) => /^chunk-.*\.js$/.test(name) && fs.readFileSync(path.join(dist, name), 'utf8').includes('function parseCommandLineArgs'))!;
  const mod = (await import(path.join(dist, chunk))) as { parseCommandLineArgs: (args: string[], usage: string) => Promise<Record<string, any>> };
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write; // mcp-remote logs every option
  try {
    return await mod.parseCommandLineArgs([...args], 'usage');
  } finally {
    process.stderr.write = stderr;
  }
}

const CASES: string[][] = [
  ['https://mcp.example.com/mcp'],
  ['https://mcp.example.com/mcp', '9876', '--allow-http'],
  ['https://mcp.example.com/sse', '--header', 'Authorization:${AUTH_HEADER}', '--transport', 'sse-only'],
  ['https://mcp.example.com/mcp', '--header', 'X-B: two', '--header', 'X-A:one', '--resource', 'https://api.example.com/', '--authorize-param', 'audience=https://api.example.com'],
  ['https://mcp.example.com/mcp', '--static-oauth-client-info', '{"client_id":"abc","client_secret":"${SECRET}"}', '--static-oauth-client-metadata', '{"scope":"read write"}', '--host', '127.0.0.1'],
  ['https://mcp.example.com/mcp', '--resource', '', '--debug', '--silent'],
];

for (const args of CASES) {
  test(`same hash and options as mcp-remote: ${args.join(' ')}`, async () => {
    const ours = parseMcpRemoteArgs(args);
    assert.ok(ours);
    const real = await theirs(args);
    assert.equal(mcpRemoteHash(ours), real.serverUrlHash);
    assert.equal(ours.serverUrl, real.serverUrl);
    assert.equal(ours.skipResource, real.skipResourceParameter);
    assert.equal(ours.resource, real.authorizeResource);
    assert.deepEqual(ours.authorizeParams, real.authorizeParams);
    assert.equal(ours.callbackPort, real.specifiedPort || undefined); // theirs is NaN when the second word is a flag
  });
}

test('finds mcp-remote however it is launched', () => {
  assert.equal(mcpRemoteIndex(['npx', '-y', 'mcp-remote', 'https://x/mcp']), 2);
  assert.equal(mcpRemoteIndex(['npx', 'mcp-remote@0.1.37', 'https://x/mcp']), 1);
  assert.equal(mcpRemoteIndex(['cmd', '/c', 'npx', '-y', 'mcp-remote@latest', 'https://x/mcp']), 4);
  assert.equal(mcpRemoteIndex(['node', 'C:\\tools\\node_modules\\mcp-remote\\dist\\proxy.js', 'https://x/mcp']), 1);
  assert.equal(mcpRemoteIndex(['/usr/local/bin/mcp-remote', 'https://x/mcp']), 0);
  assert.equal(mcpRemoteIndex(['npx', '-y', '@modelcontextprotocol/server-filesystem', '/tmp']), -1);
  assert.equal(mcpRemoteIndex(['npx', 'not-mcp-remote-really']), -1);
});

test('placeholders expand from the entry env; unknown ones stay', () => {
  assert.equal(expandPlaceholders('Bearer ${TOKEN}', { TOKEN: 'abc' }), 'Bearer abc');
  assert.equal(expandPlaceholders('${MISSING}', {}), '${MISSING}');
});

test("recognises MCP Keyring's own entries in every form", () => {
  assert.equal(keyringServerOf({ command: '/usr/bin/node', args: ['--lite-mode', '--no-expose-wasm', '/opt/mcp-keyring/dist/bridge.mjs', 'linear'] }), 'linear');
  assert.equal(keyringServerOf({ command: '/usr/bin/node', args: ['/opt/mcp-keyring/dist/bridge.cjs', 'linear'] }), 'linear');
  assert.equal(keyringServerOf({ command: '/usr/bin/node', args: ['/opt/mcp-keyring/dist/mcp-keyring.cjs', 'bridge', 'gh'] }), 'gh');
  assert.equal(keyringServerOf({ command: 'node', args: ['/x/dist/cli.mjs', 'bridge', 'gh'] }), 'gh');
  assert.equal(keyringServerOf({ type: 'http', url: 'http://127.0.0.1:8737/servers/notion/mcp', headers: { Authorization: 'Bearer x' } }), 'notion');
  assert.equal(keyringServerOf({ serverUrl: 'http://127.0.0.1:8737/servers/ws/mcp' }), 'ws');
  assert.equal(keyringServerOf({ type: 'http', url: 'https://mcp.x/mcp', headersHelper: "MCP_KEYRING_HOME='/h' '/usr/bin/node' '/x/dist/cli.mjs' 'headers' 'cc'" }), 'cc');
  assert.equal(keyringServerOf({ type: 'http', url: 'https://mcp.x/mcp' }), undefined);
  assert.equal(keyringServerOf({ command: 'npx', args: ['-y', 'mcp-remote', 'https://mcp.x/mcp'] }), undefined);
});

test('adopted entries: Claude Code gets the headers helper unless the server is on the old SSE transport', () => {
  assert.equal(adoptedForm('claude-code', true), 'headers-helper');
  assert.equal(adoptedForm('claude-code', true, { sse: true }), 'stdio');
  assert.equal(adoptedForm('claude-code', false), 'stdio');
  for (const client of ['claude-desktop', 'cursor', 'vscode', 'windsurf'] as const) assert.equal(adoptedForm(client, true), 'stdio');
});
