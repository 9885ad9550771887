// Finds out how an MCP server is protected, in the order of the MCP authorization
// spec (2025-11-25): an unauthenticated request, the Bearer challenge's
// resource_metadata, RFC 9728 well-known URLs, then the authorization server's
// RFC 8414 / OIDC metadata. oauth4webapi validates each document.
import * as oauth from 'oauth4webapi';
import { KeyringError, isKeyringError, serverText } from '../errors';
import type { NodeFetch } from '../http/node-fetch';
import { oauthCall, request } from '../http/outbound';
import { requireReachableUrl, requireResourceMetadataUrl, requireSecureUrl } from '../url-policy';
import { isScopeToken, parseBearerChallenge, type BearerChallenge } from './www-authenticate';

export interface ProbeResult {
  status: number;
  challenge?: BearerChallenge;
}

export interface Discovery {
  /** Canonical server URL, sent as RFC 8707 `resource`. */
  resource: string;
  /** "oauth": an authorization server was found; "none": the server answered without a token; "unknown": it refused, but named no authorization server. */
  protection: 'oauth' | 'none' | 'unknown';
  probe: ProbeResult;
  resourceMetadata?: oauth.ResourceServer & { scopes_supported?: string[] };
  resourceMetadataUrl?: string;
  authorizationServer?: oauth.AuthorizationServer;
  /** Scopes to request: the challenge's, else the resource's scopes_supported. */
  scopes: string[];
}

const INITIALIZE_PROBE = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcp-keyring-probe', version: '1' } },
});

/** An MCP request without a token: what a client would send first. */
export async function probeServer(serverUrl: string, fetch: NodeFetch): Promise<ProbeResult> {
  const response = await request(fetch, serverUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: INITIALIZE_PROBE,
  });
  const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
  const sessionId = response.headers.get('mcp-session-id');
  await response.body?.cancel().catch(() => undefined);
  if (sessionId) {
    // Be polite: end the session the probe opened.
    await request(fetch, serverUrl, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }
  return { status: response.status, ...(challenge ? { challenge } : {}) };
}

/** Reads a JSON metadata document; undefined when it is not there (404 and friends). */
async function fetchMetadata(url: URL, what: string, fetch: NodeFetch): Promise<Response | undefined> {
  const response = await request(fetch, url, { headers: { accept: 'application/json' } });
  if (response.status === 404 || response.status === 410 || response.status === 405 || response.status === 400 || response.status === 401 || response.status === 403) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new KeyringError('bad-metadata', `Expected ${what} at ${url.href} but the server answered HTTP ${response.status}.`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (!/\bjson\b/i.test(type)) {
    const text = await response.text().catch(() => '');
    const looksHtml = /^\s*</.test(text) || /html/i.test(type);
    throw new KeyringError('bad-metadata', `Expected JSON ${what} at ${url.href} but got ${looksHtml ? 'an HTML page' : type || 'an untyped body'}.`);
  }
  return response;
}

/** Turns oauth4webapi's validation errors into one clear message naming the document. */
async function validated<T>(url: URL, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await oauthCall(url, run);
  } catch (error) {
    if (isKeyringError(error)) throw error;
    const code = (error as { code?: string }).code;
    if (code === oauth.PARSE_ERROR || code === oauth.RESPONSE_IS_NOT_JSON || error instanceof SyntaxError) {
      throw new KeyringError('bad-metadata', `The ${what} at ${url.href} is not valid JSON.`, { cause: error });
    }
    if (code === oauth.JSON_ATTRIBUTE_COMPARISON) {
      throw new KeyringError('issuer-mismatch', `The ${what} at ${url.href} names a different ${what.includes('resource') ? 'resource' : 'issuer'} than expected; refusing it (it could be an impersonation).`, { cause: error });
    }
    throw new KeyringError('bad-metadata', `The ${what} at ${url.href} is not usable: ${(error as Error).message}.`, { cause: error });
  }
}

function wellKnownResourceUrls(serverUrl: URL): URL[] {
  const urls: URL[] = [];
  const path = serverUrl.pathname.replace(/\/$/, '');
  if (path) urls.push(new URL(`/.well-known/oauth-protected-resource${path}`, serverUrl.origin));
  urls.push(new URL('/.well-known/oauth-protected-resource', serverUrl.origin));
  return urls;
}

/** The resource a metadata document describes must be this server, or an origin/path prefix of it. */
function coversServer(metadataResource: string, serverUrl: URL): boolean {
  let resource: URL;
  try {
    resource = new URL(metadataResource);
  } catch {
    return false;
  }
  if (resource.origin !== serverUrl.origin) return false;
  const prefix = resource.pathname.replace(/\/$/, '');
  return serverUrl.pathname === prefix || serverUrl.pathname.startsWith(`${prefix}/`) || prefix === '';
}

