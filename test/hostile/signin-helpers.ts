// Helpers of the hostile sign-in tests (classes 6–9 of issue 7): a CLI `connect`
// whose "browser" is the test itself, ways to make the real authorization server
// misbehave in one precise way, hostile text, and the check that none of it got
// through to a terminal or a state file.
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KeyringEnv } from '../helpers/keyring-env';
import { scriptedBrowser } from '../helpers/run-cli';
import type { TestCertificates } from '../helpers/quirks/tls';
import { startMeasured, type MeasuredProcess } from './harness';

/** Clears the screen, homes the cursor, prints a green "Connected", sets the window title, writes the clipboard (OSC 52), an 8-bit CSI, bidi overrides. */
export const HOSTILE_TEXT =
  '\u001b[2J\u001b[H\u001b[32mConnected\u001b[0m\u001b]0;pwned\u0007\u001b]52;c;cm0gLXJmIH4=\u001b\\\u009b31mred\u202eexe.txt\u202c\u2066iso\u2069\r\nFAKE LINE\u0008\u0007';

/** Anything a terminal or the window would act on rather than show. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** `text` holds no escape sequence, control character (other than a line break) or bidi control. */
export function assertShowable(text: string, where: string): void {
  const found = UNSAFE.exec(text);
  assert.equal(found, null, `${where} holds U+${found?.[0].codePointAt(0)!.toString(16).padStart(4, '0')}: ${JSON.stringify(text.slice(Math.max(0, (found?.index ?? 0) - 40), (found?.index ?? 0) + 40))}`);
  assert.ok(!text.includes('pwned') && !text.includes('cm0gLXJmIH4='), `${where} still holds an escape sequence's payload`);
}

export interface CliSignIn {
  run: MeasuredProcess;
  /** The authorization URL the CLI printed. */
  url: URL;
  redirectUri: URL;
  state: string;
}

/**
 * `mcp-keyring connect <id>` with a browser that opens nothing: the test reads the
 * URL the CLI prints and plays browser (and attacker) itself.
 */
export async function startCliSignIn(profile: KeyringEnv, id: string, options: { timeout?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliSignIn> {
  const run = startMeasured(['connect', id, '--timeout', options.timeout ?? '30s'], {
    env: { ...profile.env, BROWSER: scriptedBrowser, SCRIPTED_BROWSER_IGNORE: '1', ...options.env },
    timeoutMs: 60_000,
  });
  const [, printed] = await run.waitForStderr(/visit:\n {2}(\S+)/);
  const url = new URL(printed!);
  return { run, url, redirectUri: new URL(url.searchParams.get('redirect_uri')!), state: url.searchParams.get('state')! };
}

/** A GET to the loopback listener, as anything on this computer could send; never throws. */
export async function poke(url: string | URL, init: RequestInit = {}): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000), ...init });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { error: String((error as Error).cause ?? error) };
  }
}

/**
 * Runs `during` with a browser whose loads of the loopback redirect URI lose their
 * RFC 9207 `iss` on the way (as from an authorization server that left it out, or an
 * attacker relaying another server's answer). The test's user agent uses the global fetch.
 */
export async function withoutIss<T>(redirectUri: URL, during: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin === redirectUri.origin && url.pathname === redirectUri.pathname) url.searchParams.delete('iss');
    return original(input instanceof Request ? new Request(url, input) : url, init);
  }) as typeof fetch;
  try {
    return await during();
  } finally {
    globalThis.fetch = original;
  }
}

export interface HostileAuthServer {
  /** Also the MCP server's origin: POST /mcp answers 401 with resource metadata naming this AS. */
  origin: string;
  mcpUrl: string;
  /** "METHOD /path" of every request. */
  requests: string[];
  close(): Promise<void>;
}

export interface HostileAuthServerOptions {
  /** Changes to its RFC 8414 metadata. */
  metadata?: (origin: string) => Record<string, unknown>;
  /** The token endpoint's answer per grant_type (default: a Bearer token with a refresh token). */
  token?: (grantType: string) => { status: number; body: unknown };
  /** The registration endpoint's answer (default: 201 with a public client). */
  register?: () => { status: number; body: unknown };
}

