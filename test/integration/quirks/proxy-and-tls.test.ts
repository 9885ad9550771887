// HTTPS_PROXY / HTTP_PROXY / NO_PROXY and NODE_EXTRA_CA_CERTS, end to end: the
// real CLI and the real bridge (child processes, as users run them) against an
// https authorization server and an https MCP server with a certificate from a
// throwaway CA, through a real forward proxy.
//
// How this is made honest without touching /etc/hosts or DNS: the servers are
// addressed as https://as.quirks.test:<port> and https://mcp.quirks.test:<port>,
// names that only the proxy can resolve (test/helpers/quirks/forward-proxy.ts has
// its own host table). A request that does not go through the proxy cannot even
// find its server (ENOTFOUND — checked below), and the proxy connects from
// 127.0.0.2, so each server can tell for every single request whether it came
// through the proxy. Loopback targets (http://127.0.0.1) are never proxied by
// design (main/core/http/proxy-settings.ts), which is checked too.
//
// The user's browser is played by the test process with its own host table
// (test/helpers/quirks/host-fetch.ts): it reads the sign-in URL the CLI prints —
// as a user without a default browser would — and completes the login.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { secretNames } from '../../../main/core/vault/secrets';
import { startAuthServer } from '../../helpers/auth-server';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { startMcpServer } from '../../helpers/mcp-server';
import { runCli, scriptedBrowser } from '../../helpers/run-cli';
import { startCli } from '../../helpers/run-cli';
import { startForwardProxy, type ForwardProxy } from '../../helpers/quirks/forward-proxy';
import { completeLoginWith, hostMappedFetch, type FetchFn } from '../../helpers/quirks/host-fetch';
import { startMcpHost, type McpHost } from '../../helpers/quirks/mcp-host';
import { startQuirkyAuthServer, type QuirkyAuthServer } from '../../helpers/quirks/oidc';
import { createTestCertificates, type TestCertificates } from '../../helpers/quirks/tls';

const AS_HOST = 'as.quirks.test';
const MCP_HOST = 'mcp.quirks.test';
const PROXY_ENV = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'all_proxy', 'ALL_PROXY', 'NODE_EXTRA_CA_CERTS'];

let certs: TestCertificates;
let proxy: ForwardProxy;
let authProxy: ForwardProxy;
let as: QuirkyAuthServer;
let mcp: McpHost;
let profile: KeyringEnv;
let browser: FetchFn;
/** The profile's environment without any proxy or CA variable inherited from the machine. */
let clean: NodeJS.ProcessEnv;
/** clean + the proxy + the CA: what a user behind a corporate proxy has. */
let proxied: NodeJS.ProcessEnv;
let id: string;