export async function fetchResourceMetadata(serverUrl: URL, fetch: NodeFetch, challenge?: BearerChallenge): Promise<{ url: string; metadata: Discovery['resourceMetadata'] & {} } | undefined> {
  const candidates = challenge?.resourceMetadata
    ? [requireResourceMetadataUrl(challenge.resourceMetadata, serverUrl)] // URL policy: the server's own origin only
    : wellKnownResourceUrls(serverUrl);
  for (const url of candidates) {
    const response = await fetchMetadata(url, 'protected-resource metadata', fetch);
    if (!response) continue;
    // The document may describe the server itself or a prefix of it (the root form);
    // oauth4webapi then checks the document against the resource it names.
    const named = await response
      .clone()
      .json()
      .then((body: { resource?: unknown }) => String(body?.resource ?? ''))
      .catch(() => '');
    if (named && !coversServer(named, serverUrl)) {
      throw new KeyringError('issuer-mismatch', `The protected-resource metadata at ${url.href} is for ${serverText(named)}, not ${serverUrl.href}; refusing it.`);
    }
    const expected = named ? new URL(named) : serverUrl;
    const metadata = await validated(url, 'protected-resource metadata', () => oauth.processResourceDiscoveryResponse(expected, response));
    // The window shows resource_name: keep only a form safe to show.
    if (metadata.resource_name !== undefined) (metadata as { resource_name?: string }).resource_name = serverText(metadata.resource_name);
    return { url: url.href, metadata };
  }
  return undefined;
}

/** Metadata URLs for an issuer, in the MCP spec's order (RFC 8414 first, then OIDC with path insertion, then appended). */
export function authorizationServerMetadataUrls(issuer: URL): Array<{ url: URL; kind: 'oauth2' | 'oidc' }> {
  const path = issuer.pathname.replace(/\/$/, '');
  if (!path) {
    return [
      { url: new URL('/.well-known/oauth-authorization-server', issuer.origin), kind: 'oauth2' },
      { url: new URL('/.well-known/openid-configuration', issuer.origin), kind: 'oidc' },
    ];
  }
  return [
    { url: new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin), kind: 'oauth2' },
    { url: new URL(`/.well-known/openid-configuration${path}`, issuer.origin), kind: 'oidc' },
    { url: new URL(`${path}/.well-known/openid-configuration`, issuer.origin), kind: 'oidc' },
  ];
}

/** `namedBy`: the MCP server whose metadata named this issuer (URL policy: no loopback/private AS for a public server). */
export async function discoverAuthorizationServer(issuerValue: string, fetch: NodeFetch, namedBy?: URL): Promise<oauth.AuthorizationServer> {
  const issuer = namedBy ? requireReachableUrl(issuerValue, 'authorization server', namedBy) : requireSecureUrl(issuerValue, 'authorization server');
  for (const { url } of authorizationServerMetadataUrls(issuer)) {
    const response = await fetchMetadata(url, 'authorization server metadata', fetch);
    if (!response) continue;
    const metadata = await validated(url, 'authorization server metadata', () => oauth.processDiscoveryResponse(issuer, response));
    checkAuthorizationServer(metadata);
    return metadata;
  }
  throw new KeyringError(
    'no-authorization-server',
    `No authorization server metadata found for ${issuer.href} (tried RFC 8414 and OpenID Connect discovery).`,
  );
}

/** What MCP Keyring insists on before it sends a user to an authorization server. */
export function checkAuthorizationServer(metadata: oauth.AuthorizationServer): void {
  checkEndpoints(metadata);
  if (!metadata.code_challenge_methods_supported?.includes('S256')) {
    throw new KeyringError(
      'pkce-unsupported',
      `The authorization server ${metadata.issuer} does not support PKCE with S256 (code_challenge_methods_supported: ${serverText(metadata.code_challenge_methods_supported ?? [])}); MCP Keyring will not sign in without it.`,
    );
  }
}

// --- URL policy for AS endpoints ---------------------------------------------------
// RFC 8414 lets endpoints live on other origins than the issuer (and real servers
// do that), so origins are not compared; but an AS that is not on this computer or
// a private network may not send us there (see url-policy.ts). Each endpoint is
// kept in its parsed form, so what is shown and used is exactly what was checked.
const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'jwks_uri', 'introspection_endpoint', 'userinfo_endpoint', 'pushed_authorization_request_endpoint'] as const;
const REQUIRED_ENDPOINTS = new Set<string>(['authorization_endpoint', 'token_endpoint']);

