// The real Claude Code (`claude mcp list`, offline, no API key, a private HOME)
// with the entries MCP Keyring's config writer produces: the headersHelper form
// signed in, signed out (Claude Code must not start its own OAuth sign-in nor
// store a token of its own) and signed in again; and the stdio bridge form.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { appCliCommand } from '../../../main/app/app-layout';
import { bridgeLaunch, headersHelperLaunch } from '../../../main/core/clients/launch';
import { clientEntryName, installClient } from '../../../main/core/service/clients';
import { bridgePath, repoRoot } from '../../helpers/keyring-env';
import { claudeBin, ensureClaudeCode, privateHome, runClient } from '../../helpers/real-clients';
import { scriptedSignIn, useStack } from '../../helpers/stack';

const stack = useStack('claude-code', { accessTokenTTL: 300 });
let home: Awaited<ReturnType<typeof privateHome>>;
let id: string;
const entry = () => clientEntryName(id);

// Root-level before hooks do not wait for each other, so the stack is used from the tests.
let ready: Promise<void> | undefined;
function setUp(): Promise<void> {
  ready ??= (async () => {
    ensureClaudeCode();
    home = await privateHome('claude-code');
    id = (await stack.connected('example')).id;
  })();
  return ready;
}
after(async () => home?.cleanup());

async function install(launch: Parameters<typeof installClient>[3]): Promise<void> {
  await installClient({ platform: 'linux', env: {}, homedir: home.home }, 'claude-code', id, launch);
}

/** The line `claude mcp list` prints for our entry. */
async function listLine(): Promise<string> {
  const result = await runClient(claudeBin, ['mcp', 'list'], home.env);
  assert.equal(result.code, 0, result.stderr);
  const line = result.stdout.split('\n').find((l) => l.startsWith(`${entry()}:`));
  assert.ok(line, `no line for ${entry()} in: ${result.stdout}`);
  return line;
}

async function claudeOAuthTokens(): Promise<string[]> {
  const file = path.join(home.home, '.claude', '.credentials.json');
  const text = await fs.readFile(file, 'utf8').catch(() => '{}');
  const oauth = (JSON.parse(text) as { mcpOAuth?: Record<string, { accessToken?: string }> }).mcpOAuth ?? {};
  return Object.values(oauth).map((e) => e.accessToken ?? '').filter(Boolean);
}

test('headersHelper form: Claude Code connects with the token from the keychain, without a refresh', async () => {
  await setUp();
  const cli = appCliCommand(['headers', id], { packaged: false, execPath: process.execPath, resourcesPath: '', root: repoRoot, env: stack.profile.env, platform: process.platform });
  await install(headersHelperLaunch(stack.mcp.url, cli));
  const refreshes = stack.as.stats.refreshGrants;
  assert.match(await listLine(), /✔ Connected/);
  assert.equal(stack.as.stats.refreshGrants, refreshes, 'a 300 s token was refreshed for the headers helper');
});

test('signed out, Claude Code says the helper credential was refused and starts no OAuth of its own', async () => {
  await stack.profile.keyring.disconnect(id);
  const registrations = stack.as.stats.registrations;
  const line = await listLine();
  assert.match(line, /Failed to connect/);
  assert.match(line, /headersHelper/);
  assert.doesNotMatch(line, /Needs authentication/);
  assert.equal(stack.as.stats.registrations, registrations, 'Claude Code registered its own OAuth client');
  assert.deepEqual(await claudeOAuthTokens(), []);
  // The helper's run marked the server, which turns the app's tray red and notifies.
  assert.equal((await stack.profile.keyring.states.read(id)).status, 'needs-sign-in');
});

test('signed in again, the next `claude mcp list` connects at once (no cached "needs auth")', async () => {
  await stack.profile.keyring.connect(id, scriptedSignIn);
  assert.match(await listLine(), /✔ Connected/);
});

test('stdio bridge form: Claude Code starts the bridge the writer wrote and connects', async () => {
  await install(bridgeLaunch({ serverId: id, mode: 'development', execPath: process.execPath, bridgeScript: bridgePath, env: { MCP_KEYRING_HOME: stack.profile.home, MCP_KEYRING_SERVICE: stack.profile.service } }));
  assert.match(await listLine(), /✔ Connected/);
});
