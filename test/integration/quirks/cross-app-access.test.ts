// Enterprise-managed authorization (cross-app access): a real oidc-provider
// identity provider that issues ID-JAGs through the RFC 8693 token exchange, two
// oidc-provider MCP authorization servers that accept them with the RFC 7523
// jwt-bearer grant, and two real SDK MCP servers. One sign-in at the IdP (in the
// scripted browser), then both MCP servers get tokens with no browser at all —
// through the built CLI, and the bridges use them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IdpStore } from '../../../main/core/idp/idp-store';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { runCli, scriptedBrowser } from '../../helpers/run-cli';
import { startMcpHost, type McpHost } from '../../helpers/quirks/mcp-host';
import { ID_JAG, ID_TOKEN, JWT_BEARER, startIdentityProvider, startMachineAuthServer, TOKEN_EXCHANGE, type RunningOidc } from '../../helpers/quirks/machine-oidc';
import { assertNoLeak, canary } from '../../hostile/harness';

const IDP_CLIENT = 'keyring-at-corp';
const asClients: Record<string, string> = {};
let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
let asA: RunningOidc;
let asB: RunningOidc;
let mcpA: McpHost;
let mcpB: McpHost;
let profile: KeyringEnv;
let noBrowser: NodeJS.ProcessEnv;
const secretA = canary('jag-client-a');

before(async () => {
  idp = await startIdentityProvider({ asClients });
  const trust = { issuer: idp.issuer, jwks: idp.jwks };
  [asA, asB] = await Promise.all([startMachineAuthServer({ idp: trust, clientAuthMethods: ['client_secret_basic'] }), startMachineAuthServer({ idp: trust })]);
  asClients[asA.issuer] = 'keyring-a';
  asClients[asB.issuer] = 'keyring-b';
  await idp.registerClient({
    client_id: IDP_CLIENT,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
  });
  await asA.registerClient({ client_id: 'keyring-a', client_secret: secretA, token_endpoint_auth_method: 'client_secret_basic', grant_types: [JWT_BEARER], response_types: [], redirect_uris: [] });
  await asB.registerClient({ client_id: 'keyring-b', token_endpoint_auth_method: 'none', grant_types: [JWT_BEARER], response_types: [], redirect_uris: [] });
  const host = (as: RunningOidc) => startMcpHost({ auth: { issuer: as.issuer, jwks: as.jwks }, resourceMetadata: { authorizationServers: [as.issuer] } });
  [mcpA, mcpB] = await Promise.all([host(asA), host(asB)]);
  profile = await createKeyringEnv('m2m-xaa');
  noBrowser = { ...profile.env, BROWSER: '/bin/false' };
});
after(async () => {
  await profile?.cleanup();
  await Promise.all([mcpA?.close(), mcpB?.close()]);
  await Promise.all([asA?.close(), asB?.close(), idp?.close()]);
});

async function whoami(id: string): Promise<Record<string, unknown>> {
  const bridge = await connectBridge(id, noBrowser);
  try {
    return JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
  } finally {
    await bridge.close();
  }
}

test('one IdP sign-in, then two MCP servers get tokens (ID-JAG + jwt-bearer) with no further browser visit', async () => {
  const added = await runCli(['idp', 'add', idp.issuer, '--client-id', IDP_CLIENT, '--id', 'corp', '--name', 'Corp SSO'], { env: noBrowser });
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout.trim(), 'corp');

  const signIn = await runCli(['idp', 'connect', 'corp', '--timeout', '20s'], { env: { ...profile.env, BROWSER: scriptedBrowser } });
  assert.equal(signIn.code, 0, signIn.stderr);
  assert.match(signIn.stderr, /Signed in as alice/);
  assert.deepEqual(idp.tokenRequests.map((r) => r.grantType), ['authorization_code']);

  const a = await runCli(['add', mcpA.url, '--idp', 'corp', '--client-id', 'keyring-a', '--client-secret', '--id', 'a'], { env: noBrowser, input: secretA });
  const b = await runCli(['add', mcpB.url, '--idp', 'corp', '--client-id', 'keyring-b', '--id', 'b'], { env: noBrowser });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const connectA = await runCli(['connect', 'a'], { env: noBrowser });
  const connectB = await runCli(['connect', 'b'], { env: noBrowser });
  assert.equal(connectA.code, 0, connectA.stderr);
  assert.equal(connectB.code, 0, connectB.stderr);

  // At the IdP: one sign-in, then one token exchange per server with the ID token as subject.
  const exchanges = idp.tokenRequests.filter((r) => r.grantType === TOKEN_EXCHANGE);
  assert.equal(idp.tokenRequests.filter((r) => r.grantType === 'authorization_code').length, 1);
  assert.equal(exchanges.length, 2);
  for (const [exchange, as, mcp] of [[exchanges[0]!, asA, mcpA], [exchanges[1]!, asB, mcpB]] as const) {
    assert.equal(exchange.status, 200);
    assert.equal(exchange.params.requested_token_type, ID_JAG);
    assert.equal(exchange.params.subject_token_type, ID_TOKEN);
    assert.equal(exchange.params.audience, as.issuer);
    assert.equal(exchange.params.resource, mcp.url);
    assert.equal(exchange.params.client_id, IDP_CLIENT);
  }
  // At each authorization server: the jwt-bearer grant with the ID-JAG.
  const grantA = asA.tokenRequests.at(-1)!;
  assert.equal(grantA.grantType, JWT_BEARER);
  assert.equal(grantA.clientAuth, 'basic');
  assert.equal(JSON.parse(Buffer.from(grantA.params.assertion!.split('.')[0]!, 'base64url').toString()).typ, 'oauth-id-jag+jwt');
  assert.equal(asB.tokenRequests.at(-1)!.grantType, JWT_BEARER);

  // The bridges call the servers as the signed-in user.
  const whoA = await whoami('a');
  const whoB = await whoami('b');
  assert.equal(whoA.sub, 'alice');
  assert.equal(whoA.aud, mcpA.url);
  assert.equal(whoB.sub, 'alice');
  assert.equal(whoB.aud, mcpB.url);

  const status = await runCli(['idp', 'status', '--json'], { env: noBrowser });
  const [corp] = JSON.parse(status.stdout);
  assert.equal(corp.session.status, 'signed-in');
  assert.equal(corp.session.subject, 'alice');
  assert.equal(corp.session.hasRefreshToken, true);

  const idToken = await profile.keyring.vault.get('idp/corp/id-token');
  const refreshToken = await profile.keyring.vault.get('idp/corp/refresh-token');
  assert.ok(idToken && refreshToken);
  await assertNoLeak([idToken, refreshToken, secretA], { dirs: [profile.home], outputs: [signIn.stdout, signIn.stderr, connectA.stderr, connectB.stderr, status.stdout] });
  // The MCP servers' authorization servers see the ID-JAG only, never the IdP's tokens.
  await assertNoLeak([idToken, refreshToken], { outputs: [...asA.tokenRequests, ...asB.tokenRequests].map((r) => JSON.stringify(r.params)) });
});

