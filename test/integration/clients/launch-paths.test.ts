// Every documented way to start the stdio bridge works and takes the lean path:
// the `mcp-keyring` executable (package.json "bin", run through its #!),
// `node dist/cli.mjs bridge`, `npx mcp-keyring bridge`, and the entry the config
// writer produces. Their speed and size are measured by `npm run bench`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LEAN_V8_FLAGS, useLeanV8 } from '../../../main/core/bridge/lean-v8';
import { bridgeLaunch } from '../../../main/core/clients/launch';
import { bridgePath, cliPath, repoRoot } from '../../helpers/keyring-env';
import { useStack } from '../../helpers/stack';
import { text } from '../../helpers/bridge-client';

const stack = useStack('launch-paths');
const bin = path.join(repoRoot, (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['mcp-keyring']!);

async function echoThrough(command: string, args: string[], cwd?: string): Promise<string> {
  const transport = new StdioClientTransport({ command, args, env: stack.profile.env as Record<string, string>, stderr: 'pipe', ...(cwd ? { cwd } : {}) });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'launch-paths', version: '1.0.0' });
  try {
    await client.connect(transport);
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'echo'), stderr);
    return text(await client.callTool({ name: 'echo', arguments: { text: `via ${path.basename(command)}` } }));
  } finally {
    await client.close();
  }
}

test('the executable is a few bytes that load only the bridge bundle for `bridge`', () => {
  const source = fs.readFileSync(bin, 'utf8');
  assert.ok(source.startsWith('#!/usr/bin/env node\n'), 'runs through its #! line');
  assert.ok(source.length < 1100, `${path.basename(bin)} is ${source.length} bytes`);
  assert.match(source, /bridge\.cjs/);
  assert.ok((fs.statSync(bin).mode & 0o111) !== 0, 'executable');
});

test('`mcp-keyring bridge`, `node dist/cli.mjs bridge`, `npx mcp-keyring bridge` and the written entry all bridge', async () => {
  const { id } = await stack.connected('paths');
  const written = bridgeLaunch({ serverId: id, mode: 'development', execPath: process.execPath, bridgeScript: bridgePath });
  assert.equal(written.kind, 'stdio');
  if (written.kind !== 'stdio') return;
  assert.equal(await echoThrough(bin, ['bridge', id]), `via ${path.basename(bin)}`);
  // The first start left V8's compiled code for the next ones, in the profile's cache folder, private.
  const cacheDir = path.join(stack.profile.env.MCP_KEYRING_HOME!, 'cache');
  const cached = fs.readdirSync(cacheDir);
  assert.equal(cached.length, 1, cached.join(', '));
  assert.match(cached[0]!, /^bridge-bundle\.cjs-[0-9a-f]{16}-[0-9a-f]{16}\.v8cache$/);
  assert.equal(fs.statSync(path.join(cacheDir, cached[0]!)).mode & 0o777, 0o600);
  assert.equal(await echoThrough(process.execPath, [cliPath, 'bridge', id]), `via ${path.basename(process.execPath)}`);
  assert.equal(await echoThrough('npx', ['--no-install', 'mcp-keyring', 'bridge', id], repoRoot), 'via npx');
  assert.equal(await echoThrough(written.command, written.args), `via ${path.basename(written.command)}`);
  assert.deepEqual(written.args, [bridgePath, id], 'the written entry passes no V8 flags (they cost start-up; the bridge sets its own)');
  assert.deepEqual(fs.readdirSync(cacheDir), cached, 'every path shares one cache');
  // A config written by 0.1 (bridge.mjs, with --lite-mode) still bridges; other V8 options, a cache of its own beside the first.
  assert.equal(await echoThrough(process.execPath, ['--lite-mode', '--no-expose-wasm', path.join(repoRoot, 'dist', 'bridge.mjs'), id]), `via ${path.basename(process.execPath)}`);
  assert.equal(fs.readdirSync(cacheDir).length, 2);
  assert.ok(fs.readdirSync(cacheDir).includes(cached[0]!));
});

test('the lean V8 settings (applied once start-up is over) stand down when the command line asked for lite mode', () => {
  assert.equal(useLeanV8(['--lite-mode', '--no-expose-wasm']), false);
  assert.ok(LEAN_V8_FLAGS.every((flag) => flag.startsWith('--')));
  assert.ok(!LEAN_V8_FLAGS.includes('--max-lazy'), 'changing --max-lazy at run time makes V8 abort');
});
