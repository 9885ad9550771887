// Discovery's URL order (MCP authorization spec 2025-11-25): RFC 9728 path form
// before the root form; RFC 8414 before OIDC, path insertion before appending.
// A tiny loopback server records which URLs discovery actually asks for.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  authorizationServerMetadataUrls,
  checkAuthorizationServer,
  defaultEndpointsFallback,
  discoverAuthorizationServer,
  fetchResourceMetadata,
} from '../../../../main/core/discovery/discover';
import { isKeyringError } from '../../../../main/core/errors';
import { createOutboundFetch } from '../../../../main/core/http/outbound';

const fetch = createOutboundFetch();

const hrefs = (issuer: string) => authorizationServerMetadataUrls(new URL(issuer)).map(({ url, kind }) => `${kind} ${url.href}`);

test('an issuer without a path: RFC 8414, then OIDC, both at the origin', () => {
  assert.deepEqual(hrefs('https://as.example'), [
    'oauth2 https://as.example/.well-known/oauth-authorization-server',
    'oidc https://as.example/.well-known/openid-configuration',
  ]);
  assert.deepEqual(hrefs('https://as.example/'), hrefs('https://as.example'));
});

test('an issuer with a path: RFC 8414 path insertion, OIDC path insertion, then OIDC appended', () => {
  assert.deepEqual(hrefs('https://as.example/tenant/v2'), [
    'oauth2 https://as.example/.well-known/oauth-authorization-server/tenant/v2',
    'oidc https://as.example/.well-known/openid-configuration/tenant/v2',
    'oidc https://as.example/tenant/v2/.well-known/openid-configuration',
  ]);
  // A trailing slash is not part of the inserted path.
  assert.deepEqual(hrefs('https://as.example/tenant/v2/'), hrefs('https://as.example/tenant/v2'));
});

test('an authorization server without PKCE S256 is refused by name', () => {
  const metadata = { issuer: 'https://as.example', authorization_endpoint: 'https://as.example/authorize', token_endpoint: 'https://as.example/token' };
  assert.throws(() => checkAuthorizationServer({ ...metadata, code_challenge_methods_supported: ['plain'] }), (error) => isKeyringError(error, 'pkce-unsupported'));
  assert.doesNotThrow(() => checkAuthorizationServer({ ...metadata, code_challenge_methods_supported: ['S256'] }));
});

// --- against a loopback server ------------------------------------------------------
const asked: string[] = [];
/** path -> JSON body; every other path is a 404. */
const documents = new Map<string, (origin: string) => unknown>();
let server: http.Server;
let origin = '';

before(async () => {
  server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    const body = documents.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body(origin)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function reset(docs: Record<string, (origin: string) => unknown>): void {
  asked.length = 0;
  documents.clear();
  for (const [path, body] of Object.entries(docs)) documents.set(path, body);
}

const asMetadata = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
});

test('authorization server discovery stops at the first document found, in spec order', async () => {
  reset({ '/tenant/.well-known/openid-configuration': (o) => asMetadata(`${o}/tenant`) });
  const found = await discoverAuthorizationServer(`${origin}/tenant`, fetch);
  assert.equal(found.issuer, `${origin}/tenant`);
  assert.deepEqual(asked, ['/.well-known/oauth-authorization-server/tenant', '/.well-known/openid-configuration/tenant', '/tenant/.well-known/openid-configuration']);

  reset({ '/.well-known/oauth-authorization-server/tenant': (o) => asMetadata(`${o}/tenant`) });
  await discoverAuthorizationServer(`${origin}/tenant`, fetch);
  assert.deepEqual(asked, ['/.well-known/oauth-authorization-server/tenant']);
});

test('no metadata anywhere: a no-authorization-server error after trying every URL', async () => {
  reset({});
  await assert.rejects(discoverAuthorizationServer(origin, fetch), (error) => isKeyringError(error, 'no-authorization-server'));
  assert.deepEqual(asked, ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);
});

test('protected-resource metadata: the path form first, then the root form', async () => {
  reset({ '/.well-known/oauth-protected-resource': (o) => ({ resource: o, authorization_servers: [o] }) });
  const found = await fetchResourceMetadata(new URL(`${origin}/v1/mcp`), fetch);
  assert.equal(found?.url, `${origin}/.well-known/oauth-protected-resource`);
  assert.deepEqual(found?.metadata.authorization_servers, [origin]);
  assert.deepEqual(asked, ['/.well-known/oauth-protected-resource/v1/mcp', '/.well-known/oauth-protected-resource']);
});

test('a challenge naming resource_metadata is the only URL tried', async () => {
  reset({ '/meta/prm': (o) => ({ resource: `${o}/v1/mcp`, authorization_servers: [o] }) });
  const found = await fetchResourceMetadata(new URL(`${origin}/v1/mcp`), fetch, { resourceMetadata: `${origin}/meta/prm` });
  assert.equal(found?.url, `${origin}/meta/prm`);
  assert.deepEqual(asked, ['/meta/prm']);
});

test('metadata for another resource on the same origin is refused', async () => {
  reset({ '/.well-known/oauth-protected-resource/v1/mcp': (o) => ({ resource: `${o}/other`, authorization_servers: [o] }) });
  await assert.rejects(fetchResourceMetadata(new URL(`${origin}/v1/mcp`), fetch), (error) => isKeyringError(error, 'issuer-mismatch'));
});

// The 2025-03-26 spec's default endpoints, for servers with no metadata at all.
const bearer401 = { status: 401, challenge: { error: 'invalid_token' } };

test('2025-03-26 fallback: /authorize, /token and /register at the origin, the server path dropped', () => {
  const as = defaultEndpointsFallback(new URL('http://127.0.0.1:8123/v1/mcp'), bearer401);
  assert.ok(as);
  assert.equal(as.issuer, 'http://127.0.0.1:8123');
  assert.equal(as.authorization_endpoint, 'http://127.0.0.1:8123/authorize');
  assert.equal(as.token_endpoint, 'http://127.0.0.1:8123/token');
  assert.equal(as.registration_endpoint, 'http://127.0.0.1:8123/register');
  assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
});

test('no fallback without a Bearer challenge on a 401 (an API-key server), and none to plain http off loopback', () => {
  assert.equal(defaultEndpointsFallback(new URL('https://mcp.example/mcp'), { status: 401 }), undefined);
  assert.equal(defaultEndpointsFallback(new URL('https://mcp.example/mcp'), { ...bearer401, status: 403 }), undefined);
  assert.throws(() => defaultEndpointsFallback(new URL('http://mcp.example/mcp'), bearer401), (error) => isKeyringError(error, 'insecure-endpoint'));
});
