// Machine-to-machine servers (MCP client-credentials extension) against a real
// oidc-provider: the client_credentials grant with client_secret_basic,
// client_secret_post, and private_key_jwt (a key MCP Keyring generated and one
// imported from a PKCS#8 PEM), through the built CLI and the stdio bridge. No
// browser is ever involved; renewal asks again; the private key is never in a file.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { runCli } from '../../helpers/run-cli';
import { startMcpHost, type McpHost } from '../../helpers/quirks/mcp-host';
import { startMachineAuthServer, type RunningOidc } from '../../helpers/quirks/machine-oidc';
import { assertNoLeak, canary } from '../../hostile/harness';

let as: RunningOidc;
let postOnly: RunningOidc;
let mcp: McpHost;
let postMcp: McpHost;
let profile: KeyringEnv;
let env: NodeJS.ProcessEnv;

const machineClient = (clientId: string, extra: Record<string, unknown>) => ({
  client_id: clientId,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'mcp:tools mcp:admin',
  ...extra,
});

const host = (server: RunningOidc) =>
  startMcpHost({ auth: { issuer: server.issuer, jwks: server.jwks }, resourceMetadata: { authorizationServers: [server.issuer] } });

before(async () => {
  [as, postOnly] = await Promise.all([startMachineAuthServer({ clientAuthMethods: ['client_secret_basic', 'private_key_jwt'] }), startMachineAuthServer({ clientAuthMethods: ['client_secret_post', 'private_key_jwt'] })]);
  [mcp, postMcp] = await Promise.all([host(as), host(postOnly)]);
  profile = await createKeyringEnv('m2m-cc');
  // No BROWSER: these servers must never need one.
  env = { ...profile.env, BROWSER: '/bin/false' };
});
after(async () => {
  await profile?.cleanup();
  await Promise.all([mcp?.close(), postMcp?.close()]);
  await Promise.all([as?.close(), postOnly?.close()]);
});

async function whoami(id: string): Promise<Record<string, unknown>> {
  const bridge = await connectBridge(id, env);
  try {
    return JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} })));
  } finally {
    await bridge.close();
  }
}

test('client secret with client_secret_basic: add, connect without a browser, bridge, renewal by asking again', async () => {
  const secret = canary('cc-secret');
  await as.registerClient(machineClient('cc-basic', { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }));
  const added = await runCli(['add', mcp.url, '--client-credentials', '--client-id', 'cc-basic', '--client-secret', '--id', 'basic'], { env, input: `${secret}\n` });
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout.trim(), 'basic');

  const connected = await runCli(['connect', 'basic'], { env });
  assert.equal(connected.code, 0, connected.stderr);
  assert.doesNotMatch(connected.stderr, /browser/i);
  const first = as.tokenRequests.at(-1)!;
  assert.equal(first.grantType, 'client_credentials');
  assert.equal(first.clientAuth, 'basic');
  assert.equal(first.params.resource, mcp.url);
  assert.equal(first.params.scope, 'mcp:tools');
  assert.equal(first.status, 200);

  const who = await whoami('basic');
  assert.equal(who.sub, 'cc-basic');
  assert.equal(who.aud, mcp.url);

  // The token is due: any process asks again (no refresh token exists).
  const before = as.tokenRequests.length;
  await profile.keyring.states.patch('basic', { expiresAt: Date.now() - 1000 });
  const headers = await runCli(['headers', 'basic'], { env });
  assert.equal(headers.code, 0, headers.stderr);
  assert.match(JSON.parse(headers.stdout).Authorization, /^Bearer ey/);
  assert.equal(as.tokenRequests.length, before + 1);
  assert.equal(as.tokenRequests.at(-1)!.grantType, 'client_credentials');
  const view = await profile.keyring.view(await profile.keyring.registry.get('basic'));
  assert.equal(view.state.status, 'connected');
  assert.equal(view.state.hasRefreshToken, true, 'shown as renewing itself (it needs no one to renew)');
  assert.equal(view.status, 'connected', 'never "expiring": it renews itself');
  assert.equal((await profile.secrets()).find((s) => s.account === 'server/basic/refresh-token'), undefined, 'no refresh token exists');
  assert.ok(view.state.expiresAt! > Date.now());
  assert.ok(as.tokenRequests.every((r) => r.grantType === 'client_credentials'), 'only client_credentials requests');

  // Three processes find the token due at once: the per-server lock lets one ask, the others use its token.
  await profile.keyring.states.patch('basic', { expiresAt: Date.now() - 1000 });
  const racing = as.tokenRequests.length;
  const three = await Promise.all([1, 2, 3].map(() => runCli(['headers', 'basic'], { env })));
  for (const run of three) assert.equal(run.code, 0, run.stderr);
  assert.equal(as.tokenRequests.length, racing + 1, 'one token request for three processes');
  assert.equal(new Set(three.map((run) => JSON.parse(run.stdout).Authorization)).size, 1);

  await assertNoLeak([secret], { dirs: [profile.home], outputs: [added.stdout, added.stderr, connected.stdout, connected.stderr, headers.stderr] });
});

test('client secret where the authorization server takes client_secret_post only', async () => {
  const secret = canary('cc-post');
  await postOnly.registerClient(machineClient('cc-post', { client_secret: secret, token_endpoint_auth_method: 'client_secret_post' }));
  const added = await runCli(['add', postMcp.url, '--client-credentials', '--client-id', 'cc-post', '--client-secret', '--id', 'post'], { env, input: secret });
  assert.equal(added.code, 0, added.stderr);
  const connected = await runCli(['connect', 'post'], { env });
  assert.equal(connected.code, 0, connected.stderr);
  assert.equal(postOnly.tokenRequests.at(-1)!.clientAuth, 'post');
  assert.equal((await whoami('post')).sub, 'cc-post');
});

