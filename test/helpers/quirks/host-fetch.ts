// A fetch with its own host table and trusted CA, for the parts of a test that
// play someone else's network: the user's browser reaching https://as.quirks.test
// (a name no DNS knows), or an authorization server fetching a Client ID
// Metadata Document from an https server with a test certificate. It is plain
// node:http / node:https (never the code under test); hosts not in the table
// go to the global fetch.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { completeLogin, type CompleteLoginOptions, type CompleteLoginResult } from '../user-agent';

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function hostMappedFetch(options: { hosts?: Record<string, string>; ca?: string }): FetchFn {
  const original = globalThis.fetch;
  const hosts = options.hosts ?? {};
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const mapped = hosts[url.hostname.toLowerCase()];
    const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(url.hostname);
    if (!mapped && !(isIp && url.protocol === 'https:' && options.ca)) return original(input, init);
    const lookup: LookupFunction = (_host, opts, callback) => {
      const address = mapped ?? url.hostname;
      if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family: 4 }]);
      else callback(null, address, 4);
    };
    const headers = new Headers(init.headers);
    const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : String(init.body);
    const requestHeaders: Record<string, string> = {};
    headers.forEach((value, key) => (requestHeaders[key] = value));
    return new Promise<Response>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        { method: init.method ?? 'GET', headers: requestHeaders, lookup, ...(options.ca ? { ca: options.ca } : {}), agent: false },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('error', reject);
          response.on('end', () => {
            const out = new Headers();
            for (let i = 0; i < response.rawHeaders.length; i += 2) out.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
            const status = response.statusCode ?? 500;
            const nullBody = [101, 204, 205, 304].includes(status);
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? '', headers: out }));
          });
        },
      );
      request.on('error', (cause) => reject(new TypeError('fetch failed', { cause })));
      if (init.signal) init.signal.addEventListener('abort', () => request.destroy(init.signal!.reason as Error), { once: true });
      request.end(body);
    });
  };
}

/**
 * completeLogin (test/helpers/user-agent.ts: oidc-provider's login and consent pages,
 * then the loopback redirect) with a browser whose network is `browserFetch`.
 */
export async function completeLoginWith(browserFetch: FetchFn, authorizationUrl: string, options: CompleteLoginOptions = {}): Promise<CompleteLoginResult> {
  const original = globalThis.fetch;
  globalThis.fetch = browserFetch as typeof fetch;
  try {
    return await completeLogin(authorizationUrl, options);
  } finally {
    globalThis.fetch = original;
  }
}
