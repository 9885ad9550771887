// The window without Electron: a small HTTP server on 127.0.0.1 that serves the
// built renderer (dist/renderer) plus a stand-in for the preload. The stand-in
// (/harness-bridge.js, loaded before app.js by a harness-only copy of
// index.html) implements RendererBridge from shared/ipc-contract.ts over HTTP:
//   invoke(channel, request) → POST /api/<channel> (JSON body) → IpcResult JSON
//   on(event, listener)      → GET /events (Server-Sent Events, one event name each)
// Both ends are backed by createKeyringService(keyring, platform) — the very
// object the Electron shell binds to ipcMain — so the page runs the real
// contract against the real core. The page keeps its strict CSP: the bridge
// script comes from 'self' and talks to 'self' only.
// Like the app, the harness runs the local HTTP bridge (on a free port) and hands
// it to the service as platform.httpBridge, and names the CLI (dist/cli.mjs run by
// node) as platform.cliCommand, so every "Use in…" form can be written.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { IPC_EVENTS, type AppSettings } from '../../shared/ipc-contract';
import { appCliCommand } from '../../main/app/app-layout';
import { startHttpBridge, type HttpBridge } from '../../main/core/bridge/http-bridge';
import { bridgeLaunch } from '../../main/core/clients/launch';
import { createKeyringService, invokeChannel, isIpcChannel, type KeyringPlatform, type KeyringService } from '../../main/core/service/keyring-service';
import { actorLabel } from '../../main/core/actor';
import { Keyring } from '../../main/core/keyring';
import { completeLoginInChromium } from '../helpers/chromium';
import { bridgePath, repoRoot } from '../helpers/keyring-env';
import { completeLogin } from '../helpers/user-agent';

export const rendererDir = path.join(repoRoot, 'dist', 'renderer');

export interface HarnessOptions {
  keyring: Keyring;
  /** The keyring profile's environment for the bridge entries written into client configs. */
  bridgeEnv: Record<string, string>;
  /** Where client config files live (temp directories in tests). */
  clientEnvironment: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv; homedir: string };
  /**
   * What "open the system browser" does with a sign-in URL:
   * 'chromium' completes the login in a real Chromium, 'http' with a scripted user
   * agent, 'manual' queues the URL for the test (see nextSignInUrl) and lets it decide.
   */
  browser?: 'chromium' | 'http' | 'manual';
  signInTimeoutMs?: number;
  /** Run the local HTTP bridge (port 0) for the 'http' entry form; default true. */
  httpBridge?: boolean;
}

export interface Harness {
  /** The harness page: the real window with the HTTP bridge. */
  url: string;
  origin: string;
  service: KeyringService;
  /** URLs the window asked to open with app:open-external. */
  openedExternally: string[];
  settings: AppSettings;
  /** Sign-in URLs that reached "open the browser", oldest first ('manual' mode). */
  nextSignInUrl(timeoutMs?: number): Promise<string>;
  /** Errors from opening the browser in 'chromium' / 'http' mode. */
  browserErrors: string[];
  /** The local HTTP bridge the service hands out (undefined when turned off). */
  httpBridge: HttpBridge | undefined;
  close(): Promise<void>;
}