test('private_key_jwt with a generated key: the public JWK is shown, the private key stays in the keychain', async () => {
  const added = await runCli(['add', mcp.url, '--client-credentials', '--client-id', 'cc-generated', '--generate-key', '--id', 'generated'], { env });
  assert.equal(added.code, 0, added.stderr);
  const jwk = JSON.parse(added.stdout);
  assert.equal(jwk.kty, 'EC');
  assert.equal(jwk.crv, 'P-256');
  assert.equal(jwk.alg, 'ES256');
  assert.equal(jwk.d, undefined, 'no private part in the printed key');
  assert.match(added.stderr, /Register this public key/);

  const again = await runCli(['public-key', 'generated'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), jwk);

  // Before the key is registered the AS refuses; the message says what to check.
  await as.registerClient(machineClient('cc-generated', { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: jwk.x.replace(/^./, jwk.x[0] === 'A' ? 'B' : 'A'), y: jwk.y }] } }));
  const refused = await runCli(['connect', 'generated'], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refused the client credentials.*invalid_client.*public key registered/s);

  await as.registerClient(machineClient('cc-generated', { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [jwk] } }));
  const connected = await runCli(['connect', 'generated'], { env });
  assert.equal(connected.code, 0, connected.stderr);
  const request = as.tokenRequests.at(-1)!;
  assert.equal(request.clientAuth, 'jwt');
  assert.equal(request.params.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  const header = JSON.parse(Buffer.from(request.params.client_assertion!.split('.')[0]!, 'base64url').toString());
  assert.equal(header.alg, 'ES256');
  assert.equal((await whoami('generated')).sub, 'cc-generated');

  const stored = (await profile.secrets()).find((s) => s.account === 'server/generated/private-key');
  assert.ok(stored?.password.includes('BEGIN PRIVATE KEY'), 'the key is in the keychain');
  const body = stored!.password.split('\n').filter((line) => line && !line.startsWith('-----')).join('');
  await assertNoLeak([body, stored!.password.split('\n')[1]!], { dirs: [profile.home], outputs: [added.stdout, added.stderr, again.stdout, connected.stderr] });

  // Removing the server deletes the key too.
  const removed = await runCli(['remove', 'generated'], { env });
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await profile.secrets()).find((s) => s.account.startsWith('server/generated/')), undefined);
});

test('private_key_jwt with an imported PKCS#8 PEM (as the conformance suite hands it out)', async () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await as.registerClient(machineClient('cc-imported', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicKey.export({ format: 'jwk' })] } }));
  const added = await runCli(['add', mcp.url, '--client-credentials', '--client-id', 'cc-imported', '--private-key', '--signing-alg', 'ES256', '--id', 'imported'], { env, input: pem });
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout.trim(), 'imported');
  const connected = await runCli(['connect', 'imported'], { env });
  assert.equal(connected.code, 0, connected.stderr);
  assert.equal(as.tokenRequests.at(-1)!.clientAuth, 'jwt');
  assert.equal((await whoami('imported')).sub, 'cc-imported');
  const secretLine = pem.split('\n')[1]!;
  await assertNoLeak([secretLine], { dirs: [profile.home], outputs: [added.stdout, added.stderr, connected.stdout, connected.stderr] });

  // An RSA key cannot sign ES256: a clear error, and nothing is added.
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const wrong = await runCli(['add', mcp.url, '--client-credentials', '--client-id', 'x', '--private-key', '--signing-alg', 'ES256', '--id', 'wrong-alg'], { env, input: rsa });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /--signing-alg ES256 does not fit an RSA key/);
  const garbage = await runCli(['add', mcp.url, '--client-credentials', '--client-id', 'x', '--private-key', '--id', 'garbage'], { env, input: 'not a key' });
  assert.equal(garbage.code, 1);
  assert.match(garbage.stderr, /Expected a PEM private key/);
  const neither = await runCli(['add', mcp.url, '--client-credentials', '--client-id', 'x', '--id', 'neither'], { env });
  assert.equal(neither.code, 1);
  assert.match(neither.stderr, /exactly one of --client-secret/);
  const alone = await runCli(['add', mcp.url, '--client-id', 'x', '--generate-key', '--id', 'alone'], { env });
  assert.equal(alone.code, 1);
  assert.match(alone.stderr, /go with --client-credentials/);
  const header = await runCli(['add', mcp.url, '--header', 'X-Key', '--client-credentials', '--client-id', 'x', '--client-secret', '--id', 'header'], { env, input: 'k' });
  assert.equal(header.code, 1);
  assert.match(header.stderr, /does not go with --header or --no-auth/);
  const ids = (await profile.keyring.registry.list()).map((s) => s.id);
  for (const id of ['wrong-alg', 'garbage', 'neither', 'alone', 'header']) assert.ok(!ids.includes(id), `${id} was not added`);
});

test('a wrong client secret: connect fails with what to check, and no token is stored', async () => {
  await as.registerClient(machineClient('cc-wrong', { client_secret: 'the-right-one', token_endpoint_auth_method: 'client_secret_basic' }));
  const added = await runCli(['add', mcp.url, '--client-credentials', '--client-id', 'cc-wrong', '--client-secret', '--id', 'wrong'], { env, input: 'not-the-right-one' });
  assert.equal(added.code, 0, added.stderr);
  const connected = await runCli(['connect', 'wrong'], { env });
  assert.equal(connected.code, 1);
  assert.match(connected.stderr, /refused the client credentials of .*invalid_client.*check the client id and its secret/);
  assert.equal((await profile.secrets()).find((s) => s.account === 'server/wrong/access-token'), undefined);
});
