// Adopting existing setups through the real CLI: the real mcp-remote 0.15.1 signs
// in to a real oidc-provider (scripted browser) and writes its own token cache;
// the five clients' config files hold mcp-remote and URL+key entries in their own
// formats. `adopt --dry-run` changes nothing; `adopt --yes` imports mcp-remote's
// tokens (no new sign-in), moves the key into the keychain, rewrites the entries in
// place (comments and other entries kept), and leaves no plaintext copy behind.
// The bridges the rewritten entries start then work with no browser.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { assertBounded, assertNoLeak, canary, runMeasured } from '../hostile/harness';
import { secretNames } from '../../main/core/vault/secrets';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { runMcpRemoteClient } from '../helpers/mcp-remote';
import { runCli } from '../helpers/run-cli';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';

const stack = {} as { as: AuthServer; mcp: McpTestServer; profile: KeyringEnv };
const apiKey = canary('api-key');
let keyed: McpTestServer;
let fakeHome: string;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];
const secrets: string[] = [apiKey];
let filesBefore: Map<string, string>;

const file = {
  claudeDesktop: () => path.join(fakeHome, '.config', 'Claude', 'claude_desktop_config.json'),
  cursor: () => path.join(fakeHome, '.cursor', 'mcp.json'),
  vscode: () => path.join(fakeHome, '.config', 'Code', 'User', 'mcp.json'),
  claudeCode: () => path.join(fakeHome, '.claude.json'),
  windsurf: () => path.join(fakeHome, '.codeium', 'windsurf', 'mcp_config.json'),
};

async function write(target: string, text: string, mode = 0o600): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(target, text, { mode });
  await fs.chmod(target, mode);
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    out.set(full, await fs.readFile(full, 'utf8'));
  }
  return out;
}

async function cli(args: string[]) {
  const result = await runCli(args, { env, timeoutMs: 60_000 });
  outputs.push(result.stdout, result.stderr);
  return result;
}

