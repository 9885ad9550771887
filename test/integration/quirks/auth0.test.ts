// An Auth0-style authorization server: only OpenID Connect discovery (no RFC 8414
// document), no dynamic client registration (the user registers an app and gives
// its client id and secret), the non-standard `audience` parameter choosing the API
// a token is for, and refresh tokens only when offline_access is asked for — which
// MCP Keyring does only when scopes_supported lists it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { isKeyringError } from '../../../main/core/errors';
import { secretNames } from '../../../main/core/vault/secrets';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { runCli, scriptedBrowser } from '../../helpers/run-cli';
import { filesContaining, recordingBrowser } from '../../helpers/quirks/common';
import { startMcpHost, type McpHost } from '../../helpers/quirks/mcp-host';
import { MCP_SCOPES, startQuirkyAuthServer, type QuirkyAuthServer, type QuirkyProviderOptions } from '../../helpers/quirks/oidc';

const AUDIENCE = 'https://api.quirks.test/mcp';
const CLIENT_ID = 'auth0-native-app';
const CLIENT_SECRET = `auth0-secret-${randomBytes(16).toString('hex')}`;

const auth0Client = {
  client_id: CLIENT_ID,
  client_secret: CLIENT_SECRET,
  token_endpoint_auth_method: 'client_secret_post',
  application_type: 'native',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};
const auth0Style: QuirkyProviderOptions = { resourceStyle: 'auth0-audience', discovery: 'oidc-only', registration: false, refreshTokens: 'offline_access', clients: [auth0Client] };

let as: QuirkyAuthServer;
let host: McpHost;
/** The same tenant, but scopes_supported does not list offline_access. */
let asNoOffline: QuirkyAuthServer;
let hostNoOffline: McpHost;
let profile: KeyringEnv;
let env: NodeJS.ProcessEnv;

before(async () => {
  [as, asNoOffline] = await Promise.all([
    startQuirkyAuthServer(auth0Style),
    // Without offline_access the app cannot have the refresh_token grant (oidc-provider refuses the combination).
    startQuirkyAuthServer({ ...auth0Style, scopes: MCP_SCOPES, clients: [{ ...auth0Client, grant_types: ['authorization_code'] }] }),
  ]);
  const hostFor = (server: QuirkyAuthServer) =>
    startMcpHost({ auth: { issuer: server.issuer, jwks: server.jwks, audience: AUDIENCE }, resourceMetadata: { authorizationServers: [server.issuer] } });
  [host, hostNoOffline] = await Promise.all([hostFor(as), hostFor(asNoOffline)]);
  profile = await createKeyringEnv('quirks-auth0');
  env = { ...profile.env, BROWSER: scriptedBrowser };
});
after(async () => {
  await profile.cleanup();
  await Promise.all([host, hostNoOffline, as, asNoOffline].map((s) => s.close()));
});

async function cli(args: string[], input?: string) {
  return runCli(args, { env, ...(input === undefined ? {} : { input }) });
}

test('discovery: OIDC metadata only, no registration endpoint → a client id is needed', async () => {
  const preview = await profile.keyring.preview(host.url);
  assert.equal(preview.protection, 'oauth');
  assert.equal(preview.authorizationServer, as.issuer);
  assert.equal(preview.registration, 'needs-client-id');
  const discovery = as.to('discovery').map((r) => r.path);
  assert.ok(discovery.includes('/.well-known/oauth-authorization-server'), 'RFC 8414 was tried first');
  assert.ok(discovery.includes('/.well-known/openid-configuration'), 'then OpenID Connect discovery');

  const server = await profile.keyring.add({ url: host.url, name: 'no client id' });
  await assert.rejects(profile.keyring.connect(server.id, recordingBrowser().signIn), (error: unknown) => {
    assert.ok(isKeyringError(error, 'registration-required'));
    assert.match(error.message, /does not offer dynamic client registration: register an app there .* \(--client-id\)/);
    return true;
  });
  await profile.keyring.remove(server.id);
});

let id: string;

test('add --client-id --client-secret --audience: the secret goes to the keychain, never to a file', async () => {
  const added = await cli(['add', host.url, '--name', 'Auth0 API', '--client-id', CLIENT_ID, '--client-secret', '--audience', AUDIENCE], `${CLIENT_SECRET}\n`);
  assert.equal(added.code, 0, added.stderr);
  id = added.stdout.trim();
  const [server] = (await profile.keyring.registry.list()).filter((s) => s.id === id);
  assert.deepEqual(server?.auth, { kind: 'oauth', clientId: CLIENT_ID, audience: AUDIENCE, sendResource: true });
  assert.deepEqual(
    (await profile.secrets()).filter((s) => s.account.startsWith(`server/${id}/`)),
    [{ account: secretNames.userClientSecret(id), password: CLIENT_SECRET }],
  );
  assert.deepEqual(await filesContaining(profile.home, CLIENT_SECRET), []);
  assert.ok(!added.stdout.includes(CLIENT_SECRET) && !added.stderr.includes(CLIENT_SECRET));
});

