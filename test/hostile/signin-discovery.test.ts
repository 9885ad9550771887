// Issue 7, class 8: URLs a server chooses. A 401 challenge, resource metadata and
// authorization-server metadata name URLs MCP Keyring would fetch; none may send
// it to another origin on this computer (resource_metadata), and a public server
// may not send it to this computer or a private network at all. Discovery never
// carries a stored credential. The real CLI runs each case (measured); trap
// servers prove nothing was fetched from where it must not be.
// "Public" hosts are names (mcp.hostile.test, as.hostile.test) that only a real
// forward proxy resolves, to https servers on 127.0.0.1 (HTTPS_PROXY +
// NODE_EXTRA_CA_CERTS), so to the CLI they are hosts on the internet.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { secretNames } from '../../main/core/vault/secrets';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startForwardProxy, type ForwardProxy } from '../helpers/quirks/forward-proxy';
import { createTestCertificates, type TestCertificates } from '../helpers/quirks/tls';
import { assertBounded, assertNoLeak, canary, runMeasured, startTrapServer, type TrapServer } from './harness';
import { startHttpsHost, type HttpsHost } from './signin-helpers';

const MCP_HOST = 'mcp.hostile.test';
const AS_HOST = 'as.hostile.test';
const PROXY_ENV = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'all_proxy', 'ALL_PROXY', 'NODE_EXTRA_CA_CERTS'];

let profile: KeyringEnv;
let trap: TrapServer;
let certs: TestCertificates;
let proxy: ForwardProxy;
let host: HttpsHost;
let proxied: NodeJS.ProcessEnv;
/** What the https host serves at as.hostile.test's metadata URL (set per test). */
let asMetadata: (origin: string) => Record<string, unknown> = () => ({});
/** The authorization_servers of mcp.hostile.test's resource metadata (set per test). */
let authorizationServers: string[] = [];

before(async () => {
  profile = await createKeyringEnv('hostile-discovery');
  trap = await startTrapServer();
  certs = await createTestCertificates([MCP_HOST, AS_HOST]);
  proxy = await startForwardProxy({ hosts: { [MCP_HOST]: '127.0.0.1', [AS_HOST]: '127.0.0.1' } });
  host = await startHttpsHost(certs, (hostHeader, method, path) => {
    const origin = `https://${hostHeader}`;
    if (hostHeader.startsWith(MCP_HOST) && method === 'POST' && path === '/mcp') {
      return { status: 401, headers: { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"` } };
    }
    if (hostHeader.startsWith(MCP_HOST) && path === '/.well-known/oauth-protected-resource/mcp') {
      return { body: { resource: `${origin}/mcp`, authorization_servers: authorizationServers } };
    }
    if (hostHeader.startsWith(AS_HOST) && path === '/.well-known/oauth-authorization-server') {
      return { body: asMetadata(origin) };
    }
    return undefined;
  });
  const clean = Object.fromEntries(Object.entries(profile.env).filter(([k]) => !PROXY_ENV.includes(k)));
  proxied = { ...clean, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.caFile };
});
after(async () => {
  await profile?.cleanup();
  await trap?.close();
  await host?.close();
  await proxy?.close();
  await certs?.cleanup();
});

/** A server entry whose keychain already holds a token, so a leak of it would show. */
async function addWithPlantedToken(url: string, name: string): Promise<{ id: string; token: string }> {
  const server = await profile.keyring.add({ url, name });
  const token = canary('planted-token');
  await profile.keyring.vault.set(secretNames.accessToken(server.id), token);
  return { id: server.id, token };
}

function connect(id: string, env: NodeJS.ProcessEnv = profile.env) {
  return runMeasured(['connect', id, '--timeout', '10s'], { env, timeoutMs: 40_000 });
}

test('resource_metadata pointing at another port on this computer is not fetched; discovery carries no credential', async () => {
  const mcp = await startTrapServer((_req, res) => {
    res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${trap.origin}/internal/admin?delete=1"` }).end();
  });
  try {
    const { id, token } = await addWithPlantedToken(`${mcp.origin}/mcp`, 'ssrf-port');
    const run = await connect(id);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`points at resource metadata on another origin \\(${trap.origin.replace(/[.]/g, '\\.')}\\); MCP Keyring reads it only from ${mcp.origin.replace(/[.]/g, '\\.')}, so it did not fetch it`));
    assertBounded(run, { maxRssMb: 200 });
    assert.deepEqual(trap.seen, [], 'nothing reached the other port');
    assert.ok(mcp.seen.length >= 1, 'the MCP server was probed');
    for (const req of mcp.seen) assert.equal(req.headers.authorization, undefined, 'the probe carries no credential');
    await assertNoLeak([token], { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap, mcp] });
  } finally {
    await mcp.close();
  }
});

test('a public MCP server naming an authorization server on this computer is refused before anything is fetched from it', async () => {
  authorizationServers = [`${trap.origin}/admin`];
  const { id, token } = await addWithPlantedToken(`https://${MCP_HOST}:${host.port}/mcp`, 'public-to-loopback');
  const before = host.requests.length;
  const run = await connect(id, proxied);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`Refusing the authorization server ${trap.origin.replace(/[.]/g, '\\.')}: it is on this computer, but it was named by https://${MCP_HOST.replace(/[.]/g, '\\.')}:${host.port}, which is not; MCP Keyring did not contact it`));
  assertBounded(run, { maxRssMb: 200 });
  assert.deepEqual(trap.seen, []);
  assert.deepEqual(host.requests.slice(before), [`POST https://${MCP_HOST}:${host.port}/mcp`, `GET https://${MCP_HOST}:${host.port}/.well-known/oauth-protected-resource/mcp`], 'discovery stopped there');
  await assertNoLeak([token], { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });

  authorizationServers = ['https://10.0.0.1/tenant'];
  const lan = await connect(id, proxied);
  assert.equal(lan.code, 1);
  assert.match(lan.stderr, /Refusing the authorization server https:\/\/10\.0\.0\.1: it is on a private network/);
  assert.equal(proxy.tunnelsTo('10.0.0.1'), 0, 'not even a tunnel was opened to it');
});

test('a public authorization server whose endpoints point at this computer is refused before registration or a token request', async () => {
  authorizationServers = [`https://${AS_HOST}:${host.port}`];
  asMetadata = (origin) => ({
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${trap.origin}/token`,
    registration_endpoint: `${trap.origin}/internal/admin?delete=1`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  });
  const { id, token } = await addWithPlantedToken(`https://${MCP_HOST}:${host.port}/mcp`, 'public-as-loopback-endpoints');
  const run = await connect(id, proxied);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`Refusing the token_endpoint ${trap.origin.replace(/[.]/g, '\\.')}: it is on this computer, but it was named by https://${AS_HOST.replace(/[.]/g, '\\.')}:${host.port}`));
  assertBounded(run, { maxRssMb: 200 });
  assert.deepEqual(trap.seen, [], 'neither registration nor a token request reached it');
  await assertNoLeak([token], { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
});
