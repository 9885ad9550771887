// A real OAuth 2.1 / OpenID Connect authorization server for integration tests:
// an oidc-provider instance on http://127.0.0.1:<port> with open dynamic client
// registration, PKCE (S256), resource indicators issuing RFC 9068 JWT access
// tokens, rotating refresh tokens, revocation, RFC 9207 `iss` and the built-in
// development login/consent pages (any username, any password).
//
// Notes on oidc-provider 9 behaviour this fixture relies on (verified in its lib/):
// - Loopback redirect URIs: Client#redirectUriAllowed ignores the port of
//   http://127.0.0.1|localhost|[::1] redirect URIs for application_type "native"
//   clients (RFC 8252 §7.3). Clients registered as "web" (the default
//   application_type) must match the registered port exactly.
// - It already serves discovery at both /.well-known/openid-configuration and
//   /.well-known/oauth-authorization-server; `discovery: 'oidc-only'` hides the latter.
// - `iss` is always added to authorization responses (and errors) and the metadata
//   says authorization_response_iss_parameter_supported: true.
// - Refresh tokens are issued by default only with offline_access (+ prompt=consent);
//   `issueRefreshToken` is overridden so every code grant of a client allowed to use
//   refresh_token gets one. A consumed (rotated) refresh token presented again fails
//   with invalid_grant and revokes the whole grant (lib/actions/grants/refresh_token.js).
// - JWT (structured) access tokens cannot be revoked at the revocation endpoint
//   (unsupported_token_type); refresh tokens can, and revoking one revokes its grant.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadOidcProvider, MCP_SCOPES, MemoryAdapter, MemoryStore, signingKey } from './oidc-common';

export interface AuthServerOptions {
  /** Lifetime of JWT access tokens in seconds (default 60). */
  accessTokenTTL?: number;
  /** Lifetime of refresh tokens in seconds (default 14 days). */
  refreshTokenTTL?: number;
  /** 'both' (default): OIDC and RFC 8414 metadata; 'oidc-only': RFC 8414 path answers 404. */
  discovery?: 'both' | 'oidc-only';
  /** Open dynamic client registration (default true). false: no registration_endpoint. */
  registration?: boolean;
  /**
   * Reject authorization, pushed authorization and token (code / refresh) requests
   * that carry no `resource` parameter with invalid_target (default false). Without
   * it, code/refresh requests lacking `resource` get a token for the granted resource.
   */
  requireResource?: boolean;
  /** Resource indicator used when a request carries none (default: none, plain OIDC behaviour). */
  defaultResource?: string;
  /** Pre-registered clients (oidc-provider client metadata), e.g. for registration: false. */
  clients?: Array<Record<string, unknown>>;
  /** Enable DPoP (default false: the MCP server fixture accepts Bearer tokens only). */
  dpop?: boolean;
  /** Port to listen on (default 0 = ephemeral). */
  port?: number;
}

export interface AuthServerStats {
  /** Every POST to the token endpoint (successful or not). */
  tokenRequests: number;
  /** Successful authorization_code grants. */
  codeGrants: number;
  /** Successful refresh_token grants. */
  refreshGrants: number;
  /** Token endpoint errors with error=invalid_grant. */
  invalidGrant: number;
  /** Successful dynamic client registrations. */
  registrations: number;
  /** Successful (HTTP 200) revocation requests. */
  revocations: number;
  /** Successful authorization responses (code issued). */
  authorizations: number;
}

/** The slice of oidc-provider's Provider the tests may touch (the package ships no types). */
export interface OidcProvider {
  issuer: string;
  on(event: string, listener: (...args: any[]) => void): unknown;
  [key: string]: any;
}

export interface AuthServer {
  /** http://127.0.0.1:<port> (no trailing slash). */
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  registrationEndpoint: string | undefined;
  stats: AuthServerStats;
  /** Destroys every grant, token, code, session and interaction: refresh tokens stop working. */
  revokeAllGrants(): Promise<void>;
  /** Forgets every dynamically registered client (as if the AS lost its registrations). */
  forgetClients(): Promise<void>;
  close(): Promise<void>;
  provider: OidcProvider;
}


