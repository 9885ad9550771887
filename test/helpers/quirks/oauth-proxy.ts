// A FastMCP-style OAuth proxy (FastMCP's OAuthProxy / OIDCProxy pattern): the MCP
// server presents itself as the authorization server — RFC 8414 metadata,
// /register, /authorize and /token on its own origin — while the user really signs
// in at an upstream OpenID provider that offers no dynamic registration. The proxy
// registers MCP clients itself, keeps the client's PKCE challenge, sends the user
// upstream with its own fixed client and PKCE, exchanges the upstream code at its
// /auth/callback, hands the client a code of its own, and passes the upstream
// tokens through (refreshes go upstream with the proxy's client credentials).
// Small, but every step is real HTTP against a real upstream (oidc-provider).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import express, { type Express } from 'express';

export interface OAuthProxyOptions {
  /** Upstream issuer (OIDC discovery is used to find its endpoints). */
  upstreamIssuer: string;
  /** The proxy's own confidential client at the upstream provider. */
  upstreamClientId: string;
  upstreamClientSecret: string;
  /** RFC 8707 resource asked for upstream (the MCP server's URL: the token audience). */
  resource: string;
  scopes: string[];
}

export interface OAuthProxyStats {
  registrations: number;
  authorizations: number;
  /** Upstream codes exchanged at /auth/callback. */
  upstreamCodeExchanges: number;
  /** Proxy codes redeemed at /token. */
  codeGrants: number;
  refreshGrants: number;
  /** /token requests refused (bad PKCE, unknown code, …). */
  refused: number;
}

export interface OAuthProxy {
  stats: OAuthProxyStats;
  /** The redirect URI the proxy's upstream client must be registered with. */
  callbackUrl: string;
}

/** The redirect URI of the proxy's upstream client, known before the proxy is mounted. */
export function proxyCallbackUrl(origin: string): string {
  return `${origin}/auth/callback`;
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export async function mountOAuthProxy(app: Express, origin: string, options: OAuthProxyOptions): Promise<OAuthProxy> {
  const upstream = (await (await fetch(`${options.upstreamIssuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const callbackUrl = proxyCallbackUrl(origin);
  const stats: OAuthProxyStats = { registrations: 0, authorizations: 0, upstreamCodeExchanges: 0, codeGrants: 0, refreshGrants: 0, refused: 0 };
  const clients = new Map<string, { redirectUris: string[] }>();
  const transactions = new Map<string, { clientId: string; redirectUri: string; codeChallenge: string; state: string; upstreamVerifier: string }>();
  const codes = new Map<string, { clientId: string; redirectUri: string; codeChallenge: string; tokens: Record<string, unknown>; expiresAt: number }>();

  const upstreamToken = async (params: Record<string, string>) => {
    const response = await fetch(upstream.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...params, client_id: options.upstreamClientId, client_secret: options.upstreamClientSecret, resource: options.resource }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  app.get('/.well-known/oauth-authorization-server', (_req, res) => {
    res.json({
      issuer: origin,
      authorization_endpoint: `${origin}/authorize`,
      token_endpoint: `${origin}/token`,
      registration_endpoint: `${origin}/register`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: options.scopes,
    });
  });

  app.post('/register', express.json(), (req, res) => {
    const redirectUris = req.body?.redirect_uris;
    if (!Array.isArray(redirectUris) || !redirectUris.length || !redirectUris.every((u) => typeof u === 'string')) {
      return void res.status(400).json({ error: 'invalid_redirect_uri' });
    }
    const clientId = `fastmcp-${randomUUID()}`;
    clients.set(clientId, { redirectUris });
    stats.registrations++;
    res.status(201).json({
      client_id: clientId,
      client_id_issued_at: Math.floor(Date.now() / 1000),
      redirect_uris: redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      client_name: req.body?.client_name,
    });
  });

  app.get('/authorize', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const client = clients.get(q.client_id ?? '');
    if (!client || !q.redirect_uri || !client.redirectUris.includes(q.redirect_uri)) return void res.status(400).json({ error: 'invalid_request', error_description: 'unknown client or redirect_uri' });
    if (q.response_type !== 'code' || q.code_challenge_method !== 'S256' || !q.code_challenge || !q.state) {
      return void res.status(400).json({ error: 'invalid_request', error_description: 'response_type=code with S256 PKCE and state required' });
    }
    const id = randomUUID();
    const upstreamVerifier = randomBytes(32).toString('base64url');
    transactions.set(id, { clientId: q.client_id!, redirectUri: q.redirect_uri, codeChallenge: q.code_challenge, state: q.state, upstreamVerifier });
    const target = new URL(upstream.authorization_endpoint);
    target.search = new URLSearchParams({
      client_id: options.upstreamClientId,
      redirect_uri: callbackUrl,
      response_type: 'code',
      scope: q.scope ?? options.scopes.join(' '),
      state: id,
      code_challenge: s256(upstreamVerifier),
      code_challenge_method: 'S256',
      resource: options.resource,
    }).toString();
    res.redirect(302, target.href);
  });

  app.get('/auth/callback', async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const txn = transactions.get(q.state ?? '');
    if (!txn) return void res.status(400).send('unknown transaction');
    transactions.delete(q.state!);
    const back = new URL(txn.redirectUri);
    back.searchParams.set('state', txn.state);
    if (!q.code) {
      back.searchParams.set('error', q.error ?? 'server_error');
      return void res.redirect(302, back.href);
    }
    const exchanged = await upstreamToken({ grant_type: 'authorization_code', code: q.code, redirect_uri: callbackUrl, code_verifier: txn.upstreamVerifier });
    stats.upstreamCodeExchanges++;
    if (exchanged.status !== 200) {
      back.searchParams.set('error', 'server_error');
      return void res.redirect(302, back.href);
    }
    const code = randomBytes(24).toString('base64url');
    codes.set(code, { clientId: txn.clientId, redirectUri: txn.redirectUri, codeChallenge: txn.codeChallenge, tokens: exchanged.body, expiresAt: Date.now() + 60_000 });
    stats.authorizations++;
    back.searchParams.set('code', code);
    res.redirect(302, back.href);
  });

  app.post('/token', express.urlencoded({ extended: false }), async (req, res) => {
    res.set('cache-control', 'no-store');
    const p = req.body as Record<string, string | undefined>;
    const refuse = (error: string, description: string) => {
      stats.refused++;
      res.status(400).json({ error, error_description: description });
    };
    if (!clients.has(p.client_id ?? '')) return refuse('invalid_client', 'unknown client');
    if (p.grant_type === 'authorization_code') {
      const entry = codes.get(p.code ?? '');
      codes.delete(p.code ?? '');
      if (!entry || entry.expiresAt < Date.now() || entry.clientId !== p.client_id || entry.redirectUri !== p.redirect_uri) return refuse('invalid_grant', 'unknown or expired code');
      if (!p.code_verifier || s256(p.code_verifier) !== entry.codeChallenge) return refuse('invalid_grant', 'PKCE verification failed');
      stats.codeGrants++;
      return void res.json(entry.tokens);
    }
    if (p.grant_type === 'refresh_token' && p.refresh_token) {
      const refreshed = await upstreamToken({ grant_type: 'refresh_token', refresh_token: p.refresh_token });
      if (refreshed.status === 200) stats.refreshGrants++;
      else stats.refused++;
      return void res.status(refreshed.status).json(refreshed.body);
    }
    refuse('unsupported_grant_type', `grant_type ${p.grant_type} is not supported`);
  });

  return { stats, callbackUrl };
}