before(async () => {
  certs = await createTestCertificates([AS_HOST, MCP_HOST]);
  const hosts = { [AS_HOST]: '127.0.0.1', [MCP_HOST]: '127.0.0.1' };
  [proxy, authProxy] = await Promise.all([startForwardProxy({ hosts }), startForwardProxy({ hosts, credentials: 'corp user:p@ss word' })]);
  as = await startQuirkyAuthServer({ tls: certs, publicHost: AS_HOST });
  mcp = await startMcpHost({ tls: certs, hostname: MCP_HOST, auth: { issuer: as.issuer, jwks: as.jwks }, resourceMetadata: { authorizationServers: [as.issuer] } });
  browser = hostMappedFetch({ hosts, ca: certs.ca });
  profile = await createKeyringEnv('quirks-proxy-tls');
  clean = { ...profile.env, BROWSER: '/nonexistent/no-browser-here' };
  for (const name of PROXY_ENV) delete clean[name];
  proxied = { ...clean, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.caFile };
});
after(async () => {
  await profile.cleanup();
  await Promise.all([mcp.close(), as.close(), proxy.close(), authProxy.close()]);
  await certs.cleanup();
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `connect` through the CLI; the test plays the user who opens the printed URL. */
async function connectViaCli(serverId: string, env: NodeJS.ProcessEnv) {
  const cli = startCli(['connect', serverId, '--timeout', '30s'], { env });
  const [, url] = await cli.waitForStderr(/visit:\n {2}(\S+)\n/);
  const login = await completeLoginWith(browser, url!);
  assert.equal(login.status, 200, `the loopback page: ${login.body.slice(0, 200)}`);
  return cli.done;
}

test('without the proxy the names do not resolve: nothing can go around the proxy unnoticed', async () => {
  const added = await runCli(['add', mcp.url, '--name', 'behind proxy'], { env: clean });
  assert.equal(added.code, 0, added.stderr);
  id = added.stdout.trim();
  const result = await runCli(['connect', id, '--timeout', '10s'], { env: { ...clean, NODE_EXTRA_CA_CERTS: certs.caFile } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`Cannot reach ${escape(new URL(mcp.url).origin)} \\((ENOTFOUND|EAI_AGAIN)\\)`));
  assert.equal(proxy.log.length, 0);
  assert.equal(mcp.seen.length, 0);
});

test('through the proxy but without NODE_EXTRA_CA_CERTS the test CA is not trusted', async () => {
  const result = await runCli(['connect', id, '--timeout', '10s'], { env: { ...clean, HTTPS_PROXY: proxy.url } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`Cannot reach ${escape(new URL(mcp.url).origin)} \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\\)`));
  assert.equal(proxy.tunnelsTo(MCP_HOST), 1, 'the tunnel was opened; TLS inside it failed');
  assert.equal(mcp.seen.length, 0);
});

test('HTTPS_PROXY + NODE_EXTRA_CA_CERTS: discovery, registration and the token request all go through the proxy', async () => {
  const result = await connectViaCli(id, proxied);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Connected with mcp:tools/);
  assert.ok(proxy.tunnelsTo(MCP_HOST) >= 2 && proxy.tunnelsTo(AS_HOST) >= 1, JSON.stringify(proxy.log));
  assert.ok(proxy.log.every((e) => e.kind === 'connect' && e.auth === undefined));

  // Everything MCP Keyring sent came from the proxy's address…
  const fromKeyring = as.requests.filter((r) => r.endpoint !== 'authorization' && r.endpoint !== 'other');
  assert.deepEqual([...new Set(fromKeyring.map((r) => r.endpoint))].sort(), ['discovery', 'registration', 'token']);
  for (const r of fromKeyring) assert.equal(r.from, proxy.localAddress, `${r.method} ${r.path} bypassed the proxy`);
  assert.ok(mcp.seen.length >= 1 && mcp.seen.every((r) => r.from === proxy.localAddress), 'the discovery probe');
  // …while the browser (not MCP Keyring) talked to the AS directly.
  assert.ok(as.to('authorization').every((r) => r.from === '127.0.0.1'));
  assert.equal(as.stats.registrations, 1);
  assert.equal(as.stats.codeGrants, 1);
});

test('the bridge sends MCP traffic and its refresh through the proxy too', async () => {
  const seen = mcp.seen.length;
  const tokenRequests = as.to('token').length;
  // The stored token is one the server rejects: the bridge must refresh before its first answer.
  await profile.keyring.vault.set(secretNames.accessToken(id), 'rejected-by-the-server');
  const bridge = await connectBridge(id, proxied);
  try {
    const who = JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(who.aud, mcp.url);
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'proxied' } })), 'proxied');
    const bridged = mcp.seen.slice(seen);
    assert.ok(bridged.length >= 4, `initialize (twice), initialized, 2 × tools/call, … (saw ${bridged.length})`);
    assert.ok(bridged.every((r) => r.from === proxy.localAddress && r.bearer));
    assert.equal(bridged.filter((r) => r.status === 401).length, 1, 'the rejected token, once');
  } finally {
    await bridge.close();
  }
  const refresh = as.to('token').slice(tokenRequests);
  assert.deepEqual(refresh.map((r) => [r.params.grant_type, r.from]), [['refresh_token', proxy.localAddress]]);
  assert.equal(as.stats.refreshGrants, 1);
});

test('HTTP_PROXY alone is used for https targets (no HTTPS_PROXY set)', async () => {
  const env = { ...clean, HTTP_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.caFile };
  const tunnels = proxy.tunnelsTo(AS_HOST);
  await profile.keyring.states.patch(id, { expiresAt: Date.now() - 1000 });
  const headers = await runCli(['headers', id], { env });
  assert.equal(headers.code, 0, headers.stderr);
  assert.equal(as.stats.refreshGrants, 2);
  assert.equal(as.to('token').at(-1)?.from, proxy.localAddress);
  assert.equal(proxy.tunnelsTo(AS_HOST), tunnels + 1);
});

