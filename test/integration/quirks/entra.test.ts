// A Microsoft Entra ID–style authorization server: an issuer with a path
// (https://login.microsoftonline.com/<tenant>/v2.0, metadata appended to it), no
// dynamic registration, refresh tokens only with offline_access, and requests that
// carry RFC 8707 `resource` refused with invalid_target — tokens are for the app's
// own API instead. With `--no-resource`, sign-in and refresh work and no request
// carries `resource`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { secretNames } from '../../../main/core/vault/secrets';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../../helpers/mcp-server';
import { runCli, scriptedBrowser } from '../../helpers/run-cli';
import { startQuirkyAuthServer, type QuirkyAuthServer } from '../../helpers/quirks/oidc';

const CLIENT_ID = '9f1c2d3e-0000-4000-8000-00000000e17a';

let as: QuirkyAuthServer;
let mcp: McpTestServer | undefined;
let profile: KeyringEnv;
let env: NodeJS.ProcessEnv;

before(async () => {
  as = await startQuirkyAuthServer({
    issuerPath: '/7d1c0000-tenant/v2.0',
    resourceStyle: 'entra-reject',
    discovery: 'oidc-only',
    registration: false,
    refreshTokens: 'offline_access',
    // Tokens are for the app registration's API, which here is the MCP server.
    defaultResource: () => mcp?.url,
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
  });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: `${as.issuer}/jwks` } });
  profile = await createKeyringEnv('quirks-entra');
  env = { ...profile.env, BROWSER: scriptedBrowser };
});
after(async () => {
  await profile.cleanup();
  await mcp?.close();
  await as.close();
});

const cli = (args: string[]) => runCli(args, { env });

test('metadata under the issuer path is found (…/<tenant>/v2.0/.well-known/openid-configuration)', async () => {
  const preview = await profile.keyring.preview(mcp!.url);
  assert.equal(preview.authorizationServer, as.issuer);
  assert.equal(preview.registration, 'needs-client-id');
  assert.ok(as.requests.some((r) => r.endpoint === 'discovery' && r.path === '/.well-known/openid-configuration' && r.method === 'GET'));
});

test('with resource (the default), Entra refuses the sign-in with invalid_target and nothing is stored', async () => {
  const added = await cli(['add', mcp!.url, '--name', 'Entra default', '--client-id', CLIENT_ID]);
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  const result = await cli(['connect', id, '--timeout', '20s']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /The authorization server answered invalid_target: AADSTS9010010/);
  assert.equal(as.to('authorization').at(-1)?.params.resource, mcp!.url);
  assert.equal(as.stats.invalidTarget, 1);
  assert.deepEqual((await profile.secrets()).filter((s) => s.account.startsWith(`server/${id}/`)), []);
});

test(
  'the invalid_target error suggests --no-resource',
  async () => {
    const result = await cli(['connect', 'entra-default', '--timeout', '20s']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--no-resource/);
  },
);

test('--no-resource: sign-in, bridged calls and refresh work, and no request carries resource', async () => {
  const invalidTargetBefore = as.stats.invalidTarget;
  const requestsBefore = as.requests.length;
  const added = await cli(['add', mcp!.url, '--name', 'Entra', '--client-id', CLIENT_ID, '--no-resource']);
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  const connected = await cli(['connect', id, '--timeout', '20s']);
  assert.equal(connected.code, 0, connected.stderr);
  const state = await profile.keyring.states.read(id);
  assert.equal(state.hasRefreshToken, true, 'offline_access was asked for (scopes_supported lists it)');

  const bridge = await connectBridge(id, env);
  try {
    const who = JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(who.aud, mcp!.url);
    assert.equal(who.client_id, CLIENT_ID);
  } finally {
    await bridge.close();
  }
  // A token the server rejects makes the next bridge refresh (without resource) and retry.
  await profile.keyring.vault.set(secretNames.accessToken(id), 'rejected-token');
  const second = await connectBridge(id, env);
  try {
    assert.equal(text(await second.client.callTool({ name: 'echo', arguments: { text: 'refreshed' } })), 'refreshed');
  } finally {
    await second.close();
  }
  assert.equal(as.stats.refreshGrants, 1);

  const sent = as.requests.slice(requestsBefore).filter((r) => r.endpoint === 'authorization' || r.endpoint === 'token');
  assert.deepEqual(
    sent.map((r) => r.params.grant_type ?? 'authorize'),
    ['authorize', 'authorization_code', 'refresh_token'],
  );
  for (const request of sent) assert.equal(request.params.resource, undefined, `${request.endpoint} carried resource`);
  assert.equal(as.stats.invalidTarget, invalidTargetBefore);
});
