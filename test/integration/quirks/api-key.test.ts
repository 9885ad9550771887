// Servers protected by a static key instead of OAuth: an X-API-Key header, or a
// fixed bearer token in Authorization. The key is read from stdin, lives only in
// the keychain, and the bridge sends it on every request. Discovery tells such a
// server (protection 'unknown': refused, names no authorization server) from one
// that needs nothing at all (protection 'none').
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { secretNames } from '../../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../../helpers/auth-server';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../../helpers/mcp-server';
import { runCli } from '../../helpers/run-cli';
import { countFiles, filesContaining } from '../../helpers/quirks/common';

const API_KEY = `sk-quirks-${randomBytes(18).toString('hex')}`;
const BEARER = `fixed-${randomBytes(18).toString('base64url')}`;

let keyServer: McpTestServer;
let bearerServer: McpTestServer;
let openServer: McpTestServer;
let as: AuthServer;
let oauthServer: McpTestServer;
let profile: KeyringEnv;
const outputs: string[] = [];

before(async () => {
  [keyServer, bearerServer, openServer, as] = await Promise.all([
    startMcpServer({ auth: { apiKeyHeader: 'X-API-Key', apiKey: API_KEY } }),
    startMcpServer({ auth: { apiKeyHeader: 'Authorization', apiKey: `Bearer ${BEARER}` } }),
    startMcpServer({ auth: 'none' }),
    startAuthServer(),
  ]);
  oauthServer = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('quirks-apikey');
});
after(async () => {
  await profile.cleanup();
  await Promise.all([keyServer, bearerServer, openServer, oauthServer, as].map((s) => s.close()));
});

async function cli(args: string[], input?: string) {
  const result = await runCli(args, { env: profile.env, ...(input === undefined ? {} : { input }) });
  outputs.push(result.stdout, result.stderr);
  return result;
}

test('add --header X-API-Key: the key from stdin goes to the keychain only, and the bridge sends it', async () => {
  const added = await cli(['add', keyServer.url, '--name', 'Keyed', '--header', 'X-API-Key'], `${API_KEY}\n`);
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  assert.equal(id, 'keyed');

  const stored = (await profile.secrets()).filter((s) => s.account.startsWith(`server/${id}/`));
  assert.deepEqual(stored, [{ account: secretNames.apiKey(id), password: API_KEY }], 'exactly the key, without the trailing newline');
  assert.ok((await countFiles(profile.home)) >= 2);
  assert.deepEqual(await filesContaining(profile.home, API_KEY), [], 'the key is in no file of the data directory');
  const [server] = await profile.keyring.registry.list();
  assert.deepEqual(server?.auth, { kind: 'header', headerName: 'X-API-Key' });

  const status = JSON.parse((await cli(['status', id, '--json'])).stdout);
  assert.equal(status.authKind, 'header');
  assert.equal(status.status, 'connected');

  const bridge = await connectBridge(id, profile.env);
  try {
    const tools = await bridge.client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'whoami'));
    assert.deepEqual(JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} }))), { apiKey: true });
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'keyed ✓' } })), 'keyed ✓');
    assert.equal(keyServer.stats.unauthorized, 0, 'no request went out without the key');
    assert.ok(!bridge.stderr().includes(API_KEY));
  } finally {
    await bridge.close();
  }

  // Claude Code's headersHelper gets the header as JSON (that is its purpose).
  const headers = await runCli(['headers', id], { env: profile.env });
  assert.equal(headers.code, 0, headers.stderr);
  assert.deepEqual(JSON.parse(headers.stdout), { 'X-API-Key': API_KEY });
  assert.ok(!outputs.join('\n').includes(API_KEY), 'add and status never echo the key');
});

test('add --header Authorization --scheme Bearer: a fixed bearer token', async () => {
  const added = await cli(['add', bearerServer.url, '--name', 'Fixed bearer', '--header', 'Authorization', '--scheme', 'Bearer'], BEARER);
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  assert.deepEqual((await profile.secrets()).filter((s) => s.account.startsWith(`server/${id}/`)), [{ account: secretNames.apiKey(id), password: BEARER }]);
  assert.deepEqual(await filesContaining(profile.home, BEARER), []);

  const bridge = await connectBridge(id, profile.env);
  try {
    assert.deepEqual(JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} }))), { apiKey: true });
    assert.equal(bearerServer.stats.unauthorized, 0);
  } finally {
    await bridge.close();
  }
  const headers = await runCli(['headers', id], { env: profile.env });
  assert.deepEqual(JSON.parse(headers.stdout), { Authorization: `Bearer ${BEARER}` });
});

test('a key the server refuses: the client is told to update it, with no retry loop', async () => {
  const added = await cli(['add', keyServer.url, '--name', 'Wrong key', '--header', 'X-API-Key'], 'not-the-key');
  assert.equal(added.code, 0, added.stderr);
  const refusedBefore = keyServer.stats.unauthorized;
  await assert.rejects(connectBridge(added.stdout.trim(), profile.env), (error: Error) => {
    assert.match(error.message, /Wrong key refused the stored key \(X-API-Key\); update it in MCP Keyring/);
    return true;
  });
  // The keychain is read again, but the same key is not sent twice: one request in all.
  assert.equal(keyServer.stats.unauthorized - refusedBefore, 1);
});

test('no key on stdin: nothing is added', async () => {
  const added = await cli(['add', keyServer.url, '--name', 'Empty key', '--header', 'X-API-Key'], '');
  assert.equal(added.code, 1);
  assert.match(added.stderr, /Expected the secret on standard input, but it was empty/);
  assert.ok(!(await profile.keyring.registry.list()).some((s) => s.name === 'Empty key'));
});

test('discovery tells "needs no sign-in" from "probably an API key" from OAuth', async () => {
  const open = await profile.keyring.preview(openServer.url);
  assert.equal(open.protection, 'none');
  assert.equal(open.authorizationServer, undefined);

  const keyed = await profile.keyring.preview(keyServer.url);
  assert.equal(keyed.protection, 'unknown');
  assert.equal(keyed.authorizationServer, undefined);
  assert.equal(keyed.registration, undefined);

  const oauth = await profile.keyring.preview(oauthServer.url);
  assert.equal(oauth.protection, 'oauth');
  assert.equal(oauth.authorizationServer, as.issuer);
  assert.equal(oauth.registration, 'dynamic');

  // And `connect` on a keyed server added as OAuth says what to do instead.
  const added = await cli(['add', keyServer.url, '--name', 'Mistaken']);
  const connect = await cli(['connect', added.stdout.trim(), '--timeout', '5s']);
  assert.equal(connect.code, 1);
  assert.match(connect.stderr, /names no authorization server \(HTTP 401\); if it uses an API key, add it with --header <name>/);
});

test('--no-auth: the bridge sends no credentials at all', async () => {
  const added = await cli(['add', openServer.url, '--name', 'Open', '--no-auth']);
  assert.equal(added.code, 0, added.stderr);
  const bridge = await connectBridge(added.stdout.trim(), profile.env);
  try {
    assert.deepEqual(JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} }))), { anonymous: true });
  } finally {
    await bridge.close();
  }
  assert.deepEqual((await profile.secrets()).filter((s) => s.account.startsWith('server/open/')), []);
});
