// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, in
// the MCP 2025-11-25 spec): the client id is an https URL whose JSON document
// describes the client, and an authorization server that says
// client_id_metadata_document_supported fetches it instead of asking for a
// registration. Here: oidc-provider's own implementation (features.clientIdMetadataDocument,
// draft-02), the document served over https with a test certificate at
// https://client.quirks.test:<port>/… (the AS resolves that name to this machine).
import assert from 'node:assert/strict';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { secretNames } from '../../../main/core/vault/secrets';
import { connectBridge, text } from '../../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../../helpers/mcp-server';
import { runCli, scriptedBrowser } from '../../helpers/run-cli';
import { recordingBrowser } from '../../helpers/quirks/common';
import { hostMappedFetch } from '../../helpers/quirks/host-fetch';
import { startQuirkyAuthServer, type QuirkyAuthServer } from '../../helpers/quirks/oidc';
import { createTestCertificates, type TestCertificates } from '../../helpers/quirks/tls';

let certs: TestCertificates;
let documentHost: https.Server;
let documentUrl: string;
const documentRequests: string[] = [];
let as: QuirkyAuthServer;
let mcp: McpTestServer;
let plainAs: QuirkyAuthServer;
let plainMcp: McpTestServer;
let profile: KeyringEnv;

before(async () => {
  certs = await createTestCertificates(['client.quirks.test']);
  documentHost = https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    documentRequests.push(`${req.method} ${req.url}`);
    if (req.url !== '/mcp-keyring/client.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end(
      JSON.stringify({
        client_id: documentUrl,
        client_name: 'MCP Keyring',
        client_uri: 'https://client.quirks.test/',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      }),
    );
  });
  await new Promise<void>((resolve) => documentHost.listen(0, '127.0.0.1', resolve));
  documentUrl = `https://client.quirks.test:${(documentHost.address() as AddressInfo).port}/mcp-keyring/client.json`;
  const asFetch = hostMappedFetch({ hosts: { 'client.quirks.test': '127.0.0.1' }, ca: certs.ca });
  [as, plainAs] = await Promise.all([startQuirkyAuthServer({ clientIdMetadataDocuments: { fetch: asFetch } }), startQuirkyAuthServer()]);
  const mcpFor = (server: QuirkyAuthServer) => startMcpServer({ auth: { issuer: server.issuer, jwksUri: `${server.issuer}/jwks` } });
  [mcp, plainMcp] = await Promise.all([mcpFor(as), mcpFor(plainAs)]);
  profile = await createKeyringEnv('quirks-cimd');
});
after(async () => {
  await profile.cleanup();
  await Promise.all([mcp, plainMcp, as, plainAs].map((s) => s.close()));
  await new Promise((resolve) => documentHost.close(resolve));
  await certs.cleanup();
});

const cimdAuth = () => ({ kind: 'oauth' as const, sendResource: true, clientMetadataUrl: documentUrl });

test('discovery: the AS supports metadata documents, so the document URL will be the client id', async () => {
  const preview = await profile.keyring.preview(mcp.url, cimdAuth());
  assert.equal(preview.registration, 'metadata-document');
  // Without a document URL, the same AS would be asked for a dynamic registration.
  assert.equal((await profile.keyring.preview(mcp.url)).registration, 'dynamic');
  // An AS without support: dynamic registration even with a document URL.
  assert.equal((await profile.keyring.preview(plainMcp.url, cimdAuth())).registration, 'dynamic');
});

let id: string;

test('connect with --client-metadata-url: the AS fetches the document, no registration, tokens for the URL client', async () => {
  const env = { ...profile.env, BROWSER: scriptedBrowser };
  const added = await runCli(['add', mcp.url, '--name', 'cimd', '--client-metadata-url', documentUrl], { env });
  assert.equal(added.code, 0, added.stderr);
  id = added.stdout.trim();
  const connected = await runCli(['connect', id, '--timeout', '20s'], { env });
  assert.equal(connected.code, 0, connected.stderr);

  assert.equal(as.to('authorization')[0]?.params.client_id, documentUrl);
  assert.equal(as.to('token')[0]?.params.client_id, documentUrl);
  assert.ok(documentRequests.includes('GET /mcp-keyring/client.json'), 'the AS fetched the document');
  assert.equal(as.stats.registrations, 0);
  assert.equal(as.to('registration').length, 0);

  const bridge = await connectBridge(id, profile.env);
  try {
    assert.equal(JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} }))).client_id, documentUrl);
  } finally {
    await bridge.close();
  }
  await profile.keyring.states.patch(id, { expiresAt: Date.now() - 1000 });
  const headers = await runCli(['headers', id], { env });
  assert.equal(headers.code, 0, headers.stderr);
  assert.equal(as.stats.refreshGrants, 1);
  assert.equal(as.to('token').at(-1)?.params.client_id, documentUrl);
});

test(
  'a server using dynamic registration at the same AS does not change the client the document server refreshes and revokes with',
  async () => {
    // Another server on the same AS, added without a document URL: it registers dynamically.
    const other = await profile.keyring.add({ url: mcp.url, name: 'dcr-neighbour' });
    await profile.keyring.connect(other.id, recordingBrowser().signIn);
    assert.equal(as.stats.registrations, 1);

    const refreshes = as.stats.refreshGrants;
    await profile.keyring.states.patch(id, { expiresAt: Date.now() - 1000 });
    const headers = await runCli(['headers', id], { env: profile.env });
    assert.equal(headers.code, 0, headers.stderr);
    assert.equal(as.to('token').at(-1)?.params.client_id, documentUrl, 'refreshed as the document client');
    assert.equal(as.stats.refreshGrants, refreshes + 1);
    assert.ok(await profile.keyring.vault.get(secretNames.refreshToken(id)));
    const result = await profile.keyring.disconnect(id);
    assert.deepEqual(result, { revoked: true });
  },
);

// The same root cause without any metadata document: the client a refresh uses is
// "the issuer's current registration", not the client the tokens were issued to.
test(
  'a new dynamic registration (its loopback port was busy) does not strand servers signed in with the previous one',
  async () => {
    const first = await profile.keyring.add({ url: plainMcp.url, name: 'first-dcr' });
    await profile.keyring.connect(first.id, recordingBrowser().signIn);
    const entry = (await profile.keyring.clients.get(plainAs.issuer))!;
    const registered = entry.registrations[entry.current!]!;
    const port = Number(new URL(registered.redirectUris[0]!).port);
    // Something else holds the registered redirect port: the next sign-in must register again.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const second = await profile.keyring.add({ url: plainMcp.url, name: 'second-dcr' });
      await profile.keyring.connect(second.id, recordingBrowser().signIn);
    } finally {
      blocker.close();
    }
    assert.equal(plainAs.stats.registrations, 2);
    await profile.keyring.states.patch(first.id, { expiresAt: Date.now() - 1000 });
    const token = await profile.keyring.tokens.getAccessToken(first);
    assert.ok(token.token.length > 20);
    assert.equal(plainAs.to('token').at(-1)?.params.client_id, registered.clientId);
  },
);