test('NO_PROXY: a listed host is reached directly (and here cannot be), others still through the proxy', async () => {
  const env = { ...proxied, NO_PROXY: `localhost,${AS_HOST}` };
  const tunnels = proxy.tunnelsTo(AS_HOST);
  await profile.keyring.states.patch(id, { expiresAt: Date.now() - 1000 });
  const headers = await runCli(['headers', id], { env });
  assert.equal(headers.code, 1);
  assert.match(headers.stderr, new RegExp(`Cannot reach ${escape(as.issuer)} \\((ENOTFOUND|EAI_AGAIN)\\)`));
  assert.equal(proxy.tunnelsTo(AS_HOST), tunnels, 'the proxy never saw the NO_PROXY host');

  // The same environment, MCP traffic: not listed, so proxied. (Refresh first, with the full proxy setup.)
  const refreshed = await runCli(['headers', id], { env: proxied });
  assert.equal(refreshed.code, 0, refreshed.stderr);
  const seen = mcp.seen.length;
  const bridge = await connectBridge(id, env);
  try {
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'mcp via proxy' } })), 'mcp via proxy');
  } finally {
    await bridge.close();
  }
  assert.ok(mcp.seen.slice(seen).every((r) => r.from === proxy.localAddress));

  // A domain suffix in NO_PROXY (".quirks.test") covers both names.
  const suffix = await runCli(['connect', id, '--timeout', '10s'], { env: { ...proxied, NO_PROXY: '.quirks.test' } });
  assert.equal(suffix.code, 1);
  assert.match(suffix.stderr, new RegExp(`Cannot reach ${escape(new URL(mcp.url).origin)} \\((ENOTFOUND|EAI_AGAIN)\\)`));
});

test('a proxy that needs credentials gets them from the proxy URL (never the servers)', async () => {
  const env = { ...proxied, HTTPS_PROXY: authProxy.url.replace('http://', 'http://corp%20user:p%40ss%20word@') };
  await profile.keyring.states.patch(id, { expiresAt: Date.now() - 1000 });
  const headers = await runCli(['headers', id], { env });
  assert.equal(headers.code, 0, headers.stderr);
  assert.ok(authProxy.log.length >= 1);
  assert.ok(authProxy.log.every((e) => e.status === 200 && e.auth === `Basic ${Buffer.from('corp user:p@ss word').toString('base64')}`));
  assert.ok(!headers.stderr.includes('p@ss') && !headers.stderr.includes('p%40ss'));

  const wrong = await runCli(['connect', id, '--timeout', '10s'], { env: { ...proxied, HTTPS_PROXY: authProxy.url } });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, new RegExp(`Cannot reach ${escape(new URL(mcp.url).origin)}`));
  assert.ok(authProxy.log.some((e) => e.status === 407));
});

test(
  'a proxy refusing the tunnel (407) is named in the error',
  async () => {
    const wrong = await runCli(['connect', id, '--timeout', '10s'], { env: { ...proxied, HTTPS_PROXY: authProxy.url } });
    assert.match(wrong.stderr, /407/);
  },
);

test('disconnect revokes through the proxy', async () => {
  const result = await runCli(['disconnect', id], { env: proxied });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Revoked and deleted the stored tokens/);
  const [revocation] = as.to('revocation');
  assert.equal(revocation?.from, proxy.localAddress);
  assert.equal(as.stats.revocations, 1);
});

test('loopback servers are never proxied, even with HTTPS_PROXY and HTTP_PROXY set', async () => {
  const local = await startAuthServer();
  const localMcp = await startMcpServer({ auth: { issuer: local.issuer, jwksUri: local.jwksUri } });
  try {
    const env = { ...clean, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, BROWSER: scriptedBrowser };
    const entries = proxy.log.length;
    const added = await runCli(['add', localMcp.url, '--name', 'loopback'], { env });
    const connected = await runCli(['connect', added.stdout.trim(), '--timeout', '20s'], { env });
    assert.equal(connected.code, 0, connected.stderr);
    const bridge = await connectBridge(added.stdout.trim(), env);
    try {
      assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'direct' } })), 'direct');
    } finally {
      await bridge.close();
    }
    assert.equal(proxy.log.length, entries);
  } finally {
    await localMcp.close();
    await local.close();
  }
});
