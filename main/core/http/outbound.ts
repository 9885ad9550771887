// Outbound requests of the core (discovery, registration, token endpoint) go
// through here: one fetch (node:http based, so HTTPS_PROXY / NO_PROXY and
// NODE_EXTRA_CA_CERTS apply to every request, as they do in the bridge), one
// timeout policy, the OAuth size limit on every body (1 MiB, ./body-limits.ts),
// and one way to turn network failures into a message naming the host that
// could not be reached (or what it did wrong: a refused redirect, an oversize
// body, no complete answer in time).
import * as oauth from 'oauth4webapi';
import { KeyringError } from '../errors';
import { isLoopbackHost } from '../url-policy';
import { OAUTH_BODY_LIMITS } from './body-limits';
import { formatSeconds } from './deadlines';
import { createNodeFetch, type NodeFetch } from './node-fetch';
import { RedirectRefusedError, redirectVerdict } from './redirect-policy';

export const REQUEST_TIMEOUT_MS = 15_000;
/** The callers' AbortSignal, a backstop: the fetch's own deadline (REQUEST_TIMEOUT_MS) comes first, with a clearer error. */
const SIGNAL_TIMEOUT_MS = REQUEST_TIMEOUT_MS + 1_000;

/** A fetch with the core's outbound policy (user agent, OAuth body limits, deadlines); the proxy environment is read now. */
export function createOutboundFetch(): NodeFetch {
  return createNodeFetch({
    userAgent: 'mcp-keyring',
    limits: OAUTH_BODY_LIMITS,
    deadlines: { responseMs: REQUEST_TIMEOUT_MS, eventIdleMs: REQUEST_TIMEOUT_MS },
  });
}

/**
 * A fetch created on its first request (so a process that never goes out, like a
 * bridge with a fresh token, pays nothing). The composition root (../keyring.ts)
 * calls this once and hands the result to every flow; there is no module default.
 */
export function lazyOutboundFetch(create: () => NodeFetch = createOutboundFetch): NodeFetch {
  let instance: NodeFetch | undefined;
  return (input, init) => (instance ??= create())(input, init);
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The fetch oauth4webapi gets. It asks for redirect: 'manual' and would then
 * report an "unexpected HTTP status code"; a token, registration or revocation
 * request carries client credentials, a refresh token or a code, so it is never
 * redirected anywhere: the 3xx fails here, naming where it pointed.
 */
const oauthFetchVia = (via: NodeFetch) => async (input: string | URL | { url: string }, init?: RequestInit): Promise<Response> => {
  const response = await via(input, init);
  const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
  if (location === null) {
    // oauth4webapi reads an error answer only to find `error` in it, and swallows a
    // failed read: an oversize or stalled body would then show as "unexpected HTTP
    // status code". Read it here (same limits; clone() keeps it for oauth4webapi).
    if (!response.ok) await response.clone().arrayBuffer().catch((error: unknown) => {
      throw new TypeError('fetch failed', { cause: error });
    });
    return response as unknown as Response;
  }
  await response.body?.cancel().catch(() => undefined);
  const from = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    to = new URL('invalid:');
  }
  const verdict = redirectVerdict(from, to);
  throw new TypeError('fetch failed', { cause: new RedirectRefusedError(from, to, verdict.follow ? 'oauth' : verdict.reason) });
};

const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/;

export function unreachable(url: string | URL, error: unknown): KeyringError {
  const target = new URL(String(url));
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  let reason = code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  let advice = 'check the URL and your network';
  const refused = transportRefusal(error);
  if (refused) return new KeyringError('server-unreachable', `${refused}.`, { cause: error });
  if ((error as Error)?.name === 'TimeoutError') reason = `no answer within ${formatSeconds(REQUEST_TIMEOUT_MS)}`;
  else if (code === 'ERR_PROXY_TUNNEL' && cause?.message) {
    reason = cause.message; // names the proxy and what it answered
    advice = 'check HTTPS_PROXY and the proxy credentials';
  } else if (code && CERTIFICATE_ERRORS.test(code)) {
    advice = "its certificate is not trusted here; if your organisation uses its own CA, point NODE_EXTRA_CA_CERTS at that CA's certificate";
  }
  return new KeyringError('server-unreachable', `Cannot reach ${target.origin} (${reason}); ${advice}.`, { cause: error });
}

const TRANSPORT_CODES = new Set(['ERR_REDIRECT_REFUSED', 'ERR_RESPONSE_TOO_LARGE', 'ERR_INFLATE_RATIO', 'ERR_DEADLINE']);

/** The message of a redirect, size or deadline refusal by the fetch (the error itself or its cause), else undefined. */
export function transportRefusal(error: unknown): string | undefined {
  for (const candidate of [error, (error as { cause?: unknown })?.cause]) {
    const code = (candidate as { code?: unknown })?.code;
    if (typeof code === 'string' && TRANSPORT_CODES.has(code)) return (candidate as Error).message;
  }
  return undefined;
}

/** GET/POST through `via` with a timeout; network failures become server-unreachable errors. */
export async function request(via: NodeFetch, url: string | URL, init: RequestInit = {}): Promise<Response> {
  try {
    return (await via(url, { redirect: 'manual', ...init, signal: init.signal ?? AbortSignal.timeout(SIGNAL_TIMEOUT_MS) })) as Response;
  } catch (error) {
    throw unreachable(url, error);
  }
}

/** oauth4webapi options for requests to `url`: the caller's fetch (`via`) without redirects, a timeout, and plain http only to loopback. */
export function oauthHttpOptions(url: string | URL, via: NodeFetch): { [oauth.allowInsecureRequests]?: boolean; [oauth.customFetch]: typeof fetch; signal: () => AbortSignal } {
  const target = new URL(String(url));
  return {
    ...(target.protocol === 'http:' && isLoopbackHost(target.hostname) ? { [oauth.allowInsecureRequests]: true } : {}),
    [oauth.customFetch]: oauthFetchVia(via) as typeof fetch,
    signal: () => AbortSignal.timeout(SIGNAL_TIMEOUT_MS),
  };
}

/** Runs an oauth4webapi request, turning network failures into server-unreachable. */
export async function oauthCall<T>(url: string | URL, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // oauth4webapi wraps a failed body read ("failed to parse JSON") with the fetch's error as the cause.
    for (const candidate of [error, (error as { cause?: unknown })?.cause]) {
      const name = (candidate as Error)?.name;
      if ((candidate instanceof TypeError && candidate.message === 'fetch failed') || name === 'TimeoutError' || name === 'AbortError' || transportRefusal(candidate)) {
        throw unreachable(url, candidate);
      }
    }
    throw error;
  }
}
