// Real oidc-provider servers for the browserless grants:
// - startMachineAuthServer: an MCP authorization server with the client_credentials
//   grant (client_secret_basic, client_secret_post, private_key_jwt), RFC 8707
//   resource indicators (JWT access tokens whose aud is the MCP server), and —
//   given an identity provider — the RFC 7523 jwt-bearer grant that redeems an
//   ID-JAG (typ oauth-id-jag+jwt, signed by the IdP, aud = this issuer, client_id =
//   the authenticated client, resource = the requested resource).
// - startIdentityProvider: a company IdP: OpenID Connect sign-in (authorization
//   code + PKCE, ID tokens, refresh tokens) and the RFC 8693 token exchange that
//   turns one of its ID tokens into an ID-JAG for an MCP authorization server.
// Both listen on 127.0.0.1 and record every token request (grant type, client,
// how the client authenticated, parameters) so a test can assert what was sent.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { loadOidcProvider, MCP_SCOPES, MemoryAdapter, MemoryStore, signingKey } from '../oidc-common';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';
export const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';

export interface TokenRequestRecord {
  grantType: string;
  /** How the client authenticated: basic (Authorization header), post (client_secret in the body), jwt (client_assertion), none. */
  clientAuth: 'basic' | 'post' | 'jwt' | 'none';
  params: Record<string, string>;
  status: number;
}

export interface RunningOidc {
  issuer: string;
  port: number;
  jwks: JSONWebKeySet;
  tokenRequests: TokenRequestRecord[];
  /** Registers (or replaces) a client at run time, e.g. once its public key is known. */
  registerClient(metadata: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

function keys(prefix: string) {
  const privateJwk = signingKey(prefix);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk as Record<string, string>;
  return { privateJwk, jwks: { keys: [publicJwk] } as unknown as JSONWebKeySet };
}

async function listen(): Promise<{ server: http.Server; port: number; setHandler(h: http.RequestListener): void }> {
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, setHandler: (h) => (handler = h) };
}

function clientAuthOf(ctx: any): TokenRequestRecord['clientAuth'] {
  const body = ctx.oidc?.body ?? {};
  if (/^Basic /i.test(ctx.headers.authorization ?? '')) return 'basic';
  if (body.client_assertion) return 'jwt';
  if (body.client_secret) return 'post';
  return 'none';
}

async function start(issuerFor: (port: number) => string, configure: (issuer: string) => Promise<{ provider: any; store: MemoryStore; jwks: JSONWebKeySet }>): Promise<RunningOidc> {
  const { server, port, setHandler } = await listen();
  const issuer = issuerFor(port);
  const { provider, store, jwks } = await configure(issuer);
  const tokenRequests: TokenRequestRecord[] = [];
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    await next();
    if (ctx.path === '/token' && ctx.method === 'POST') {
      const body = { ...(ctx.oidc?.body ?? {}) } as Record<string, string>;
      tokenRequests.push({ grantType: String(body.grant_type ?? ''), clientAuth: clientAuthOf(ctx), params: body, status: ctx.status });
    }
  });
  provider.on('server_error', (_ctx: unknown, err: Error) => console.error(`[${issuer}] server_error:`, err));
  setHandler(provider.callback());
  const clients = new MemoryAdapter('Client', store);
  return {
    issuer,
    port,
    jwks,
    tokenRequests,
    registerClient: (metadata) => clients.upsert(String(metadata.client_id), metadata),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function baseConfiguration(store: MemoryStore, privateJwk: Record<string, unknown>) {
  return {
    adapter: (name: string) => new MemoryAdapter(name, store),
    jwks: { keys: [privateJwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, sub: string) {
      return { accountId: sub, async claims() { return { sub, email: `${sub}@example.com` }; } };
    },
    clientBasedCORS: () => true,
    enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] },
  };
}

/**
 * The MCP servers' authorization server. `idp`: trust ID-JAGs from this identity provider;
 * `clientAuthMethods`: what token_endpoint_auth_methods_supported lists (default: oidc-provider's).
 */