test('renewal asks the IdP and the AS again; an expired ID token is renewed with the IdP refresh token', async () => {
  const exchangesBefore = idp.tokenRequests.filter((r) => r.grantType === TOKEN_EXCHANGE).length;
  await profile.keyring.states.patch('a', { expiresAt: Date.now() - 1000 });
  // The ID token counts as expired too: the IdP refresh token renews it first.
  const store = new IdpStore(profile.keyring.registry.paths);
  const corp = await store.get('corp');
  await store.setSession('corp', { ...corp.session, expiresAt: Date.now() - 1000 });

  const headers = await runCli(['headers', 'a'], { env: noBrowser });
  assert.equal(headers.code, 0, headers.stderr);
  assert.match(JSON.parse(headers.stdout).Authorization, /^Bearer ey/);
  const grants = idp.tokenRequests.map((r) => r.grantType);
  assert.equal(grants.filter((g) => g === 'refresh_token').length, 1);
  assert.equal(grants.filter((g) => g === TOKEN_EXCHANGE).length, exchangesBefore + 1);
  assert.equal(grants.filter((g) => g === 'authorization_code').length, 1, 'no new browser sign-in');
  assert.equal(asA.tokenRequests.at(-1)!.grantType, JWT_BEARER);
});

test('sign-out: servers need the IdP again (clear message); an imported ID token brings them back', async () => {
  const idToken = (await profile.keyring.vault.get('idp/corp/id-token'))!;
  const out = await runCli(['idp', 'sign-out', 'corp'], { env: noBrowser });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(await profile.keyring.vault.get('idp/corp/id-token'), null);

  await profile.keyring.states.patch('b', { expiresAt: Date.now() - 1000 });
  const refused = await runCli(['headers', 'b'], { env: noBrowser });
  // Signed out, the headers helper still exits 0 with a placeholder the server refuses (see cli.ts).
  assert.equal(refused.code, 0, refused.stderr);
  assert.doesNotMatch(JSON.parse(refused.stdout).Authorization, /^Bearer ey/);
  assert.match(refused.stderr, /not signed in to Corp SSO.*mcp-keyring idp connect corp/);

  const wrong = await runCli(['idp', 'import-id-token', 'corp'], { env: noBrowser, input: 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL290aGVyLmV4YW1wbGUifQ.' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /issued by https:\/\/other\.example, not by/);

  assert.equal((await profile.keyring.states.read('b')).status, 'needs-sign-in');
  const imported = await runCli(['idp', 'import-id-token', 'corp'], { env: noBrowser, input: idToken });
  assert.equal(imported.code, 0, imported.stderr);
  // The servers that were waiting for the IdP connect again by themselves.
  assert.match(imported.stderr, /b: connected again\./);
  assert.equal((await profile.keyring.states.read('b')).status, 'connected');
  assert.equal((await whoami('b')).sub, 'alice');
  await assertNoLeak([idToken], { dirs: [profile.home], outputs: [imported.stdout, imported.stderr, refused.stderr, out.stderr] });

  const unknown = await runCli(['add', mcpA.url, '--idp', 'nope', '--client-id', 'x', '--id', 'nope'], { env: noBrowser });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No identity provider with id "nope"/);
});
