// The redirect target of a native sign-in (RFC 8252 §7.3): an HTTP listener on
// 127.0.0.1 that waits for the one callback carrying this sign-in's `state`, keeps
// the browser waiting until the sign-in has finished, shows a plain result page
// and closes.
//
// Anything on this computer can send it requests. A request without the right
// `state` is not our answer: it gets a fixed error page (nothing of it is echoed)
// and the listener keeps waiting, so a forged or stale callback cannot end a
// sign-in. The right `state` on another path than this sign-in's redirect path is
// an answer meant for another authorization server (a mix-up, RFC 9700 §4.4.2):
// the sign-in is refused and nothing is sent anywhere.
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyringError } from '../errors';

export const CALLBACK_PATH = '/callback';

/**
 * The redirect path of a client MCP Keyring registered itself at `issuer`: one per
 * authorization server (RFC 9700 §4.4.2), stable so a registration can be reused.
 */
export function callbackPathFor(issuer: string): string {
  return `${CALLBACK_PATH}/${createHash('sha256').update(issuer).digest('base64url').slice(0, 16)}`;
}

// What one listener accepts, whatever is sent to it: small requests, few at a time, quickly.
const MAX_HEADER_BYTES = 16 * 1024; // an oversized query gets 431 from Node itself
const MAX_CONNECTIONS = 32;
const REQUEST_TIMEOUT_MS = 10_000;

export interface Callback {
  params: URLSearchParams;
  /** Shows the browser the outcome and closes the listener. */
  finish(outcome: { ok: true } | { ok: false; message: string }): void;
}

export interface LoopbackListener {
  port: number;
  redirectUri: string;
  /** Requests that were not this sign-in's answer (wrong or no state, other paths) so far. */
  readonly ignored: number;
  /**
   * Resolves with the first callback on the redirect path whose `state` is
   * `expectedState`; rejects on timeout, abort, or that state on another path (mix-up).
   */
  waitForCallback(options: { expectedState: string; timeoutMs: number; signal?: AbortSignal }): Promise<Callback>;
  close(): void;
}

function page(title: string, body: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#222;background:#fff}
@media (prefers-color-scheme:dark){body{color:#eee;background:#1e1e1e}}h1{font-size:1.4rem}</style></head>
<body><h1>${escape(title)}</h1><p>${escape(body)}</p></body></html>`;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  connection: 'close',
};

/** The fixed answer to anything that is not this sign-in's callback: no part of the request is echoed. */
const NOT_OURS = page('Not a current sign-in', 'MCP Keyring is not waiting for this sign-in answer (it may be old, or not come from your sign-in), so it was ignored. You can close this tab.');

function sameState(received: string | null, expected: string | undefined): boolean {
  if (received === null || expected === undefined) return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startLoopbackListener(options: { port?: number; strictPort?: boolean; path?: string } = {}): Promise<LoopbackListener> {
  const path = options.path ?? CALLBACK_PATH;
  let waiting: { expectedState: string; resolve: (callback: Callback) => void; reject: (error: Error) => void } | undefined;
  let delivered = false;
  let ignored = 0;
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    let url: URL | null = null;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {}
    const state = url?.searchParams.get('state') ?? null;
    const ours = !delivered && req.method === 'GET' && url !== null && waiting !== undefined && sameState(state, waiting.expectedState);
    if (!ours) {
      ignored++;
      const onCallbackPath = url?.pathname === CALLBACK_PATH || url?.pathname.startsWith(`${CALLBACK_PATH}/`);
      if (req.method === 'GET' && onCallbackPath) res.writeHead(400, PAGE_HEADERS).end(NOT_OURS);
      else res.writeHead(404, { 'content-type': 'text/plain', connection: 'close' }).end('Not found');
      return;
    }
    delivered = true;
    const { resolve, reject } = waiting!;
    if (url!.pathname !== path) {
      // Our state, someone else's redirect path: the answer is for another authorization server.
      res.writeHead(400, PAGE_HEADERS).end(page('Sign-in refused', 'This sign-in answer came back to the address of another authorization server, so MCP Keyring refused it and stored nothing. You can close this tab.'), () => close());
      reject(
        new KeyringError(
          'issuer-mismatch',
          'The sign-in answer came back to the redirect address of another authorization server than the one this sign-in went to (a mix-up, RFC 9700 §4.4.2); it was refused and its code was not used. Try again.',
        ),
      );
      return;
    }
    // The browser tab waits while the code is exchanged; a safety net answers it if nobody does.
    const fallback = setTimeout(() => finish({ ok: false, message: 'MCP Keyring stopped waiting. You can close this tab.' }), 60_000);
    let finished = false;
    const finish: Callback['finish'] = (outcome) => {
      if (finished) return;
      finished = true;
      clearTimeout(fallback);
      const html = outcome.ok
        ? page('Signed in', 'MCP Keyring has stored your sign-in in the system keychain. You can close this tab.')
        : page('Sign-in failed', `${outcome.message} You can close this tab.`);
      res.writeHead(outcome.ok ? 200 : 400, PAGE_HEADERS);
      res.end(html, () => close());
    };
    resolve({ params: url!.searchParams, finish });
  });
  server.keepAliveTimeout = 1;
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  const close = () => {
    server.close();
    server.closeAllConnections();
  };

  const port = await new Promise<number>((resolve, reject) => {
    const listen = (wanted: number) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE' && wanted !== 0 && !options.strictPort) return listen(0);
        reject(
          new KeyringError(
            'port-unavailable',
            error.code === 'EADDRINUSE'
              ? `Port ${wanted} on 127.0.0.1 is in use, so the sign-in callback cannot be received; close the program using it or choose another port.`
              : `Cannot listen on 127.0.0.1:${wanted} for the sign-in callback (${error.code ?? error.message}).`,
            { cause: error },
          ),
        );
      });
      server.listen(wanted, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    };
    listen(options.port ?? 0);
  });

  return {
    port,
    redirectUri: `http://127.0.0.1:${port}${path}`,
    get ignored() {
      return ignored;
    },
    waitForCallback({ expectedState, timeoutMs, signal }) {
      return new Promise<Callback>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new KeyringError('browser-timeout', `No answer from the browser within ${formatDuration(timeoutMs)}${ignored ? ` (${ignored} request${ignored === 1 ? ' that was' : 's that were'} not this sign-in's answer ignored)` : ''}; run connect again when you are ready to sign in.`));
        }, timeoutMs);
        const onAbort = () => {
          cleanup();
          reject(new KeyringError('cancelled', 'Sign-in cancelled.'));
        };
        const cleanup = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          waiting = undefined;
          if (!delivered) close();
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        const settle = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          waiting = undefined;
        };
        waiting = {
          expectedState,
          resolve: (callback) => {
            settle();
            resolve(callback);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
        };
      });
    },
    close,
  };
}

export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} seconds`;
}
