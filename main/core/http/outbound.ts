// Outbound requests of the core (discovery, registration, token endpoint) go
// through here: one fetch (node:http based, so HTTPS_PROXY / NO_PROXY and
// NODE_EXTRA_CA_CERTS apply to every request, as they do in the bridge), one
// timeout policy, and one way to turn network failures into a message naming
// the host that could not be reached.
import * as oauth from 'oauth4webapi';
import { KeyringError } from '../errors';
import { isLoopbackHost } from '../url-policy';
import { createNodeFetch, type NodeFetch } from './node-fetch';

export const REQUEST_TIMEOUT_MS = 15_000;

let shared: NodeFetch | undefined;
/** The fetch every outbound request uses (created on first use, so the proxy environment is read then). */
export function outboundFetch(): NodeFetch {
  shared ??= createNodeFetch({ userAgent: 'mcp-keyring' });
  return shared;
}

const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/;

export function unreachable(url: string | URL, error: unknown): KeyringError {
  const target = new URL(String(url));
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  let reason = code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  let advice = 'check the URL and your network';
  if ((error as Error)?.name === 'TimeoutError') reason = `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  else if (code === 'ERR_PROXY_TUNNEL' && cause?.message) {
    reason = cause.message; // names the proxy and what it answered
    advice = 'check HTTPS_PROXY and the proxy credentials';
  } else if (code && CERTIFICATE_ERRORS.test(code)) {
    advice = "its certificate is not trusted here; if your organisation uses its own CA, point NODE_EXTRA_CA_CERTS at that CA's certificate";
  }
  return new KeyringError('server-unreachable', `Cannot reach ${target.origin} (${reason}); ${advice}.`, { cause: error });
}

/** GET/POST with a timeout; network failures become server-unreachable errors. */
export async function request(url: string | URL, init: RequestInit = {}): Promise<Response> {
  try {
    return (await outboundFetch()(url, { redirect: 'manual', ...init, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) })) as Response;
  } catch (error) {
    throw unreachable(url, error);
  }
}

/** oauth4webapi options for requests to `url`: our fetch, a timeout, and plain http only to loopback. */
export function oauthHttpOptions(url: string | URL): { [oauth.allowInsecureRequests]?: boolean; [oauth.customFetch]: typeof fetch; signal: () => AbortSignal } {
  const target = new URL(String(url));
  return {
    ...(target.protocol === 'http:' && isLoopbackHost(target.hostname) ? { [oauth.allowInsecureRequests]: true } : {}),
    [oauth.customFetch]: outboundFetch() as unknown as typeof fetch,
    signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  };
}

/** Runs an oauth4webapi request, turning network failures into server-unreachable. */
export async function oauthCall<T>(url: string | URL, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = (error as Error)?.name;
    if ((error instanceof TypeError && error.message === 'fetch failed') || name === 'TimeoutError' || name === 'AbortError') throw unreachable(url, error);
    throw error;
  }
}