function checkEndpoints(metadata: oauth.AuthorizationServer): void {
  const issuer = new URL(metadata.issuer);
  for (const name of ENDPOINTS) {
    const value = metadata[name];
    if (value === undefined && !REQUIRED_ENDPOINTS.has(name)) continue;
    (metadata as Record<string, unknown>)[name] = requireReachableUrl(value, name, issuer).href;
  }
}

/** The whole discovery for one server URL, every request through `fetch`. */
export async function discover(serverUrl: string, fetch: NodeFetch): Promise<Discovery> {
  const url = new URL(serverUrl);
  const probe = await probeServer(serverUrl, fetch);
  const base: Discovery = { resource: url.href, protection: 'unknown', probe, scopes: probe.challenge?.scope ?? [] };
  if (probe.status >= 200 && probe.status < 300) {
    // The server answered without a token; it may still advertise an authorization server.
    const prm = await fetchResourceMetadata(url, fetch).catch(() => undefined);
    if (!prm) return { ...base, protection: 'none' };
    return finish(base, prm, fetch);
  }
  const prm = await fetchResourceMetadata(url, fetch, probe.challenge);
  if (!prm) {
    // Servers from before RFC 9728 serve their own authorization server metadata.
    const legacy = await discoverAuthorizationServer(url.origin, fetch).catch((error) => {
      if (isKeyringError(error, 'no-authorization-server') || isKeyringError(error, 'bad-metadata')) return undefined;
      throw error;
    });
    if (legacy) return { ...base, protection: 'oauth', authorizationServer: legacy };
    const fallback = defaultEndpointsFallback(url, probe);
    if (fallback) return { ...base, protection: 'oauth', authorizationServer: fallback };
    return base;
  }
  return finish(base, prm, fetch);
}

/**
 * The 2025-03-26 MCP authorization spec ("Fallbacks for Servers without Metadata
 * Discovery"): a server with neither RFC 9728 nor RFC 8414 metadata has its
 * endpoints at fixed paths of its origin (the path of the server URL is dropped):
 * /authorize, /token and /register. Only for a server whose 401 asks for a Bearer
 * token, so one that wants an API key is not sent to a sign-in page that isn't
 * there. That revision requires PKCE of every client, hence S256. The endpoints go
 * through the same URL policy as discovered ones.
 */
export function defaultEndpointsFallback(serverUrl: URL, probe: ProbeResult): oauth.AuthorizationServer | undefined {
  if (probe.status !== 401 || !probe.challenge) return undefined;
  const at = (path: string) => new URL(path, serverUrl.origin).href;
  const metadata: oauth.AuthorizationServer = {
    issuer: serverUrl.origin,
    authorization_endpoint: at('/authorize'),
    token_endpoint: at('/token'),
    registration_endpoint: at('/register'),
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
  };
  checkAuthorizationServer(metadata);
  return metadata;
}

async function finish(base: Discovery, prm: { url: string; metadata: NonNullable<Discovery['resourceMetadata']> }, fetch: NodeFetch): Promise<Discovery> {
  const issuer = prm.metadata.authorization_servers?.[0];
  if (!issuer) {
    throw new KeyringError('no-authorization-server', `The protected-resource metadata at ${prm.url} names no authorization server.`);
  }
  const authorizationServer = await discoverAuthorizationServer(issuer, fetch, new URL(base.resource));
  const scopes = base.scopes.length ? base.scopes : (prm.metadata.scopes_supported ?? []).filter(isScopeToken);
  return { ...base, protection: 'oauth', resourceMetadata: prm.metadata, resourceMetadataUrl: prm.url, authorizationServer, scopes };
}

/** Discovery that must end in an authorization server, with the error a user needs when it does not. */
export async function discoverForSignIn(serverUrl: string, fetch: NodeFetch): Promise<Discovery & { authorizationServer: oauth.AuthorizationServer }> {
  const found = await discover(serverUrl, fetch);
  if (found.authorizationServer) return found as Discovery & { authorizationServer: oauth.AuthorizationServer };
  if (found.protection === 'none') {
    throw new KeyringError('no-authorization-server', `${serverUrl} answered without asking for sign-in: it needs no credentials (add it with --no-auth).`);
  }
  throw new KeyringError(
    'no-authorization-server',
    `${serverUrl} has no protected-resource metadata and names no authorization server (HTTP ${found.probe.status}); if it uses an API key, add it with --header <name>.`,
  );
}
