// The fetch the SDK transports use towards the remote server: it adds the
// credentials, renews and retries once on 401, and turns 403 insufficient_scope
// into a step-up request. Everything else passes through untouched.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { parseBearerChallenge } from '../discovery/www-authenticate';
import type { AuthHeaders, Credentials } from './credentials';

/** Headers of any shape (Headers, HeadersLite, tuples, record) as a plain record. */
function toRecord(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  const withForEach = headers as { forEach?: (cb: (value: string, key: string) => void) => void };
  if (typeof withForEach.forEach === 'function') {
    const out: Record<string, string> = {};
    withForEach.forEach((value, key) => {
      out[key] = value;
    });
    return out;
  }
  return { ...(headers as Record<string, string>) };
}

function withAuth(init: RequestInit | undefined, auth: AuthHeaders): RequestInit {
  const headers = toRecord(init?.headers);
  for (const name of Object.keys(auth)) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
  }
  return { ...init, headers: { ...headers, ...auth } };
}

export function createAuthFetch(baseFetch: FetchLike, credentials: Credentials): FetchLike {
  return async (input, init) => {
    const auth = await credentials.headers();
    let response = await baseFetch(input, withAuth(init, auth));
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      if (!Object.keys(auth).length) throw await credentials.refused();
      response = await baseFetch(input, withAuth(init, await credentials.renew(auth)));
      if (response.status === 401) {
        await response.body?.cancel().catch(() => undefined);
        throw await credentials.refused();
      }
    }
    if (response.status === 403) {
      const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
      if (challenge?.error === 'insufficient_scope') {
        await response.body?.cancel().catch(() => undefined);
        throw await credentials.insufficientScope(challenge.scope ?? []);
      }
    }
    return response;
  };
}
