// A stdio round trip through the bridge of the *packaged* app, started exactly as the
// app writes it into client configs (appBridgeLaunch, packaged): the app's own
// executable as Node (ELECTRON_RUN_AS_NODE=1) running resources/bridge.cjs, keytar
// from app.asar.unpacked. This is the path that breaks on Windows (quoting, fuses,
// native module lookup), so CI runs it after `npm run dist` on every platform with
// MCP_KEYRING_PACKAGED_APP set to the packaged executable. Skips without it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { appBridgeLaunch } from '../../main/app/app-layout';
import { text } from '../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';

const executable = process.env.MCP_KEYRING_PACKAGED_APP;
/** Where electron-builder puts resources/ next to the executable (macOS: inside the .app bundle). */
function resourcesOf(exe: string): string {
  return process.platform === 'darwin' ? path.join(path.dirname(exe), '..', 'Resources') : path.join(path.dirname(exe), 'resources');
}
const skip = !executable
  ? 'set MCP_KEYRING_PACKAGED_APP to the packaged executable (CI does, after `npm run dist`)'
  : !fs.existsSync(executable)
    ? `${executable} (MCP_KEYRING_PACKAGED_APP) does not exist`
    : false;

const API_KEY = `sk-packaged-${randomBytes(18).toString('hex')}`;
let server: McpTestServer;
let profile: KeyringEnv;

before(async () => {
  if (skip) return;
  server = await startMcpServer({ auth: { apiKeyHeader: 'X-API-Key', apiKey: API_KEY } });
  profile = await createKeyringEnv('packaged');
});
after(async () => {
  if (skip) return;
  await profile.cleanup();
  await server.close();
});

test('the packaged bridge (app executable as Node) relays a tool call over stdio', { skip }, async () => {
  const exe = path.resolve(executable!);
  const added = await profile.keyring.add({ url: server.url, name: 'Packaged', auth: { kind: 'header', headerName: 'X-API-Key' }, secret: API_KEY });
  const launch = appBridgeLaunch(added.id, { packaged: true, execPath: exe, resourcesPath: resourcesOf(exe), root: '', env: profile.env, platform: process.platform });
  assert.ok(launch.kind === 'stdio', 'a stdio launch');
  assert.equal(launch.command, exe);
  assert.equal(launch.env?.ELECTRON_RUN_AS_NODE, '1');

  // The keychain session (D-Bus on Linux, the user's on macOS/Windows) comes from this process's environment.
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...launch.env })) if (value !== undefined) env[key] = value;
  const transport = new StdioClientTransport({ command: launch.command, args: launch.args, env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => (stderr += chunk));
  const client = new Client({ name: 'packaged-bridge-test', version: '1.0.0' });
  try {
    await client.connect(transport);
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'echo'), `the server's tools come through (stderr: ${stderr})`);
    assert.equal(text(await client.callTool({ name: 'echo', arguments: { text: 'packaged ✓' } })), 'packaged ✓');
    assert.equal(server.stats.unauthorized, 0, 'every request carried the key from the keychain');
    assert.ok(!stderr.includes(API_KEY), 'the key is not printed');
  } finally {
    await client.close();
  }
});

// The budget's "packaged app" row (../shared/DESIGN.md), which `npm run bench` cannot run
// where there is no Electron: spawn → first tools/list through the packaged bridge, the first
// start (no code cache yet) and warm starts, printed as a diagnostic in the CI log; what the
// test asserts is that Electron's Node writes and then uses the bridge's code cache.
test('the packaged bridge keeps its compiled code between starts (start times in the log)', { skip }, async (t) => {
  const exe = path.resolve(executable!);
  const added = await profile.keyring.add({ url: server.url, name: 'Packaged timing', auth: { kind: 'header', headerName: 'X-API-Key' }, secret: API_KEY });
  const launch = appBridgeLaunch(added.id, { packaged: true, execPath: exe, resourcesPath: resourcesOf(exe), root: '', env: profile.env, platform: process.platform });
  assert.ok(launch.kind === 'stdio');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...launch.env })) if (value !== undefined) env[key] = value;
  const cacheDir = path.join(profile.env.MCP_KEYRING_HOME!, 'cache');
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const starts: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const client = new Client({ name: 'packaged-bridge-timing', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: launch.command, args: launch.args, env, stderr: 'ignore' }));
    await client.listTools();
    starts.push(performance.now() - t0);
    await client.close();
    if (i === 0) assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache')).length, 1, 'the first start saved the code cache');
  }
  const warm = starts.slice(1).sort((a, b) => a - b);
  t.diagnostic(`packaged bridge spawn → tools/list: first ${starts[0]!.toFixed(0)} ms, warm median ${warm[Math.floor(warm.length / 2)]!.toFixed(0)} ms (${process.platform})`);
  assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache')).length, 1, 'warm starts reuse the one cache');
});
