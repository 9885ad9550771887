// The composition root (Keyring) owns what used to be process-wide: who is acting
// (recorded in history and "last refreshed by") and the one fetch every outbound
// request goes through (discovery, registration, token, revocation, browserless
// grants), which a process can replace (the app could pass Electron's net.fetch).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { actorLabel } from '../../main/core/actor';
import { readHistory } from '../../main/core/history/history';
import type { NodeFetch } from '../../main/core/http/node-fetch';
import { createOutboundFetch } from '../../main/core/http/outbound';
import { Keyring } from '../../main/core/keyring';
import { keyringPaths } from '../../main/core/paths';
import { addBrowserlessServer } from '../../main/core/browserless-servers';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { recordingBrowser } from '../helpers/quirks/common';
import { startMcpHost, type McpHost } from '../helpers/quirks/mcp-host';
import { startMachineAuthServer, type RunningOidc } from '../helpers/quirks/machine-oidc';
import { canary } from '../hostile/harness';

let as: AuthServer;
let mcp: McpTestServer;
let machineAs: RunningOidc;
let machineMcp: McpHost;
let profile: KeyringEnv;

before(async () => {
  [as, machineAs] = await Promise.all([startAuthServer({ accessTokenTTL: 300 }), startMachineAuthServer({ clientAuthMethods: ['client_secret_basic'] })]);
  [mcp, machineMcp] = await Promise.all([
    startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } }),
    startMcpHost({ auth: { issuer: machineAs.issuer, jwks: machineAs.jwks }, resourceMetadata: { authorizationServers: [machineAs.issuer] } }),
  ]);
  profile = await createKeyringEnv('composition-root');
});
after(async () => {
  await profile.cleanup();
  await Promise.all([mcp, as, machineMcp, machineAs].map((s) => s.close()));
});

/** A fetch that records "METHOD origin/path" of every request, then sends it with the core's own fetch. */
function recordingFetch(): { fetch: NodeFetch; seen: string[] } {
  const real = createOutboundFetch();
  const seen: string[] = [];
  const fetch: NodeFetch = (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
    seen.push(`${init?.method ?? 'GET'} ${url.origin}${url.pathname}`);
    return real(input, init);
  };
  return { fetch, seen };
}

test('the actor and the fetch given to the Keyring are the ones discovery, registration, sign-in, history and disconnect use', async () => {
  const { fetch, seen } = recordingFetch();
  const actor = actorLabel('composition-test');
  const keyring = new Keyring({ home: profile.home, service: profile.service, actor, fetch });

  // Discovery alone (the window's preview): the probe and both metadata documents.
  const preview = await keyring.preview(mcp.url);
  assert.equal(preview.protection, 'oauth');
  assert.equal(preview.authorizationServer, as.issuer);
  assert.ok(seen.includes(`POST ${new URL(mcp.url).origin}${new URL(mcp.url).pathname}`), `the probe went through the injected fetch: ${seen.join(', ')}`);
  assert.ok(seen.some((line) => line.startsWith(`GET ${new URL(mcp.url).origin}/.well-known/oauth-protected-resource`)), `the resource metadata went through the injected fetch: ${seen.join(', ')}`);
  assert.ok(seen.some((line) => line.startsWith(`GET ${new URL(as.issuer).origin}/.well-known/`)), `the AS metadata went through the injected fetch: ${seen.join(', ')}`);

  const server = await keyring.add({ url: mcp.url, name: 'composed' });
  seen.length = 0;
  const registrations = as.stats.registrations;
  const state = await keyring.connect(server.id, recordingBrowser().signIn);
  assert.equal(state.status, 'connected');
  assert.equal(state.lastRefreshBy, actor);
  assert.equal(as.stats.registrations, registrations + 1, 'sign-in registered a client');
  const asOrigin = new URL(as.issuer).origin;
  const toAs = seen.filter((line) => line.startsWith(`POST ${asOrigin}`));
  // Dynamic registration and the code exchange: two POSTs to the AS, both through the injected fetch.
  assert.ok(toAs.some((line) => /reg/.test(line)), `the registration went through the injected fetch: ${seen.join(', ')}`);
  assert.ok(toAs.some((line) => /token/.test(line)), `the code exchange went through the injected fetch: ${seen.join(', ')}`);

  const revocations = as.stats.revocations;
  const result = await keyring.disconnect(server.id);
  assert.equal(result.revoked, true, result.revokeError);
  assert.equal(as.stats.revocations, revocations + 1);
  assert.ok(seen.some((line) => line.startsWith('POST ') && /revo/.test(line)), `the revocation went through the injected fetch: ${seen.join(', ')}`);

  const history = readHistory(keyring.registry.paths, server.id);
  for (const kind of ['added', 'signed-in', 'revoked'] as const) {
    assert.equal(history.find((event) => event.kind === kind)?.by, actor, `${kind} is recorded as ${actor}`);
  }
  // A Keyring built without an actor does not inherit this one: there is no process-wide role any more.
  assert.notEqual(profile.keyring.actor, actor);
});

test('a browserless grant (client_credentials) discovers and asks for its token through the Keyring fetch only', async () => {
  const secret = canary('composition-cc');
  await machineAs.registerClient({ client_id: 'composition-cc', client_secret: secret, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'mcp:tools' });
  const { fetch, seen } = recordingFetch();
  // Built from its paths (the other way to say where its files are): the same profile as profile.keyring.
  const keyring = new Keyring({ paths: keyringPaths(profile.home), service: profile.service, fetch });
  const { server } = await addBrowserlessServer(keyring, {
    url: machineMcp.url,
    id: 'composed-cc',
    auth: { kind: 'oauth', sendResource: true, clientId: 'composition-cc', grant: { type: 'client-credentials', credential: 'client-secret' } },
    clientSecret: secret,
  });
  const tokenRequests = machineAs.tokenRequests.length;
  const state = await keyring.connect(server.id, recordingBrowser().signIn);
  assert.equal(state.status, 'connected');
  assert.equal((await profile.keyring.states.read(server.id)).status, 'connected', 'the paths given are the profile the default Keyring reads');
  assert.equal(machineAs.tokenRequests.length, tokenRequests + 1);
  assert.equal(machineAs.tokenRequests.at(-1)!.grantType, 'client_credentials');
  const asOrigin = new URL(machineAs.issuer).origin;
  assert.ok(seen.some((line) => line.startsWith(`POST ${new URL(machineMcp.url).origin}`)), `the probe went through the injected fetch: ${seen.join(', ')}`);
  assert.ok(seen.some((line) => line.startsWith(`GET ${asOrigin}/.well-known/`)), `the AS metadata went through the injected fetch: ${seen.join(', ')}`);
  assert.equal(seen.filter((line) => line.startsWith(`POST ${asOrigin}`)).length, 1, `the token request went through the injected fetch: ${seen.join(', ')}`);

  // Renewal (the token manager's path, from the cached metadata) goes the same way.
  seen.length = 0;
  await keyring.states.patch(server.id, { expiresAt: Date.now() - 1000 });
  await keyring.tokens.getAccessToken(server);
  assert.equal(machineAs.tokenRequests.length, tokenRequests + 2);
  assert.deepEqual(seen.filter((line) => line.startsWith(`POST ${asOrigin}`)).length, 1, `the renewal went through the injected fetch: ${seen.join(', ')}`);
});
