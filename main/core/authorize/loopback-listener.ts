// The one-shot redirect target of a native sign-in (RFC 8252 §7.3): an HTTP
// listener on 127.0.0.1 that takes exactly one /callback, keeps the browser
// waiting until the sign-in has finished, shows a plain result page and closes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyringError } from '../errors';

export const CALLBACK_PATH = '/callback';

export interface Callback {
  params: URLSearchParams;
  /** Shows the browser the outcome and closes the listener. */
  finish(outcome: { ok: true } | { ok: false; message: string }): void;
}

export interface LoopbackListener {
  port: number;
  redirectUri: string;
  /** Resolves with the first /callback; rejects on timeout or abort. */
  waitForCallback(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Callback>;
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

export async function startLoopbackListener(options: { port?: number; strictPort?: boolean } = {}): Promise<LoopbackListener> {
  let deliver: ((callback: Callback) => void) | undefined;
  let delivered = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || delivered) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    delivered = true;
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
      res.writeHead(outcome.ok ? 200 : 400, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        'referrer-policy': 'no-referrer',
        connection: 'close',
      });
      res.end(html, () => close());
    };
    deliver?.({ params: url.searchParams, finish });
  });
  server.keepAliveTimeout = 1;
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
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    waitForCallback({ timeoutMs, signal }) {
      return new Promise<Callback>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new KeyringError('browser-timeout', `No answer from the browser within ${formatDuration(timeoutMs)}; run connect again when you are ready to sign in.`));
        }, timeoutMs);
        const onAbort = () => {
          cleanup();
          reject(new KeyringError('cancelled', 'Sign-in cancelled.'));
        };
        const cleanup = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          deliver = undefined;
          if (!delivered) close();
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        deliver = (callback) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(callback);
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