/**
 * A small authorization server that is at once an MCP server's origin: just enough
 * OAuth (metadata, RFC 7591 registration, an authorization endpoint that answers at
 * once with code, state and iss, a token endpoint) to bring a sign-in to the step a
 * test makes it misbehave in.
 */
export async function startHostileAuthServer(options: HostileAuthServerOptions = {}): Promise<HostileAuthServer> {
  const requests: string[] = [];
  let origin = '';
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin);
      requests.push(`${req.method} ${url.pathname}`);
      const route = `${req.method} ${url.pathname}`;
      if (route === 'POST /mcp') {
        res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"` }).end();
      } else if (route === 'GET /.well-known/oauth-protected-resource/mcp') {
        json(res, 200, { resource: `${origin}/mcp`, authorization_servers: [origin], scopes_supported: ['mcp:tools'] });
      } else if (route === 'GET /.well-known/oauth-authorization-server') {
        json(res, 200, {
          issuer: origin,
          authorization_endpoint: `${origin}/authorize`,
          token_endpoint: `${origin}/token`,
          registration_endpoint: `${origin}/register`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token'],
          code_challenge_methods_supported: ['S256'],
          authorization_response_iss_parameter_supported: true,
          ...options.metadata?.(origin),
        });
      } else if (route === 'POST /register') {
        const answer = options.register?.() ?? {
          status: 201,
          body: { client_id: `hostile-${requests.length}`, redirect_uris: JSON.parse(body).redirect_uris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] },
        };
        json(res, answer.status, answer.body);
      } else if (route === 'GET /authorize') {
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.search = new URLSearchParams({ code: 'hostile-code', state: url.searchParams.get('state') ?? '', iss: origin }).toString();
        res.writeHead(302, { location: back.href }).end();
      } else if (route === 'POST /token') {
        const grantType = new URLSearchParams(body).get('grant_type') ?? '';
        const answer = options.token?.(grantType) ?? {
          status: 200,
          body: { access_token: `at-${requests.length}-${'x'.repeat(20)}`, token_type: 'Bearer', expires_in: 3600, refresh_token: `rt-${requests.length}-${'y'.repeat(20)}`, scope: 'mcp:tools' },
        };
        json(res, answer.status, answer.body);
      } else {
        json(res, 404, { error: 'not_found' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    mcpUrl: `${origin}/mcp`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Plays the user's browser for a hostile authorization server: load the authorization URL, follow its one redirect to the loopback listener. */
export async function browse(authorizationUrl: URL): Promise<{ status: number; body: string } | { error: string }> {
  const first = await fetch(authorizationUrl, { redirect: 'manual' });
  await first.body?.cancel();
  const location = first.headers.get('location');
  if (!location) return { error: `no redirect (HTTP ${first.status})` };
  return poke(location);
}

export interface HttpsHost {
  port: number;
  requests: string[];
  close(): Promise<void>;
}

/**
 * An https server on 127.0.0.1 for names a forward proxy maps here (so, to the
 * CLI, a public host): `route` answers by Host header, method and path.
 */
export async function startHttpsHost(
  certs: TestCertificates,
  route: (host: string, method: string, path: string) => { status?: number; headers?: Record<string, string>; body?: unknown } | undefined,
): Promise<HttpsHost> {
  const requests: string[] = [];
  const server = https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    req.resume();
    const host = req.headers.host ?? '';
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    requests.push(`${req.method} https://${host}${path}`);
    const answer = route(host, req.method ?? 'GET', path) ?? { status: 404, body: 'not found' };
    const json = typeof answer.body === 'object';
    res.writeHead(answer.status ?? 200, { ...(json ? { 'content-type': 'application/json' } : {}), ...answer.headers }).end(json ? JSON.stringify(answer.body) : String(answer.body ?? ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