test('connect sends audience on the authorization and token requests, asks for offline_access, and gets a refresh token', async () => {
  const connected = await cli(['connect', id, '--timeout', '20s']);
  assert.equal(connected.code, 0, connected.stderr);
  assert.ok(!connected.stderr.includes(CLIENT_SECRET));

  const [authorization] = as.to('authorization');
  assert.equal(authorization?.params.audience, AUDIENCE);
  assert.equal(authorization?.params.client_id, CLIENT_ID);
  assert.deepEqual(new Set(authorization?.params.scope?.split(' ')), new Set(['mcp:tools', 'offline_access']));
  assert.equal(authorization?.params.prompt, 'consent', 'offline_access needs consent at Auth0 and oidc-provider');

  const [code] = as.to('token');
  assert.equal(code?.params.grant_type, 'authorization_code');
  assert.equal(code?.params.audience, AUDIENCE);
  assert.equal(code?.params.client_id, CLIENT_ID);
  assert.equal(code?.params.client_secret, CLIENT_SECRET, 'client_secret_post with the secret from the keychain');

  const state = await profile.keyring.states.read(id);
  assert.equal(state.status, 'connected');
  assert.equal(state.hasRefreshToken, true);
  const accounts = (await profile.secrets()).filter((s) => s.account.startsWith(`server/${id}/`)).map((s) => s.account).sort();
  assert.deepEqual(accounts, [secretNames.accessToken(id), secretNames.refreshToken(id), secretNames.userClientSecret(id)].sort());

  // The token is for the audience (the API), not for the URL sent as `resource` (ignored, as by Auth0).
  const bridge = await connectBridge(id, env);
  try {
    const who = JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(who.aud, AUDIENCE);
    assert.equal(who.client_id, CLIENT_ID);
    assert.equal(who.sub, 'alice');
  } finally {
    await bridge.close();
  }
});

test('refresh sends audience and the client secret again', async () => {
  const before = await profile.keyring.vault.get(secretNames.accessToken(id));
  await profile.keyring.states.patch(id, { expiresAt: Date.now() - 1_000 });
  const headers = await cli(['headers', id]);
  assert.equal(headers.code, 0, headers.stderr);
  const after = await profile.keyring.vault.get(secretNames.accessToken(id));
  assert.notEqual(after, before);
  assert.deepEqual(JSON.parse(headers.stdout), { Authorization: `Bearer ${after}` });
  const refresh = as.to('token').find((r) => r.params.grant_type === 'refresh_token');
  assert.equal(refresh?.params.audience, AUDIENCE);
  assert.equal(refresh?.params.client_secret, CLIENT_SECRET);
  assert.equal(as.stats.refreshGrants, 1);
  for (const secret of [CLIENT_SECRET, after!]) assert.deepEqual(await filesContaining(profile.home, secret), []);
});

test('scopes_supported without offline_access: it is not asked for, and there is no refresh token', async () => {
  const browser = recordingBrowser();
  const server = await profile.keyring.add({
    url: hostNoOffline.url,
    name: 'Auth0 no offline',
    auth: { kind: 'oauth', clientId: CLIENT_ID, audience: AUDIENCE, sendResource: true },
    clientSecret: CLIENT_SECRET,
  });
  const state = await profile.keyring.connect(server.id, browser.signIn);
  assert.deepEqual(browser.last().get('scope'), 'mcp:tools');
  assert.equal(browser.last().get('prompt'), null);
  assert.equal(browser.last().get('audience'), AUDIENCE);
  assert.equal(state.hasRefreshToken, false);
  assert.equal(await profile.keyring.vault.get(secretNames.refreshToken(server.id)), null);
  const bridge = await connectBridge(server.id, env);
  try {
    assert.equal(JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} }))).aud, AUDIENCE);
  } finally {
    await bridge.close();
  }
});

test(
  'disconnect revokes with the client secret; connect works again afterwards (the client secret survives)',
  async () => {
    const result = await cli(['disconnect', id]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Revoked and deleted the stored tokens/);
    const revocation = as.to('revocation').at(-1);
    assert.equal(revocation?.params.token_type_hint, 'refresh_token');
    assert.equal(revocation?.params.client_secret, CLIENT_SECRET);
    assert.equal(as.stats.revocations, 1);
    // The server is still configured with its client: its secret must still be there.
    assert.equal(await profile.keyring.vault.get(secretNames.userClientSecret(id)), CLIENT_SECRET);
    const again = await cli(['connect', id, '--timeout', '20s']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(as.to('token').at(-1)?.params.client_secret, CLIENT_SECRET);
  },
);
