// Real authorization servers with the quirks of well-known providers, all built
// on oidc-provider (the same library as test/helpers/auth-server.ts), and a
// record of every request that reached their endpoints (parameters and the
// client address), so a test can assert what MCP Keyring really sent.
//
// Quirks (options):
// - resourceStyle 'indicators' (default): RFC 8707 resource indicators, JWT access
//   tokens whose `aud` is the resource.
// - resourceStyle 'auth0-audience' (Auth0): the non-standard `audience` parameter
//   chooses the API a token is for (its `aud`); `resource` is ignored, as Auth0
//   does by default. Implemented at the HTTP edge: `audience` becomes oidc-provider's
//   resource indicator, a `resource` parameter is dropped.
// - resourceStyle 'entra-reject' (Microsoft Entra ID v2): any request carrying
//   `resource` fails with invalid_target (authorization: error redirect; token:
//   400), tokens are issued for the app's API (`defaultResource`) instead.
// - discovery 'oidc-only': no RFC 8414 document, only /.well-known/openid-configuration.
// - registration false: no dynamic client registration; `clients` are pre-registered.
// - refreshTokens 'offline_access' (oidc-provider's own default, and Auth0's and
//   Entra's behaviour): a refresh token only when offline_access was requested
//   (with prompt=consent) and granted; 'always': for every code grant.
// - scopes: what scopes_supported lists (whether offline_access is in it matters).
// - revocation false: no revocation_endpoint.
// - clientIdMetadataDocuments: oidc-provider's built-in Client ID Metadata Document
//   support (draft-02): an https client_id URL is fetched with the given fetch and
//   used as the client's metadata; the metadata says client_id_metadata_document_supported.
//
// startQuirkyAuthServer listens on 127.0.0.1 (http, or https with `tls`, under any
// public host name); createQuirkyProvider gives just the request handler, for an
// MCP server that is its own authorization server (mounted on the same origin).
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import querystring from 'node:querystring';
import type { JSONWebKeySet } from 'jose';
import { loadOidcProvider, MCP_SCOPES, MemoryAdapter, MemoryStore, signingKey } from '../oidc-common';

export type ResourceStyle = 'indicators' | 'auth0-audience' | 'entra-reject';

export interface QuirkyProviderOptions {
  resourceStyle?: ResourceStyle;
  /** Resource (token audience) used when a request names none (a function: read when needed). */
  defaultResource?: string | (() => string | undefined);
  discovery?: 'both' | 'oidc-only';
  registration?: boolean;
  clients?: Array<Record<string, unknown>>;
  /** scopes_supported besides openid (default: offline_access mcp:tools mcp:admin). */
  scopes?: string[];
  refreshTokens?: 'always' | 'offline_access';
  revocation?: boolean;
  /** Lifetime of JWT access tokens in seconds (default 300). */
  accessTokenTTL?: number;
  /** Scopes an access token for a resource can carry (default mcp:tools mcp:admin); others asked for are not granted. */
  resourceScopes?: string[];
  clientIdMetadataDocuments?: { fetch: (url: string, init?: RequestInit) => Promise<Response> };
  /** Token endpoint authentication methods it accepts and lists in token_endpoint_auth_methods_supported (default: oidc-provider's). */
  clientAuthMethods?: string[];
}

export interface RecordedRequest {
  endpoint: 'authorization' | 'token' | 'revocation' | 'registration' | 'discovery' | 'jwks' | 'other';
  method: string;
  path: string;
  /** Query (GET) or form body (POST) parameters, as the client sent them. */
  params: Record<string, string>;
  /** The client's address (see forward-proxy.ts: requests through the proxy come from 127.0.0.2). */
  from: string;
}

export interface QuirkyStats {
  authorizations: number;
  codeGrants: number;
  refreshGrants: number;
  registrations: number;
  revocations: number;
  /** Token and authorization requests refused with invalid_target. */
  invalidTarget: number;
  invalidGrant: number;
}

export interface QuirkyProvider {
  issuer: string;
  handler: http.RequestListener;
  /** Public keys of the access token signatures, for a resource server's jose.createLocalJWKSet. */
  jwks: JSONWebKeySet;
  requests: RecordedRequest[];
  stats: QuirkyStats;
  /** The requests to one endpoint. */
  to(endpoint: RecordedRequest['endpoint']): RecordedRequest[];
  provider: { issuer: string; [key: string]: any };
}

export interface QuirkyAuthServer extends QuirkyProvider {
  port: number;
  close(): Promise<void>;
}

export { MCP_SCOPES };

// This fixture reads token request bodies at the edge (to record and rewrite them) and hands them over parsed.
const PARSED_BODY_NOTICE = /oidc-provider WARNING: already parsed request body detected/;

