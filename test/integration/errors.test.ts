// Every failure in the core's error list, triggered for real, with its message checked.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { isKeyringError } from '../../main/core/errors';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { connectBridge } from '../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { runCli, scriptedBrowser } from '../helpers/run-cli';
import { goodAsMetadata, protectedServerRoutes, startStaticServer, type StaticServer } from '../helpers/static-server';
import { completeLogin } from '../helpers/user-agent';
import { freePort } from '../helpers/free-port';

let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;
const statics: StaticServer[] = [];

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 2 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('errors');
});
after(async () => {
  await profile.cleanup();
  await Promise.all(statics.map((s) => s.close()));
  await mcp.close();
  await as.close();
});

async function staticServer(routes: Parameters<typeof startStaticServer>[0]): Promise<StaticServer> {
  const server = await startStaticServer(routes);
  statics.push(server);
  return server;
}

/** Adds a server and runs `connect` through the CLI; returns its outcome. */
async function cliConnect(url: string, name: string, extraEnv: NodeJS.ProcessEnv = {}, extraArgs: string[] = []) {
  const added = await runCli(['add', url, '--name', name, ...extraArgs], { env: profile.env });
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  const result = await runCli(['connect', id, '--timeout', '20s'], { env: { ...profile.env, BROWSER: scriptedBrowser, ...extraEnv } });
  return { id, ...result };
}

test('server unreachable', async () => {
  const port = await freePort();
  const result = await cliConnect(`http://127.0.0.1:${port}/mcp`, 'unreachable');
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`Cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); check the URL`));
});

test('no protected-resource metadata and no authorization server', async () => {
  const server = await staticServer({ 'POST /mcp': { status: 401, body: 'go away' } });
  const result = await cliConnect(`${server.origin}/mcp`, 'no-as');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /has no protected-resource metadata and names no authorization server \(HTTP 401\); if it uses an API key, add it with --header/);
});

test('S256 not supported', async () => {
  const server = await staticServer(protectedServerRoutes((o) => ({ ...goodAsMetadata(o), code_challenge_methods_supported: ['plain'] })));
  const result = await cliConnect(`${server.origin}/mcp`, 'no-s256');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /does not support PKCE with S256 \(code_challenge_methods_supported: \["plain"\]\)/);
});

test('an authorization_endpoint that is not http(s)', async () => {
  const server = await staticServer(protectedServerRoutes((o) => ({ ...goodAsMetadata(o), authorization_endpoint: 'javascript:alert(1)' })));
  const result = await cliConnect(`${server.origin}/mcp`, 'bad-endpoint');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Refusing the authorization_endpoint javascript:/);
});

test('HTML where metadata was expected', async () => {
  const server = await staticServer(
    protectedServerRoutes(goodAsMetadata, {
      '/.well-known/oauth-protected-resource/mcp': { headers: { 'content-type': 'text/html' }, body: '<!doctype html><h1>Welcome</h1>' },
    }),
  );
  const result = await cliConnect(`${server.origin}/mcp`, 'html');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Expected JSON protected-resource metadata at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp but got an HTML page/);
});

test('malformed JSON where metadata was expected', async () => {
  const server = await staticServer(
    protectedServerRoutes(goodAsMetadata, {
      '/.well-known/oauth-authorization-server': { headers: { 'content-type': 'application/json' }, body: '{"issuer": "http://x", ' },
    }),
  );
  const result = await cliConnect(`${server.origin}/mcp`, 'bad-json');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /The authorization server metadata at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-authorization-server is not valid JSON/);
});

test('metadata whose issuer does not match', async () => {
  const server = await staticServer(protectedServerRoutes((o) => ({ ...goodAsMetadata(o), issuer: 'https://evil.example' })));
  const result = await cliConnect(`${server.origin}/mcp`, 'wrong-issuer');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /names a different issuer than expected; refusing it/);
});

test('the user denies access', async () => {
  const result = await cliConnect(mcp.url, 'denied', { SCRIPTED_BROWSER_DENY: '1' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`Sign-in was denied at ${as.issuer.replace(/\./g, '\\.')}.*nothing was stored`));
  assert.deepEqual((await profile.secrets()).filter((s) => s.account.startsWith(`server/${result.id}/`)), []);
});

