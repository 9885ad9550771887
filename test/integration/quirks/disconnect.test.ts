// Disconnect: RFC 7009 revocation where the authorization server has an endpoint
// (and the revoked grant really stops working), and when revocation cannot happen
// — the server is down, has no endpoint, or refuses — the reason is reported
// (DisconnectResult.revokeError, the CLI's "Could not revoke…" line) while the
// local secrets are deleted all the same.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { secretNames } from '../../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../../helpers/auth-server';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../../helpers/mcp-server';
import { runCli } from '../../helpers/run-cli';
import { recordingBrowser } from '../../helpers/quirks/common';
import { startQuirkyAuthServer, type QuirkyAuthServer } from '../../helpers/quirks/oidc';

let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;
const closers: Array<{ close(): Promise<void> }> = [];

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 300 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('quirks-disconnect');
});
after(async () => {
  await profile.cleanup();
  await Promise.all([mcp, as, ...closers].map((s) => s.close()));
});

async function connected(name: string, url: string) {
  const server = await profile.keyring.add({ url, name });
  await profile.keyring.connect(server.id, recordingBrowser().signIn);
  return server;
}

const serverSecrets = async (id: string) => (await profile.secrets()).filter((s) => s.account.startsWith(`server/${id}/`));

/** A refresh_token grant straight at the token endpoint, as the registered public client. */
async function tryRefresh(tokenEndpoint: string, clientId: string, refreshToken: string) {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
  });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

test('revocation: the refresh token is revoked at the AS and really stops working', async () => {
  const server = await connected('revocable', mcp.url);
  const refreshToken = (await profile.keyring.vault.get(secretNames.refreshToken(server.id)))!;
  const clientId = (await profile.keyring.view(server)).state.clientId!;
  const revocations = as.stats.revocations;

  const result = await runCli(['disconnect', server.id], { env: profile.env });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^Revoked and deleted the stored tokens\.$/m);
  assert.doesNotMatch(result.stderr, /Could not revoke/);
  assert.equal(as.stats.revocations, revocations + 1);
  assert.deepEqual(await serverSecrets(server.id), []);
  const view = await profile.keyring.view(server);
  assert.equal(view.status, 'not-connected');
  assert.equal(view.state.lastError, null);

  const replay = await tryRefresh(as.tokenEndpoint, clientId, refreshToken);
  assert.equal(replay.status, 400);
  assert.equal(replay.body.error, 'invalid_grant', 'the grant is gone at the authorization server');
});

test('the AS is down at disconnect time: the failure is reported and the local secrets are deleted anyway', async () => {
  const doomed = await startAuthServer({ accessTokenTTL: 300 });
  const doomedMcp = await startMcpServer({ auth: { issuer: doomed.issuer, jwksUri: doomed.jwksUri } });
  closers.push(doomedMcp);
  const viaApi = await connected('down-api', doomedMcp.url);
  const viaCli = await connected('down-cli', doomedMcp.url);
  await doomed.close();

  const result = await profile.keyring.disconnect(viaApi.id);
  assert.equal(result.revoked, false);
  assert.match(result.revokeError ?? '', new RegExp(`Cannot reach ${doomed.issuer.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
  assert.deepEqual(await serverSecrets(viaApi.id), []);
  const view = await profile.keyring.view(viaApi);
  assert.equal(view.status, 'not-connected');
  assert.equal(view.state.lastError, result.revokeError, 'the reason stays visible in the status');

  const cli = await runCli(['disconnect', viaCli.id], { env: profile.env });
  assert.equal(cli.code, 0, 'the disconnect itself succeeded');
  assert.match(cli.stderr, new RegExp(`Could not revoke at the authorization server: Cannot reach ${doomed.issuer.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
  assert.match(cli.stderr, /^Deleted the stored tokens\.$/m);
  assert.deepEqual(await serverSecrets(viaCli.id), []);
});

test('no revocation endpoint: said so, tokens deleted', async () => {
  const noRevocation: QuirkyAuthServer = await startQuirkyAuthServer({ revocation: false });
  const host = await startMcpServer({ auth: { issuer: noRevocation.issuer, jwksUri: `${noRevocation.issuer}/jwks` } });
  closers.push(host, noRevocation);
  const server = await connected('no-revocation', host.url);
  const cli = await runCli(['disconnect', server.id], { env: profile.env });
  assert.equal(cli.code, 0);
  assert.match(cli.stderr, /Could not revoke at the authorization server: http:\/\/127\.0\.0\.1:\d+ has no revocation endpoint; the tokens were deleted here and expire on their own/);
  assert.equal(noRevocation.to('revocation').length, 0);
  assert.deepEqual(await serverSecrets(server.id), []);
});

let forgottenSecond: { id: string } | undefined;

test('the AS refuses the revocation (it forgot our client): reported, and the local secrets are deleted', async () => {
  const forgetful = await startAuthServer({ accessTokenTTL: 300 });
  const host = await startMcpServer({ auth: { issuer: forgetful.issuer, jwksUri: forgetful.jwksUri } });
  closers.push(host, forgetful);
  const server = await connected('forgotten-client', host.url);
  forgottenSecond = await connected('forgotten-client-2', host.url);
  await forgetful.forgetClients();
  const result = await profile.keyring.disconnect(server.id);
  assert.equal(result.revoked, false);
  assert.ok(result.revokeError, 'a reason is given');
  assert.deepEqual(await serverSecrets(server.id), []);
});

test(
  'the AS refuses the revocation: the report names its error (invalid_client)',
  async () => {
    const result = await profile.keyring.disconnect(forgottenId());
    assert.match(result.revokeError ?? '', /invalid_client/, `revokeError: ${result.revokeError}`);
  },
);

function forgottenId(): string {
  assert.ok(forgottenSecond, 'set up by the previous test');
  return forgottenSecond.id;
}

test('remove revokes, then forgets the server and every secret of it', async () => {
  const server = await connected('removable', mcp.url);
  const revocations = as.stats.revocations;
  const result = await profile.keyring.remove(server.id);
  assert.deepEqual(result, { revoked: true });
  assert.equal(as.stats.revocations, revocations + 1);
  assert.deepEqual(await serverSecrets(server.id), []);
  assert.ok(!(await profile.keyring.registry.list()).some((s) => s.id === server.id));
});