function signingKeys(): { privateJwk: Record<string, unknown>; jwks: JSONWebKeySet } {
  const privateJwk = signingKey('quirks');
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk as Record<string, string>;
  return { privateJwk, jwks: { keys: [publicJwk] } as unknown as JSONWebKeySet };
}

function endpointOf(path: string): RecordedRequest['endpoint'] {
  if (path === '/auth') return 'authorization';
  if (path === '/token') return 'token';
  if (path === '/token/revocation') return 'revocation';
  if (path === '/reg') return 'registration';
  if (path === '/jwks') return 'jwks';
  if (path.startsWith('/.well-known/')) return 'discovery';
  return 'other';
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const ENTRA_RESOURCE_ERROR = "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.";

/** An oidc-provider for `issuer` with the chosen quirks; serve it with `handler`. */
export async function createQuirkyProvider(issuer: string, options: QuirkyProviderOptions = {}): Promise<QuirkyProvider> {
  const style = options.resourceStyle ?? 'indicators';
  const accessTokenTTL = options.accessTokenTTL ?? 300;
  const { default: Provider, errors } = await loadOidcProvider([PARSED_BODY_NOTICE]);
  const store = new MemoryStore();
  const { privateJwk, jwks } = signingKeys();
  const requests: RecordedRequest[] = [];
  const stats: QuirkyStats = { authorizations: 0, codeGrants: 0, refreshGrants: 0, registrations: 0, revocations: 0, invalidTarget: 0, invalidGrant: 0 };
  const cimd = options.clientIdMetadataDocuments;

  const provider = new Provider(issuer, {
    adapter: (name: string) => new MemoryAdapter(name, store),
    jwks: { keys: [privateJwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    clients: options.clients ?? [],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      id_token_signed_response_alg: 'RS256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    responseTypes: ['code'],
    ...(options.clientAuthMethods ? { clientAuthMethods: options.clientAuthMethods } : {}),
    scopes: ['openid', ...(options.scopes ?? ['offline_access', ...MCP_SCOPES])],
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, sub: string) {
      return { accountId: sub, async claims() { return { sub }; } };
    },
    ...(cimd ? { fetch: (url: string, init: RequestInit & { dispatcher?: unknown }) => {
      // oidc-provider passes an SSRF-guarding dispatcher that refuses 127.0.0.0/8; this
      // fixture's documents live on this machine, so its own fetch is used instead.
      const { dispatcher: _dispatcher, ...rest } = init;
      return cimd.fetch(url, rest);
    } } : {}),
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: options.registration ?? true, initialAccessToken: false },
      revocation: {
        enabled: options.revocation ?? true,
        async allowedPolicy(_ctx: unknown, client: any, token: any) {
          if (token.clientId !== client.clientId) {
            if (client.clientAuthMethod === 'none') return false;
            throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
          }
          return true;
        },
      },
      resourceIndicators: {
        enabled: true,
        async defaultResource(_ctx: unknown, _client: unknown, oneOf?: string[]) {
          return oneOf ?? (typeof options.defaultResource === 'function' ? options.defaultResource() : options.defaultResource);
        },
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(ctx: any, resourceIndicator: string) {
          // The parameter as sent (ctx.oidc.params.resource also holds the default resource).
          if (style === 'entra-reject' && (ctx.query?.resource ?? ctx.oidc?.body?.resource) !== undefined) {
            stats.invalidTarget++;
            throw new errors.InvalidTarget(ENTRA_RESOURCE_ERROR);
          }
          const url = URL.parse(resourceIndicator);
          if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new errors.InvalidTarget('resource must be an http(s) URL');
          return { scope: (options.resourceScopes ?? MCP_SCOPES).join(' '), audience: resourceIndicator, accessTokenTTL, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
      clientIdMetadataDocument: { enabled: Boolean(cimd), ...(cimd ? { ack: 'draft-02' } : {}) },
      rpInitiatedLogout: { enabled: false },
    },
    ...(options.refreshTokens === 'offline_access'
      ? {}
      : {
          async issueRefreshToken(_ctx: unknown, client: any) {
            return client.grantTypeAllowed('refresh_token');
          },
        }),
    rotateRefreshToken(ctx: any) {
      // As in auth-server.ts: refuse a resource the grant does not have before the token is consumed.
      const resource = ctx.oidc?.params?.resource;
      const token = ctx.oidc?.entities?.RefreshToken;
      if (typeof resource === 'string' && token && !token.resourceIndicators.has(resource)) throw new errors.InvalidTarget('resource was not granted');
      return true;
    },
    async expiresWithSession() {
      return false;
    },
    clientBasedCORS: () => true,
    ttl: {
      AccessToken: (_ctx: unknown, token: any) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
      AuthorizationCode: 60,
      ClientCredentials: accessTokenTTL,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
  });

  provider.use(async (ctx: any, next: () => Promise<void>) => {
    await next();
    if (ctx.method === 'POST' && ctx.path === '/token/revocation' && ctx.status === 200) stats.revocations++;
  });
  provider.on('grant.success', (ctx: any) => {
    const gty = ctx.oidc?.params?.grant_type;
    if (gty === 'refresh_token') stats.refreshGrants++;
    else if (gty === 'authorization_code') stats.codeGrants++;
  });
  provider.on('grant.error', (_ctx: unknown, err: any) => {
    if (err?.error === 'invalid_grant') stats.invalidGrant++;
  });
  provider.on('registration_create.success', () => stats.registrations++);
  provider.on('authorization.success', () => stats.authorizations++);
  provider.on('server_error', (_ctx: unknown, err: Error) => console.error(`[quirky AS ${issuer}] server_error:`, err));

  const callback = provider.callback();
  const handler: http.RequestListener = (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://edge.invalid');
      const path = url.pathname;
      const endpoint = endpointOf(path);
      const from = req.socket.remoteAddress ?? '';
      if (options.discovery === 'oidc-only' && path === '/.well-known/oauth-authorization-server') {
        requests.push({ endpoint, method: req.method ?? 'GET', path, params: {}, from });
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      if (req.method === 'GET') {
        const params = Object.fromEntries(url.searchParams);
        requests.push({ endpoint, method: 'GET', path, params, from });
        if (endpoint === 'authorization' && style === 'auth0-audience') {
          url.searchParams.delete('resource');
          const audience = url.searchParams.get('audience');
          url.searchParams.delete('audience');
          if (audience) url.searchParams.set('resource', audience);
          req.url = `${url.pathname}${url.search}`;
        }
        return callback(req, res);
      }
      if (req.method === 'POST' && (endpoint === 'token' || endpoint === 'revocation')) {
        const params = querystring.parse(await readBody(req)) as Record<string, string>;
        requests.push({ endpoint, method: 'POST', path, params: { ...params }, from });
        if (endpoint === 'token' && style === 'entra-reject' && params.resource !== undefined) {
          stats.invalidTarget++;
          res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify({ error: 'invalid_target', error_description: ENTRA_RESOURCE_ERROR }));
          return;
        }
        if (endpoint === 'token' && style === 'auth0-audience') {
          delete params.resource;
          if (params.audience) params.resource = params.audience;
          delete params.audience;
        }
        // The stream is consumed: oidc-provider reads the parsed body from req.body.
        (req as http.IncomingMessage & { body?: unknown }).body = params;
        return callback(req, res);
      }
      requests.push({ endpoint, method: req.method ?? '', path, params: {}, from });
      return callback(req, res);
    })().catch((error) => {
      console.error('[quirky AS] edge failure', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  return {
    issuer,
    handler,
    jwks,
    requests,
    stats,
    to: (endpoint) => requests.filter((r) => r.endpoint === endpoint),
    provider,
  };
}

/**
 * A quirky authorization server on its own port of 127.0.0.1; `publicHost` names it
 * in URLs (default 127.0.0.1); `issuerPath` puts it under a path, like Entra's
 * https://login.microsoftonline.com/<tenant>/v2.0 (its metadata then lives at
 * <issuer>/.well-known/openid-configuration, the third URL the MCP spec says to try).
 */
export async function startQuirkyAuthServer(
  options: QuirkyProviderOptions & { tls?: { key: string; cert: string }; publicHost?: string; issuerPath?: string } = {},
): Promise<QuirkyAuthServer> {
  const prefix = (options.issuerPath ?? '').replace(/\/$/, '');
  let serve: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => serve(req, res))
    : http.createServer((req, res) => serve(req, res));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `${options.tls ? 'https' : 'http'}://${options.publicHost ?? '127.0.0.1'}:${port}${prefix}`;
  const quirky = await createQuirkyProvider(issuer, options);
  serve = !prefix
    ? quirky.handler
    : (req, res) => {
        const original = req.url ?? '/';
        if (original !== prefix && !original.startsWith(`${prefix}/`) && !original.startsWith(`${prefix}?`)) {
          // Outside the issuer's path (e.g. RFC 8414 path-insertion URLs): nothing here.
          quirky.requests.push({ endpoint: endpointOf(original.split('?')[0]!), method: req.method ?? '', path: original.split('?')[0]!, params: {}, from: req.socket.remoteAddress ?? '' });
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
          return;
        }
        // Mounted like express does: oidc-provider derives its mount path from originalUrl.
        (req as http.IncomingMessage & { originalUrl?: string }).originalUrl = original;
        req.url = original.slice(prefix.length) || '/';
        if (req.url.startsWith('?')) req.url = `/${req.url}`;
        quirky.handler(req, res);
      };
  let closed = false;
  return {
    ...quirky,
    port,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