before(async () => {
  stack.as = await startAuthServer({ accessTokenTTL: 3600 });
  stack.mcp = await startMcpServer({ auth: { issuer: stack.as.issuer, jwksUri: stack.as.jwksUri } });
  stack.profile = await createKeyringEnv('adopt');
  keyed = await startMcpServer({ auth: { apiKeyHeader: 'X-API-Key', apiKey } });
  fakeHome = await fs.mkdtemp(path.join(stack.profile.home, '..', 'adopt-home-'));
  env = { ...stack.profile.env, HOME: fakeHome, XDG_CONFIG_HOME: '', APPDATA: '', CLAUDE_CONFIG_DIR: '', MCP_REMOTE_CONFIG_DIR: '' };
  delete env.XDG_CONFIG_HOME;
  delete env.CLAUDE_CONFIG_DIR;
  delete env.MCP_REMOTE_CONFIG_DIR;

  // mcp-remote signs in by itself and caches its tokens under ~/.mcp-auth.
  const signedIn = await runMcpRemoteClient([stack.mcp.url, '--allow-http'], { ...process.env, HOME: fakeHome, MCP_REMOTE_CONFIG_DIR: '' });
  assert.equal(signedIn.code, 0, signedIn.stderr.slice(-2000));
  const cacheDir = path.join(fakeHome, '.mcp-auth', 'mcp-remote-v1');
  const cached = await fs.readdir(cacheDir);
  const tokensFile = cached.find((name) => name.endsWith('_tokens.json'));
  assert.ok(tokensFile, `mcp-remote cached no tokens: ${cached.join(', ')}`);
  const tokens = JSON.parse(await fs.readFile(path.join(cacheDir, tokensFile), 'utf8'));
  secrets.push(tokens.access_token, tokens.refresh_token);

  await write(
    file.claudeDesktop(),
    JSON.stringify(
      {
        mcpServers: {
          stack: { command: 'npx', args: ['-y', 'mcp-remote', stack.mcp.url, '--allow-http'] },
          'local-files': { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
        },
        globalShortcut: 'Ctrl+Space',
      },
      null,
      2,
    ),
  );
  // World-readable, as editors often leave it: the backup of it must still be 0600.
  await write(file.cursor(), JSON.stringify({ mcpServers: { keyed: { url: keyed.url, headers: { 'X-API-Key': apiKey } } } }, null, 2), 0o644);
  await write(
    file.vscode(),
    `{\n  // my MCP servers\n  "servers": {\n    "keyed": { "type": "http", "url": ${JSON.stringify(keyed.url)}, "headers": { "X-API-Key": ${JSON.stringify(apiKey)} } }, // the keyed one\n  },\n  "inputs": []\n}\n`,
  );
  await write(file.claudeCode(), JSON.stringify({ numStartups: 7, mcpServers: { 'stack-cc': { type: 'http', url: stack.mcp.url } } }, null, 2));
  await write(file.windsurf(), JSON.stringify({ mcpServers: { 'keyed-ws': { serverUrl: keyed.url, headers: { 'X-API-Key': apiKey } } } }, null, 2));
  filesBefore = await snapshot(fakeHome);
});

after(async () => {
  await keyed?.close();
  await stack.profile?.cleanup();
  await stack.mcp?.close();
  await stack.as?.close();
  if (fakeHome) await fs.rm(fakeHome, { recursive: true, force: true });
});

test('adopt --dry-run lists every remote server, grouped by URL, and changes nothing', async () => {
  const result = await cli(['adopt', '--dry-run', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const plan = JSON.parse(result.stdout) as { candidates: Array<Record<string, any>>; skipped: unknown[] };
  assert.deepEqual(plan.skipped, []);
  assert.equal(plan.candidates.length, 2, JSON.stringify(plan.candidates, null, 2));
  const oauth = plan.candidates.find((c) => c.url === stack.mcp.url)!;
  assert.equal(oauth.authKind, 'oauth');
  assert.deepEqual(oauth.entries.map((e: any) => `${e.client}:${e.name}:${e.kind}`).sort(), ['claude-code:stack-cc:url', 'claude-desktop:stack:mcp-remote']);
  assert.equal(oauth.cachedTokens.refreshable, true);
  assert.ok(oauth.cachedTokens.scopes.includes('mcp:tools'));
  assert.equal(oauth.problems.length, 0);
  const key = plan.candidates.find((c) => c.url === keyed.url)!;
  assert.equal(key.authKind, 'header');
  assert.equal(key.headerName, 'X-API-Key');
  assert.deepEqual(key.entries.map((e: any) => e.client).sort(), ['cursor', 'vscode', 'windsurf']);
  assert.equal(key.plaintext.length, 3);
  // No secret in the plan, and not a byte changed.
  await assertNoLeak(secrets, { outputs: [result.stdout, result.stderr] });
  assert.deepEqual(await snapshot(fakeHome), filesBefore);
  assert.deepEqual(await stack.profile.keyring.registry.list(), []);
});

test('adopt without --yes and without a terminal only shows the plan', async () => {
  const result = await cli(['adopt']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Nothing was changed/);
  assert.deepEqual(await snapshot(fakeHome), filesBefore);
});

test('adopt --yes imports mcp-remote tokens without a new sign-in, moves the key, rewrites every entry in place', async () => {
  const codeGrants = stack.as.stats.codeGrants;
  const result = await cli(['adopt', '--yes', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const { adopted, failed } = JSON.parse(result.stdout) as { adopted: Array<Record<string, any>>; failed: unknown[] };
  assert.deepEqual(failed, []);
  assert.equal(adopted.length, 2);
  const oauth = adopted.find((a) => a.credentials === 'tokens')!;
  const key = adopted.find((a) => a.credentials === 'key')!;
  assert.ok(oauth && key, JSON.stringify(adopted));
  assert.equal(stack.as.stats.codeGrants, codeGrants, 'adoption must not sign in again');
  assert.deepEqual(oauth.warnings, []);
  assert.equal(oauth.rewritten.length, 2);
  assert.equal(key.rewritten.length, 3);
  assert.ok(oauth.deleted.some((f: string) => f.endsWith('_tokens.json')));

  const status = JSON.parse((await cli(['status', oauth.serverId, '--json'])).stdout);
  assert.equal(status.status, 'connected');
  assert.ok(status.state.scopes.includes('mcp:tools'));
  assert.equal(status.state.hasRefreshToken, true);

  // Edited, not clobbered: the other entries and keys, and VS Code's comments, stay.
  const desktop = JSON.parse(await fs.readFile(file.claudeDesktop(), 'utf8'));
  assert.deepEqual(desktop.mcpServers['local-files'], { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] });
  assert.equal(desktop.globalShortcut, 'Ctrl+Space');
  assert.ok(desktop.mcpServers.stack.args.some((a: string) => a.endsWith('bridge.cjs')));
  assert.equal(desktop.mcpServers.stack.args.at(-1), oauth.serverId);
  const vscode = await fs.readFile(file.vscode(), 'utf8');
  assert.match(vscode, /\/\/ my MCP servers/);
  assert.match(vscode, /"inputs": \[\]/);
  const claudeCode = JSON.parse(await fs.readFile(file.claudeCode(), 'utf8'));
  assert.equal(claudeCode.numStartups, 7);
  assert.equal(claudeCode.mcpServers['stack-cc'].url, stack.mcp.url);
  assert.match(claudeCode.mcpServers['stack-cc'].headersHelper, new RegExp(`headers'? '?${oauth.serverId}`));
  for (const r of [...oauth.rewritten, ...key.rewritten]) {
    if (r.backupPath) assert.equal((await fs.stat(r.backupPath)).mode & 0o777, 0o600, r.backupPath);
  }
});

test('after adoption no file that was there before holds a plaintext secret', async () => {
  await assertNoLeak(secrets, { dirs: [fakeHome, stack.profile.home], outputs });
  const stored = await stack.profile.secrets();
  assert.ok(stored.some((s) => s.password === apiKey), 'the key is in the keychain');
});

async function connectEntry(entry: { command: string; args: string[]; env?: Record<string, string> }) {
  const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...(process.env as Record<string, string>), ...entry.env }, stderr: 'pipe' });
  const client = new Client({ name: 'adopt-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

test('the rewritten entries work with no browser: the stdio bridges and the headers helper', async () => {
  const codeGrants = stack.as.stats.codeGrants;
  const desktop = JSON.parse(await fs.readFile(file.claudeDesktop(), 'utf8'));
  const viaDesktop = await connectEntry(desktop.mcpServers.stack);
  try {
    const result = (await viaDesktop.callTool({ name: 'echo', arguments: { text: 'adopted' } })) as { content: Array<{ text: string }> };
    assert.match(result.content[0]!.text, /adopted/);
  } finally {
    await viaDesktop.close();
  }
  const cursor = JSON.parse(await fs.readFile(file.cursor(), 'utf8'));
  const viaCursor = await connectEntry(cursor.mcpServers.keyed);
  try {
    assert.ok((await viaCursor.listTools()).tools.length > 0);
  } finally {
    await viaCursor.close();
  }
  const claudeCode = JSON.parse(await fs.readFile(file.claudeCode(), 'utf8'));
  const { stdout } = await promisify(execFile)('/bin/sh', ['-c', claudeCode.mcpServers['stack-cc'].headersHelper], { env: process.env });
  assert.match(JSON.parse(stdout).Authorization, /^Bearer ey/);
  assert.equal(stack.as.stats.codeGrants, codeGrants, 'no sign-in was needed');
});

test('the history records the adoption and the config entries written, without secrets', async () => {
  const servers = await stack.profile.keyring.registry.list();
  for (const server of servers) {
    const result = await cli(['log', server.id, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const events = JSON.parse(result.stdout) as Array<{ kind: string; at: number }>;
    const kinds = events.map((e) => e.kind);
    assert.ok(kinds.includes('adopted'), kinds.join());
    assert.ok(kinds.includes('config-written'), kinds.join());
    assert.ok(kinds.includes('added'), kinds.join());
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.at >= events[i]!.at, 'newest first');
  }
  await assertNoLeak(secrets, { dirs: [stack.profile.home], outputs });
});

test("the imported tokens renew with mcp-remote's client registration; new sign-ins still use MCP Keyring's own", async () => {
  const server = (await stack.profile.keyring.registry.list()).find((s) => s.auth.kind === 'oauth')!;
  const before = stack.as.stats.refreshGrants;
  const current = await stack.profile.keyring.vault.get(secretNames.accessToken(server.id));
  const fresh = await stack.profile.keyring.tokens.getAccessToken(server, { rejected: current ?? undefined });
  assert.notEqual(fresh.token, current);
  assert.equal(stack.as.stats.refreshGrants, before + 1);
  secrets.push(fresh.token, (await stack.profile.keyring.vault.get(secretNames.refreshToken(server.id)))!);
  const state = await stack.profile.keyring.states.read(server.id);
  const clients = JSON.parse(await fs.readFile(path.join(stack.profile.home, 'clients.json'), 'utf8'));
  const entry = clients.authorizationServers[stack.as.issuer];
  assert.ok(entry.registrations[state.clientId!], 'the registration the tokens belong to is kept');
  assert.equal(entry.current, undefined, "mcp-remote's client (its own redirect URI) is not used for new sign-ins");
  await assertNoLeak(secrets, { dirs: [fakeHome, stack.profile.home] });
});

test('an mcp-remote entry for a server MCP Keyring already has is just rewritten', async () => {
  await fs.writeFile(file.windsurf(), JSON.stringify({ mcpServers: { again: { command: 'npx', args: ['-y', 'mcp-remote@latest', stack.mcp.url, '--allow-http'] } } }, null, 2));
  const plan = JSON.parse((await cli(['adopt', '--dry-run', '--json'])).stdout);
  assert.equal(plan.candidates.length, 1);
  const existing = (await stack.profile.keyring.registry.list()).find((s) => s.url === stack.mcp.url)!;
  assert.equal(plan.candidates[0].existingServerId, existing.id);
  const result = await cli(['adopt', 'again', '--yes', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const [adopted] = JSON.parse(result.stdout).adopted;
  assert.equal(adopted.credentials, 'existing');
  assert.equal(adopted.serverId, existing.id);
  const windsurf = JSON.parse(await fs.readFile(file.windsurf(), 'utf8'));
  assert.equal(windsurf.mcpServers.again.args.at(-1), existing.id);
  assert.equal((await stack.profile.keyring.registry.list()).length, 2);
});

test('a second scan finds nothing left to adopt; a malformed config is left alone with a message', async () => {
  const broken = '{ "mcpServers": { "x": { "url": "https://example.com/mcp" }, } ';
  await fs.writeFile(file.windsurf(), broken);
  const result = await cli(['adopt', '--dry-run', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const plan = JSON.parse(result.stdout);
  assert.deepEqual(plan.candidates, []);
  assert.equal(plan.skipped.length, 1);
  assert.match(plan.skipped[0].message, /not valid JSON.*left it alone/);
  assert.equal(await fs.readFile(file.windsurf(), 'utf8'), broken);
});

test('hostile configs: a huge file is left alone, a huge mcp-remote cache is not read; memory stays bounded', async (t) => {
  await fs.writeFile(file.cursor(), `{"mcpServers":{},"junk":"${'x'.repeat(17 * 1024 * 1024)}"}`);
  await fs.writeFile(
    file.claudeDesktop(),
    JSON.stringify({ mcpServers: { fresh: { command: 'npx', args: ['-y', 'mcp-remote', 'https://mcp.example.com/mcp'] } } }),
  );
  const cacheDir = path.join(fakeHome, '.mcp-auth', 'mcp-remote-v1');
  await fs.mkdir(cacheDir, { recursive: true });
  const { mcpRemoteHash, parseMcpRemoteArgs } = await import('../../main/core/adopt/mcp-remote');
  const hash = mcpRemoteHash(parseMcpRemoteArgs(['https://mcp.example.com/mcp'])!);
  await fs.writeFile(path.join(cacheDir, `${hash}_tokens.json`), `{"access_token":"${'y'.repeat(3 * 1024 * 1024)}"}`);
  const run = await runMeasured(['adopt', '--dry-run', '--json'], { env, timeoutMs: 30_000 });
  assert.equal(run.code, 0, run.stderr);
  const plan = JSON.parse(run.stdout);
  assert.match(plan.skipped.find((s: any) => s.client === 'cursor').message, /larger than 16 MB; left it alone/);
  const fresh = plan.candidates.find((c: any) => c.url === 'https://mcp.example.com/mcp');
  assert.equal(fresh.cachedTokens, undefined, 'an oversized token file is not taken as tokens');
  assert.match(fresh.notes.join(' '), /could not be read; it is left alone/);
  assertBounded(run, { maxRssMb: 150 });
  t.diagnostic(`adopt --dry-run peak RSS ${run.peakRssMb.toFixed(1)} MB in ${run.durationMs} ms`);
});