test('browser timeout', async () => {
  const added = await runCli(['add', mcp.url, '--name', 'slow'], { env: profile.env });
  const started = Date.now();
  const result = await runCli(['connect', added.stdout.trim(), '--timeout', '2s'], { env: { ...profile.env, BROWSER: scriptedBrowser, SCRIPTED_BROWSER_IGNORE: '1' } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /No answer from the browser within 2 seconds; run connect again/);
  assert.ok(Date.now() - started < 15_000);
});

test('loopback port unavailable', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const result = await cliConnect(mcp.url, 'port-busy', {}, ['--callback-port', String(port)]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use, so the sign-in callback cannot be received`));
  } finally {
    blocker.close();
  }
});

test('state mismatch and issuer mismatch in the callback are rejected', async () => {
  const server = await profile.keyring.add({ url: mcp.url, name: 'tampered' });
  const forge = (change: (params: URLSearchParams) => void) => async (url: string) => {
    const auth = new URL(url);
    const params = new URLSearchParams({ code: 'forged-code', state: auth.searchParams.get('state')!, iss: as.issuer });
    change(params);
    await fetch(`${auth.searchParams.get('redirect_uri')}?${params}`).catch(() => undefined);
  };
  // A wrong state is not this sign-in's answer: ignored, and the sign-in keeps waiting (here until its timeout).
  await assert.rejects(
    profile.keyring.connect(server.id, { openBrowser: forge((p) => p.set('state', 'not-the-state')), timeoutMs: 2_000 }),
    (e) => isKeyringError(e, 'browser-timeout') && /1 request that was not this sign-in's answer ignored/.test(e.message),
  );
  await assert.rejects(
    profile.keyring.connect(server.id, { openBrowser: forge((p) => p.set('iss', 'https://evil.example')), timeoutMs: 20_000 }),
    (e) => isKeyringError(e, 'issuer-mismatch') && /did not come from/.test(e.message),
  );
  // A real sign-in still works afterwards: nothing was half-stored.
  const state = await profile.keyring.connect(server.id, { openBrowser: (url) => completeLogin(url).then(() => undefined), timeoutMs: 20_000 });
  assert.equal(state.status, 'connected');
});

test('keychain unavailable: a clear message naming the Secret Service, and nothing half-stored', async () => {
  const env = { ...profile.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
  const result = await runCli(['add', mcp.url, '--name', 'no-keychain', '--header', 'X-API-Key'], { env, input: 'k3y-value\n' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /The OS keychain is unavailable .*Secret Service.*libsecret/);
  assert.ok(!result.stderr.includes('k3y-value'));
  assert.ok(!(await profile.keyring.registry.list()).some((s) => s.name === 'no-keychain'), 'the server entry was rolled back');
});

test('refresh token revoked: the bridge says what to do and the server needs sign-in', async () => {
  const server = await profile.keyring.add({ url: mcp.url, name: 'revoked' });
  await profile.keyring.connect(server.id, { openBrowser: (url) => completeLogin(url).then(() => undefined), timeoutMs: 20_000 });
  await as.revokeAllGrants();
  await new Promise((resolve) => setTimeout(resolve, 2_100)); // the 2 s access token expires
  const bridge = await connectBridge(server.id, profile.env).catch((error: Error) => error);
  const message = bridge instanceof Error ? bridge.message : '';
  if (!(bridge instanceof Error)) await bridge.close();
  assert.match(message, /The authorization server refused the refresh token \(invalid_grant.*Sign in to revoked again: run `mcp-keyring connect revoked` or click Connect in MCP Keyring/);
  const view = await profile.keyring.view(server);
  assert.equal(view.status, 'needs-sign-in');
  assert.deepEqual((await profile.secrets()).filter((s) => s.account.startsWith(`server/${server.id}/`)), []);
});

test('an authorization server that forgot the client: refresh says sign in, and the next sign-in registers again', async () => {
  const server = await profile.keyring.add({ url: mcp.url, name: 'forgotten' });
  await profile.keyring.connect(server.id, { openBrowser: (url) => completeLogin(url).then(() => undefined), timeoutMs: 20_000 });
  const registrations = as.stats.registrations;
  await as.forgetClients();
  await new Promise((resolve) => setTimeout(resolve, 2_100)); // the 2 s access token expires
  await assert.rejects(profile.keyring.tokens.getAccessToken(server), (e) => isKeyringError(e, 'needs-sign-in') && /invalid_client/.test(e.message));
  // The stored registration is gone, so this sign-in registers a new client and succeeds.
  const state = await profile.keyring.connect(server.id, { openBrowser: (url) => completeLogin(url).then(() => undefined), timeoutMs: 20_000 });
  assert.equal(state.status, 'connected');
  assert.equal(as.stats.registrations, registrations + 1);
});