// --- server -----------------------------------------------------------------------
function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const accessTokenTTL = options.accessTokenTTL ?? 60;
  const refreshTokenTTL = options.refreshTokenTTL ?? 14 * 24 * 60 * 60;
  const registration = options.registration ?? true;
  const discoveryMode = options.discovery ?? 'both';
  const requireResource = options.requireResource ?? false;

  const { default: Provider, errors } = await loadOidcProvider();

  // Listen first so the issuer (which contains the port) is known before the provider exists.
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = http.createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 1000;
  const port = await listen(server, options.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;

  const store = new MemoryStore();
  const stats: AuthServerStats = {
    tokenRequests: 0,
    codeGrants: 0,
    refreshGrants: 0,
    invalidGrant: 0,
    registrations: 0,
    revocations: 0,
    authorizations: 0,
  };

  const resourceRequiredRoutes = new Set(['authorization', 'pushed_authorization_request']);

  const provider: OidcProvider = new Provider(issuer, {
    adapter: (name: string) => new MemoryAdapter(name, store),
    jwks: { keys: [signingKey()] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    clients: options.clients ?? [],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      id_token_signed_response_alg: 'RS256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', ...MCP_SCOPES],
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, sub: string) {
      return { accountId: sub, async claims() { return { sub, name: sub }; } };
    },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: registration, initialAccessToken: false },
      revocation: {
        enabled: true,
        // Default policy minus its "you SHOULD change it" notice.
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
        async defaultResource(ctx: any, _client: unknown, oneOf?: string[]) {
          if (oneOf) return oneOf;
          // (Called without oneOf by authorization / PAR requests that carry no resource.)
          if (requireResource && resourceRequiredRoutes.has(ctx.oidc?.route)) {
            throw new errors.InvalidTarget('the resource parameter is required');
          }
          return options.defaultResource;
        },
        // Called by code and refresh grants that carry no `resource` while the grant
        // has one: keep the granted audience (instead of turning into an opaque
        // userinfo token when openid was requested), or refuse under requireResource.
        async useGrantedResource() {
          if (requireResource) throw new errors.InvalidTarget('the resource parameter is required');
          return true;
        },
        async getResourceServerInfo(_ctx: unknown, resourceIndicator: string) {
          const url = URL.parse(resourceIndicator);
          if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
            throw new errors.InvalidTarget('resource must be an http(s) URL');
          }
          return {
            scope: MCP_SCOPES.join(' '),
            audience: resourceIndicator,
            accessTokenTTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      // The MCP server fixture only understands Bearer tokens: no DPoP unless asked for.
      dPoP: { enabled: options.dpop ?? false },
      // Not needed by MCP clients; keep the surface small.
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: true },
    },
    // Refresh token on every code grant of clients allowed to use refresh_token.
    async issueRefreshToken(_ctx: unknown, client: any) {
      return client.grantTypeAllowed('refresh_token');
    },
    // Always rotate. oidc-provider consumes the old refresh token *before* resolving
    // the requested resource, so a refresh failing with invalid_target would burn the
    // token (and its reuse would then revoke the grant). Check the resource here,
    // before the rotation, so such requests fail without side effects.
    rotateRefreshToken(ctx: any) {
      const resource = ctx.oidc?.params?.resource;
      const token = ctx.oidc?.entities?.RefreshToken;
      if (requireResource && !resource) throw new errors.InvalidTarget('the resource parameter is required');
      if (typeof resource === 'string' && token && !token.resourceIndicators.has(resource)) {
        throw new errors.InvalidTarget('resource was not granted');
      }
      return true;
    },
    // Tokens outlive the browser session of the login page.
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
      Grant: refreshTokenTTL,
      RefreshToken: refreshTokenTTL,
    },
  });

  // Counters. Token/revocation requests are counted by path so failures count too.
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    await next();
    if (ctx.method !== 'POST') return;
    if (ctx.path === '/token') stats.tokenRequests++;
    else if (ctx.path === '/token/revocation' && ctx.status === 200) stats.revocations++;
  });
  provider.on('grant.success', (ctx: any) => {
    const gty = ctx.oidc?.params?.grant_type;
    if (gty === 'refresh_token') stats.refreshGrants++;
    else if (gty === 'authorization_code') stats.codeGrants++;
  });
  provider.on('grant.error', (_ctx: unknown, err: any) => {
    if (err?.error === 'invalid_grant') stats.invalidGrant++;
  });
  provider.on('registration_create.success', () => {
    stats.registrations++;
  });
  provider.on('authorization.success', () => {
    stats.authorizations++;
  });
  provider.on('server_error', (_ctx: unknown, err: Error) => {
    console.error(`[auth-server ${issuer}] server_error:`, err);
  });

  const callback = provider.callback();
  handler = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (discoveryMode === 'oidc-only' && path === '/.well-known/oauth-authorization-server') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    callback(req, res);
  };

  let closed = false;
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    tokenEndpoint: `${issuer}/token`,
    registrationEndpoint: registration ? `${issuer}/reg` : undefined,
    stats,
    provider,
    async revokeAllGrants() {
      store.clear(['Client']);
    },
    async forgetClients() {
      store.model('Client').clear();
    },
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
