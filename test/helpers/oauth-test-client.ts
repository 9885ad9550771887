// A minimal, independent OAuth client (plain fetch) for fixture self-tests and for
// tests that need a valid token without going through MCP Keyring itself:
// dynamic registration of a native public client, PKCE S256 authorization
// requests with resource indicators, a one-shot loopback callback listener,
// code exchange, refresh and revocation.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeLogin, type CompleteLoginOptions } from './user-agent';

export interface RegisteredClient {
  client_id: string;
  [key: string]: unknown;
}

export async function registerPublicClient(issuer: string, redirectUris: string[], extra: Record<string, unknown> = {}): Promise<RegisteredClient> {
  const res = await fetch(`${issuer}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      client_name: 'fixture self-test',
      redirect_uris: redirectUris,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...extra,
    }),
  });
  const body = (await res.json()) as RegisteredClient & { error?: string; error_description?: string };
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${body.error}: ${body.error_description}`);
  return body;
}

export interface CallbackListener {
  port: number;
  redirectUri: string;
  /** Resolves with the query of the first GET /callback (answered 200 "callback received"). */
  received: Promise<URLSearchParams>;
  close(): void;
}

/** One-shot loopback listener on 127.0.0.1:<port or ephemeral>/callback. */
export async function startCallbackListener(port = 0): Promise<CallbackListener> {
  let resolve!: (params: URLSearchParams) => void;
  const received = new Promise<URLSearchParams>((r) => {
    resolve = r;
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    res.end('<!doctype html><title>done</title><p>callback received</p>');
    resolve(url.searchParams);
  });
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(port, '127.0.0.1', () => r());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    redirectUri: `http://127.0.0.1:${actual}/callback`,
    received,
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}

export interface AuthorizationRequest {
  url: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

export function buildAuthorizationRequest(
  issuer: string,
  params: { clientId: string; redirectUri: string; scope?: string; resource?: string; extra?: Record<string, string> },
): AuthorizationRequest {
  const codeVerifier = crypto.randomBytes(32).toString('base64url');
  const state = crypto.randomBytes(16).toString('base64url');
  const url = new URL(`${issuer}/auth`);
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', params.redirectUri);
  if (params.scope) url.searchParams.set('scope', params.scope);
  if (params.resource) url.searchParams.set('resource', params.resource);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', crypto.createHash('sha256').update(codeVerifier).digest('base64url'));
  url.searchParams.set('code_challenge_method', 'S256');
  for (const [k, v] of Object.entries(params.extra ?? {})) url.searchParams.set(k, v);
  return { url: url.href, state, codeVerifier, redirectUri: params.redirectUri };
}

export interface TokenResponse {
  status: number;
  body: {
    access_token?: string;
    refresh_token?: string;
    token_type?: string;
    expires_in?: number;
    scope?: string;
    error?: string;
    error_description?: string;
  };
}

export async function tokenRequest(issuer: string, params: Record<string, string>): Promise<TokenResponse> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as TokenResponse['body'] };
}

export function exchangeCode(
  issuer: string,
  p: { clientId: string; code: string; codeVerifier: string; redirectUri: string; resource?: string },
): Promise<TokenResponse> {
  return tokenRequest(issuer, {
    grant_type: 'authorization_code',
    client_id: p.clientId,
    code: p.code,
    code_verifier: p.codeVerifier,
    redirect_uri: p.redirectUri,
    ...(p.resource ? { resource: p.resource } : {}),
  });
}

export function refresh(issuer: string, p: { clientId: string; refreshToken: string; resource?: string }): Promise<TokenResponse> {
  return tokenRequest(issuer, {
    grant_type: 'refresh_token',
    client_id: p.clientId,
    refresh_token: p.refreshToken,
    ...(p.resource ? { resource: p.resource } : {}),
  });
}

export async function revoke(issuer: string, p: { clientId: string; token: string; hint?: string }): Promise<number> {
  const res = await fetch(`${issuer}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: p.clientId, token: p.token, ...(p.hint ? { token_type_hint: p.hint } : {}) }),
  });
  await res.body?.cancel();
  return res.status;
}

/**
 * Everything at once: register (unless clientId is given), authorize through the
 * scripted user agent, exchange the code. Throws unless tokens come back.
 */
export async function obtainTokens(
  issuer: string,
  p: { resource: string; scope?: string; clientId?: string; login?: CompleteLoginOptions['login'] },
): Promise<{ clientId: string; accessToken: string; refreshToken: string | undefined; redirectUri: string }> {
  const listener = await startCallbackListener();
  try {
    const clientId = p.clientId ?? (await registerPublicClient(issuer, [listener.redirectUri])).client_id;
    const request = buildAuthorizationRequest(issuer, { clientId, redirectUri: listener.redirectUri, scope: p.scope ?? 'mcp:tools', resource: p.resource });
    await completeLogin(request.url, p.login ? { login: p.login } : {});
    const params = await listener.received;
    const code = params.get('code');
    if (!code || params.get('state') !== request.state) throw new Error(`authorization failed: ${params.get('error') ?? 'state mismatch'}`);
    const tokens = await exchangeCode(issuer, { clientId, code, codeVerifier: request.codeVerifier, redirectUri: request.redirectUri, resource: p.resource });
    if (!tokens.body.access_token) throw new Error(`token request failed: ${tokens.body.error}`);
    return { clientId, accessToken: tokens.body.access_token, refreshToken: tokens.body.refresh_token, redirectUri: listener.redirectUri };
  } finally {
    listener.close();
  }
}