export async function startMachineAuthServer(
  options: { accessTokenTTL?: number; idp?: { issuer: string; jwks: JSONWebKeySet }; clientAuthMethods?: string[] } = {},
): Promise<RunningOidc> {
  const ttl = options.accessTokenTTL ?? 300;
  return start(
    (port) => `http://127.0.0.1:${port}`,
    async (issuer) => {
      const { default: Provider, errors } = await loadOidcProvider();
      const store = new MemoryStore();
      const { privateJwk, jwks } = keys('machine-as');
      const provider = new Provider(issuer, {
        ...baseConfiguration(store, privateJwk),
        clients: [],
        scopes: ['openid', ...MCP_SCOPES],
        ...(options.clientAuthMethods ? { clientAuthMethods: options.clientAuthMethods } : {}),
        features: {
          devInteractions: { enabled: false },
          clientCredentials: { enabled: true },
          registration: { enabled: false },
          revocation: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf,
            useGrantedResource: async () => true,
            getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
              const url = URL.parse(indicator);
              if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new errors.InvalidTarget('resource must be an http(s) URL');
              return { scope: MCP_SCOPES.join(' '), audience: indicator, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
            },
          },
          rpInitiatedLogout: { enabled: false },
        },
        ttl: { ClientCredentials: ttl, AccessToken: ttl, Interaction: 600, Session: 3600, Grant: 3600 },
      });
      if (options.idp) {
        const idpKeys = createLocalJWKSet(options.idp.jwks);
        const idpIssuer = options.idp.issuer;
        // RFC 7523 jwt-bearer with an ID-JAG as the assertion.
        provider.registerGrantType(
          JWT_BEARER,
          async (ctx: any) => {
            const { assertion, scope, resource } = ctx.oidc.params as Record<string, string | undefined>;
            const client = ctx.oidc.client;
            let claims: Record<string, any>;
            try {
              ({ payload: claims } = await jwtVerify(assertion ?? '', idpKeys, { issuer: idpIssuer, audience: issuer, typ: 'oauth-id-jag+jwt' }));
            } catch (error) {
              throw new errors.InvalidGrant(`the ID-JAG is not valid (${(error as Error).message})`);
            }
            if (claims.client_id !== client.clientId) throw new errors.InvalidGrant('the ID-JAG was issued for another client');
            const target = resource ?? claims.resource;
            if (typeof target !== 'string' || (resource && claims.resource !== resource)) throw new errors.InvalidTarget('the ID-JAG is for another resource');
            const wanted = (scope ?? claims.scope ?? '').split(' ').filter((s: string) => MCP_SCOPES.includes(s));
            const token = new provider.AccessToken({ accountId: claims.sub, client, grantId: `id-jag-${claims.jti ?? crypto.randomUUID()}`, gty: 'jwt_bearer', scope: wanted.join(' ') || undefined });
            token.resourceServer = new provider.ResourceServer(target, { scope: MCP_SCOPES.join(' '), audience: target, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } });
            const value = await token.save();
            ctx.body = { access_token: value, token_type: 'Bearer', expires_in: token.expiration, ...(token.scope ? { scope: token.scope } : {}) };
          },
          ['assertion', 'scope', 'resource'],
          ['resource'],
        );
      }
      return { provider, store, jwks };
    },
  );
}

/**
 * A company identity provider. `asClients` maps an MCP authorization server's issuer
 * to the client id MCP Keyring has there (the ID-JAG's client_id claim).
 */
export async function startIdentityProvider(options: { asClients: Record<string, string>; idTokenTTL?: number }): Promise<RunningOidc & { idJags: Array<Record<string, unknown>> }> {
  const idJags: Array<Record<string, unknown>> = [];
  let privateKey: CryptoKey | Uint8Array | undefined;
  let verifyKeys: ReturnType<typeof createLocalJWKSet> | undefined;
  const running = await start(
    (port) => `http://127.0.0.1:${port}`,
    async (issuer) => {
      const { default: Provider, errors } = await loadOidcProvider();
      const store = new MemoryStore();
      const { privateJwk, jwks } = keys('idp');
      privateKey = await importJWK(privateJwk as any, 'RS256');
      verifyKeys = createLocalJWKSet(jwks);
      const provider = new Provider(issuer, {
        ...baseConfiguration(store, privateJwk),
        clients: [],
        scopes: ['openid', 'email', 'offline_access'],
        claims: { openid: ['sub'], email: ['email'] },
        features: {
          devInteractions: { enabled: true },
          registration: { enabled: false },
          revocation: { enabled: true },
          rpInitiatedLogout: { enabled: false },
        },
        async issueRefreshToken(_ctx: unknown, client: any) {
          return client.grantTypeAllowed('refresh_token');
        },
        ttl: { IdToken: options.idTokenTTL ?? 3600, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 3600 },
      });
      // RFC 8693: one of this IdP's ID tokens → an ID-JAG for an MCP authorization server.
      provider.registerGrantType(
        TOKEN_EXCHANGE,
        async (ctx: any) => {
          const p = ctx.oidc.params as Record<string, string | undefined>;
          if (p.requested_token_type !== ID_JAG) throw new errors.InvalidRequest('requested_token_type must be the ID-JAG type');
          if (p.subject_token_type !== ID_TOKEN) throw new errors.InvalidRequest('subject_token_type must be an ID token');
          if (!p.audience || !p.resource) throw new errors.InvalidRequest('audience and resource are required');
          let subject: Record<string, any>;
          try {
            ({ payload: subject } = await jwtVerify(p.subject_token ?? '', verifyKeys!, { issuer, audience: ctx.oidc.client.clientId }));
          } catch (error) {
            throw new errors.InvalidGrant(`the subject token is not a valid ID token of this IdP (${(error as Error).message})`);
          }
          const clientId = options.asClients[p.audience];
          if (!clientId) throw new errors.InvalidTarget(`no trust relationship with ${p.audience}`);
          const claims = { sub: subject.sub, client_id: clientId, resource: p.resource, ...(p.scope ? { scope: p.scope } : {}), jti: crypto.randomUUID() };
          idJags.push({ ...claims, aud: p.audience });
          const jag = await new SignJWT(claims)
            .setProtectedHeader({ alg: 'RS256', typ: 'oauth-id-jag+jwt', kid: String(privateJwk.kid) })
            .setIssuer(issuer)
            .setAudience(p.audience)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(privateKey!);
          ctx.body = { access_token: jag, issued_token_type: ID_JAG, token_type: 'N_A', expires_in: 300 };
        },
        ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope'],
      );
      return { provider, store, jwks };
    },
  );
  return { ...running, idJags };
}