/** The stand-in preload. Plain browser JavaScript; `EVENTS` is filled in when served. */
function bridgeScript(): string {
  return `// MCP Keyring test harness: RendererBridge over HTTP (see test/e2e/harness.ts).
(() => {
  'use strict';
  const EVENTS = ${JSON.stringify(IPC_EVENTS)};
  const listeners = new Map(EVENTS.map((name) => [name, new Set()]));
  const source = new EventSource('/events');
  // Calls wait until the event stream is open, so no event after a call is missed.
  const ready = new Promise((resolve) => {
    source.addEventListener('open', resolve, { once: true });
    setTimeout(resolve, 5000);
  });
  for (const name of EVENTS) {
    source.addEventListener(name, (message) => {
      const payload = JSON.parse(message.data);
      for (const listener of [...listeners.get(name)]) {
        try { listener(payload); } catch (error) { console.error(error); }
      }
    });
  }
  window.mcpKeyring = Object.freeze({
    async invoke(channel, request) {
      await ready;
      const response = await fetch('/api/' + encodeURIComponent(channel), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request === undefined ? null : request),
      });
      if (!response.ok) throw new Error('harness answered HTTP ' + response.status);
      return response.json();
    },
    on(event, listener) {
      const set = listeners.get(event);
      if (!set) throw new Error('unknown event ' + event);
      set.add(listener);
      return () => { set.delete(listener); };
    },
  });
})();
`;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** index.html with the bridge script put before the app's module script. */
function harnessPage(): string {
  const html = fs.readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
  const marker = '<script type="module" src="./app.js"></script>';
  if (!html.includes(marker)) throw new Error(`dist/renderer/index.html does not load ${marker}; rebuild with node scripts/build.mjs`);
  return html.replace(marker, `<script src="./harness-bridge.js"></script>\n    ${marker}`);
}

function readBody(req: http.IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  // This process plays the app: its refreshes show as "app (pid …)".
  const keyring = new Keyring({ home: options.keyring.registry.paths.home, vault: options.keyring.vault, actor: actorLabel('app') });
  const mode = options.browser ?? 'chromium';
  const openedExternally: string[] = [];
  const browserErrors: string[] = [];
  const signInUrls: string[] = [];
  const signInWaiters: Array<(url: string) => void> = [];
  let settings: AppSettings = { startAtLogin: false };
  const httpBridge = options.httpBridge === false ? undefined : await startHttpBridge(keyring, { port: 0 });

  const platform: KeyringPlatform = {
    async openBrowser(url) {
      if (mode === 'manual') {
        const waiter = signInWaiters.shift();
        if (waiter) waiter(url);
        else signInUrls.push(url);
        return;
      }
      try {
        if (mode === 'chromium') await completeLoginInChromium(url, { timeoutMs: 45_000 });
        else await completeLogin(url, { timeoutMs: 30_000 });
      } catch (error) {
        browserErrors.push(error instanceof Error ? error.message : String(error));
        throw error;
      }
    },
    async openExternal(url) {
      openedExternally.push(url);
    },
    async getSettings() {
      return { ...settings };
    },
    async setSettings(patch) {
      settings = { ...settings, ...patch };
      return { ...settings };
    },
    bridgeLaunch(serverId) {
      return bridgeLaunch({ serverId, mode: 'development', execPath: process.execPath, bridgeScript: bridgePath, env: options.bridgeEnv });
    },
    httpBridge: async () => httpBridge,
    cliCommand: (args) =>
      appCliCommand(args, {
        packaged: false,
        execPath: process.execPath,
        resourcesPath: '',
        root: repoRoot,
        env: { PATH: process.env.PATH, ...options.bridgeEnv },
        platform: process.platform,
      }),
    clientEnvironment: options.clientEnvironment,
    ...(options.signInTimeoutMs ? { signInTimeoutMs: options.signInTimeoutMs } : {}),
  };
  const service = createKeyringService(keyring, platform);

  const streams = new Set<http.ServerResponse>();
  const unsubscribe = service.subscribe((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of streams) res.write(frame);
  });

  let origin = '';
  const staticFiles = new Set(fs.readdirSync(rendererDir));

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Only this origin: a page elsewhere cannot drive the keyring through the harness.
    if (req.headers.host !== new URL(origin).host) {
      res.writeHead(421).end();
      return;
    }
    try {
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/harness.html')) {
        res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' }).end(harnessPage());
        return;
      }
      if (req.method === 'GET' && url.pathname === '/harness-bridge.js') {
        res.writeHead(200, { 'content-type': TYPES['.js']!, 'cache-control': 'no-store' }).end(bridgeScript());
        return;
      }
      if (req.method === 'GET' && url.pathname === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        const channel = decodeURIComponent(url.pathname.slice('/api/'.length));
        if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/json')) {
          res.writeHead(405).end();
          return;
        }
        if (!isIpcChannel(channel)) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: { code: 'invalid-input', message: `Unknown channel "${channel}".` } }));
          return;
        }
        const text = await readBody(req);
        const parsed: unknown = text ? JSON.parse(text) : null;
        const result = await invokeChannel(service.api, channel, (parsed === null ? undefined : parsed) as never);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(result));
        return;
      }
      const name = url.pathname.slice(1);
      if (req.method === 'GET' && staticFiles.has(name)) {
        const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        fs.createReadStream(path.join(rendererDir, name)).pipe(res);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/harness.html`,
    origin,
    service,
    openedExternally,
    browserErrors,
    httpBridge,
    get settings() {
      return settings;
    },
    nextSignInUrl(timeoutMs = 30_000) {
      const queued = signInUrls.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          const index = signInWaiters.indexOf(done);
          if (index >= 0) signInWaiters.splice(index, 1);
          reject(new Error(`no sign-in URL within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (url: string) => {
          clearTimeout(timer);
          resolve(url);
        };
        signInWaiters.push(done);
      });
    },
    async close() {
      unsubscribe();
      service.dispose();
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await httpBridge?.close();
    },
  };
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/**
 * Debian's Chromium on the window at `url`: page errors and console errors go into
 * `problems`, for the tests that assert the window ran without any.
 */
export async function openWindowPage(url: string, problems: string[], viewport: { width: number; height: number }): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const page = await (await browser.newContext({ viewport, colorScheme: 'light' })).newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { browser, page };
}
