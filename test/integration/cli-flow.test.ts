// The whole user journey through the real CLI: add → connect (browser sign-in
// against a real oidc-provider) → status → bridge (as Claude Desktop runs it)
// → disconnect → remove; then a scan that no token byte leaked anywhere.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { secretNames } from '../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { connectBridge, text, type BridgeClient } from '../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { runCli, scriptedBrowser } from '../helpers/run-cli';

let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;
let env: NodeJS.ProcessEnv;
let id: string;
const outputs: string[] = [];

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 60 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('cli');
  env = { ...profile.env, BROWSER: scriptedBrowser };
});
after(async () => {
  await profile.cleanup();
  await mcp.close();
  await as.close();
});

async function cli(args: string[], input?: string) {
  const result = await runCli(args, { env, ...(input === undefined ? {} : { input }) });
  outputs.push(result.stdout, result.stderr);
  return result;
}

test('add prints the new id and stores no secret', async () => {
  const added = await cli(['add', mcp.url, '--name', 'example']);
  assert.equal(added.code, 0, added.stderr);
  id = added.stdout.trim();
  assert.equal(id, 'example');
  assert.match(added.stderr, /Next: mcp-keyring connect example/);
  const status = JSON.parse((await cli(['status', id, '--json'])).stdout);
  assert.equal(status.status, 'not-connected');
  assert.deepEqual(await profile.secrets(), []);
});

test('connect signs in through the browser and puts the tokens in the keychain', async () => {
  const result = await cli(['connect', id, '--timeout', '60s']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Waiting for you in the browser/);
  assert.match(result.stderr, new RegExp(`visit:\\n  ${as.issuer.replace(/[.]/g, '\\.')}/auth\\?`));
  assert.match(result.stderr, /Connected with .*mcp:tools/);
  const accounts = (await profile.secrets()).map((s) => s.account).sort();
  assert.deepEqual(accounts, [secretNames.accessToken(id), secretNames.refreshToken(id)].sort());
  assert.equal(as.stats.registrations, 1);
  assert.equal(as.stats.codeGrants, 1);

  const status = JSON.parse((await cli(['status', id, '--json'])).stdout);
  assert.equal(status.status, 'connected');
  assert.ok(status.state.scopes.includes('mcp:tools'));
  assert.ok(status.state.expiresAt > Date.now() + 30_000);
  assert.equal(status.state.hasRefreshToken, true);
  assert.match(status.state.lastRefreshBy, /^cli \(pid \d+\)$/);
  const table = (await cli(['status'])).stdout;
  assert.match(table, /example\s+example\s+connected\s+in \d+ s/);
});

test('a second connect reuses the registration', async () => {
  const result = await cli(['connect', id]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(as.stats.registrations, 1);
});

test('headers prints fresh request headers for Claude Code, without renewing a token that is good for half its lifetime', async () => {
  const refreshes = as.stats.refreshGrants;
  // Printing the token is this command's purpose, so its output is not part of the leak scan.
  const result = await runCli(['headers', id], { env });
  assert.equal(result.code, 0, result.stderr);
  const headers = JSON.parse(result.stdout) as Record<string, string>;
  assert.deepEqual(Object.keys(headers), ['Authorization']);
  assert.match(headers.Authorization!, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(as.stats.refreshGrants, refreshes, 'a fresh 60 s token is handed out as it is');
  const answer = await fetch(mcp.url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
  });
  assert.equal(answer.status, 200);
  await answer.body?.cancel();
});

let bridge: BridgeClient;
let tokens: string[] = [];

test('the bridge forwards tools, large results, notifications and server-to-client requests', async () => {
  tokens = (await profile.secrets()).map((s) => s.password);
  bridge = await connectBridge(id, env, { answer: 'forty-two' });
  const tools = await bridge.client.listTools();
  assert.ok(tools.tools.some((t) => t.name === 'echo'));
  assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'héllo ✓' } })), 'héllo ✓');
  const who = JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
  assert.equal(who.sub, 'alice');
  assert.equal(who.aud, mcp.url);
  const big = text(await bridge.client.callTool({ name: 'big', arguments: { kb: 2048 } }));
  assert.equal(big.length, 2048 * 1024);
  assert.equal(text(await bridge.client.callTool({ name: 'notify', arguments: { count: 5 } })), 'done');
  assert.deepEqual(bridge.logs.slice(-5), [1, 2, 3, 4, 5].map((i) => `notification ${i}/5`));
  assert.equal(text(await bridge.client.callTool({ name: 'ask', arguments: { question: 'The answer?' } })), 'forty-two');
});

test('no token byte is in the data directory, the outputs, or the bridge argv/environment', async () => {
  assert.equal(tokens.length, 2);
  const pid = bridge.pid!;
  const procFiles = await Promise.all(['cmdline', 'environ'].map((f) => fs.readFile(`/proc/${pid}/${f}`, 'utf8').catch(() => '')));
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(await fs.readFile(full, 'latin1'));
    }
  };
  await walk(profile.home);
  assert.ok(files.length >= 3, 'servers.json, clients.json and a state file exist');
  const haystacks = { files: files.join('\n'), outputs: outputs.join('\n'), bridgeStderr: bridge.stderr(), proc: procFiles.join('\n') };
  for (const token of tokens) {
    assert.ok(token.length > 20);
    for (const [where, haystack] of Object.entries(haystacks)) {
      assert.ok(!haystack.includes(token), `a token leaked into ${where}`);
      assert.ok(!haystack.includes(token.slice(-24)), `part of a token leaked into ${where}`);
    }
  }
  assert.match(procFiles[0]!, /bridge\.cjs\0example/);
  await bridge.close();
});

test('disconnect revokes the grant and deletes the tokens; remove forgets the server', async () => {
  const before = as.stats.revocations;
  const result = await cli(['disconnect', id]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Revoked and deleted the stored tokens/);
  assert.equal(as.stats.revocations, before + 1);
  assert.deepEqual(await profile.secrets(), []);
  assert.equal(JSON.parse((await cli(['status', id, '--json'])).stdout).status, 'not-connected');
  const removed = await cli(['remove', id]);
  assert.equal(removed.code, 0, removed.stderr);
  const gone = await cli(['status', id]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No server with id "example"/);
});
