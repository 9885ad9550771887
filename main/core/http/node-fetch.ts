// A fetch built on node:http / node:https, for the bridge process.
//
// Node's global fetch is undici: loading it costs ~12 MB RSS and using it ~30 MB
// more (its HTTP parser is WebAssembly), which does not fit the bridge's 60 MB
// budget, while node:http requests cost almost nothing (see ./headers-lite.ts).
// This module covers what the MCP SDK transports and oauth4webapi need from
// fetch, and never reads the undici globals (`fetch`, `Response`, `Request`,
// `Headers`, `FormData`): headers are HeadersLite, responses are ResponseLite.
//
// What it does:
// - http: and https: (default CAs; NODE_EXTRA_CA_CERTS is applied by Node itself),
//   through one keep-alive http.Agent and one https.Agent shared by every fetch
//   made without a custom `ca`. A request that fails with ECONNRESET/EPIPE on a
//   reused keep-alive socket (the server closed it while idle) is sent once more.
// - proxies from HTTPS_PROXY/https_proxy, HTTP_PROXY/http_proxy, NO_PROXY/no_proxy
//   (lowercase first, as curl and undici's EnvHttpProxyAgent; https targets fall
//   back to the http proxy when no https proxy is set, as undici does). https
//   targets go through an HTTP CONNECT tunnel (TLS to the target inside it, kept
//   alive per target); http targets are sent to the proxy in absolute form.
//   Loopback targets are never proxied.
// - redirect 'follow' (at most 5 hops; 303, and 301/302 after POST, become GET)
//   only within the request's origin: any other redirect fails with a
//   RedirectRefusedError cause naming its target (./redirect-policy.ts);
//   'manual' (the 3xx is returned as is) and 'error'.
// - limits on what comes back (./body-limits.ts): a body, or one event of an
//   event stream, over the limit fails with ResponseTooLargeError, and so does a
//   compressed body that inflates too much; and deadlines (./deadlines.ts): the
//   call fails with a DeadlineError (a TimeoutError) when the answer does not
//   come complete in time, or an event stream leaves an event unfinished.
// - init.signal aborts the request and the response body with `signal.reason`
//   (a DOMException named 'AbortError' for a plain `abort()`, 'TimeoutError' for
//   AbortSignal.timeout(), as undici does).
// - network failures reject with TypeError('fetch failed', { cause }), cause being
//   Node's error (cause.code: ECONNREFUSED, ENOTFOUND, ...); a body cut off midway
//   fails with TypeError('terminated', { cause }), as undici.
// - gzip/deflate/br bodies are decompressed (no Accept-Encoding is sent by default).
// - response.body is a web ReadableStream made on first access (text()/json() read
//   the IncomingMessage directly and never make one). It is a small adapter rather
//   than Readable.toWeb(), whose cancel() destroys the message and with it the
//   keep-alive socket even when the whole body had already arrived: here cancel()
//   drains a complete body (the socket goes back to the pool) and closes the
//   connection only for a body still coming (an endless SSE stream).
// Not supported: FormData bodies, formData(), and clone() once the body stream was touched.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import type { Duplex, Readable } from 'node:stream';
import { BodyMeter, MCP_BODY_LIMITS, type BodyLimits } from './body-limits';
import { DeadlineError, formatSeconds, mcpDeadlines, type Deadlines } from './deadlines';
import { HeadersLite, headersFromRaw, isUndiciLoaded, type HeadersLiteInit } from './headers-lite';
import { RedirectRefusedError, redirectVerdict } from './redirect-policy';

export interface NodeFetchOptions {
  /** Environment for the proxy variables; defaults to process.env (read once, when the fetch is created). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Trusted CA certificate(s) for https, replacing Node's defaults (tests, private CAs). */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Redirects followed with redirect: 'follow' before failing; default 5. */
  maxRedirects?: number;
  /** User-Agent sent when the request sets none; default 'node', like Node's fetch. */
  userAgent?: string;
  /** How much a response may hold (./body-limits.ts); default MCP_BODY_LIMITS. */
  limits?: BodyLimits;
  /** How long a response may take (./deadlines.ts); default mcpDeadlines(env). */
  deadlines?: Deadlines;
}

/** `init` of a fetch call: the standard RequestInit (only what applies outside a browser is used). */
export type NodeFetchInit = RequestInit;

/** A URL, or a Request-like object (its url, method, headers, signal and redirect are used; not its body). */
export type NodeFetchInput = string | URL | { readonly url: string };

export type NodeFetch = (input: NodeFetchInput, init?: NodeFetchInit) => Promise<ResponseLite>;

const MAX_REDIRECTS = 5;
const KEEP_ALIVE_TIMEOUT_MS = 4_000; // idle keep-alive sockets are closed after this (undici's default); shorter if the server says so
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
// Headers node:http manages itself; a caller's value would make a malformed request.
const DROPPED_REQUEST_HEADERS = ['connection', 'content-length', 'host', 'keep-alive', 'transfer-encoding', 'upgrade'];
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length'];
const RETRYABLE_ON_REUSED_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const EVENT_STREAM_KEEPALIVE_MS = 60_000; // TCP keep-alive probes after a minute of silence on an event stream
const keptAlive = new WeakSet<object>();

// ---------------------------------------------------------------------------
// Agents and proxies

interface Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  readonly ca: tls.SecureContextOptions['ca'];
  readonly tunnels: Map<string, TunnelAgent>;
}

const agentDefaults = { keepAlive: true, timeout: KEEP_ALIVE_TIMEOUT_MS, scheduling: 'lifo' } as const;
let sharedAgents: Agents | undefined;

function createAgents(ca: NodeFetchOptions['ca']): Agents {
  const caOption = ca === undefined ? undefined : typeof ca === 'string' || Buffer.isBuffer(ca) ? ca : [...ca];
  return {
    http: new http.Agent(agentDefaults),
    https: new https.Agent(caOption === undefined ? agentDefaults : { ...agentDefaults, ca: caOption }),
    ca: caOption,
    tunnels: new Map(),
  };
}

interface ProxyTarget {
  readonly url: URL;
  readonly hostname: string; // without IPv6 brackets
  readonly port: number;
  readonly authorization: string | undefined; // Proxy-Authorization value
}

interface NoProxyRule {
  readonly host: string;
  readonly port: string | undefined;
}

interface ProxySettings {
  readonly http: ProxyTarget | Error | undefined;
  readonly https: ProxyTarget | Error | undefined;
  readonly bypassAll: boolean;
  readonly noProxy: readonly NoProxyRule[];
}

function envValue(env: Readonly<Record<string, string | undefined>>, lower: string): string | undefined {
  const value = env[lower] ?? env[lower.toUpperCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

function parseProxy(value: string | undefined): ProxyTarget | Error | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return new Error(`Unsupported proxy protocol ${url.protocol} in ${url.origin}`);
    }
    const authorization =
      url.username || url.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
        : undefined;
    return {
      url,
      hostname: stripBrackets(url.hostname),
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      authorization,
    };
  } catch (error) {
    return new Error(`Invalid proxy URL in the environment: ${String((error as Error).message)}`);
  }
}

function parseNoProxy(value: string | undefined): { bypassAll: boolean; rules: NoProxyRule[] } {
  const rules: NoProxyRule[] = [];
  let bypassAll = false;
  for (const raw of (value ?? '').split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') {
      bypassAll = true;
      continue;
    }
    let port: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1] ?? '';
      port = bracketed[2];
    } else if (entry.indexOf(':') !== -1 && entry.indexOf(':') === entry.lastIndexOf(':')) {
      const at = entry.indexOf(':');
      port = entry.slice(at + 1);
      entry = entry.slice(0, at);
    }
    entry = entry.replace(/^\*?\.+/, ''); // ".example.com" and "*.example.com" mean the domain and its subdomains
    if (entry) rules.push({ host: entry, port: port || undefined });
  }
  return { bypassAll, rules };
}

function readProxySettings(env: Readonly<Record<string, string | undefined>>): ProxySettings {
  const httpProxy = parseProxy(envValue(env, 'http_proxy'));
  const httpsProxy = parseProxy(envValue(env, 'https_proxy')) ?? httpProxy;
  const { bypassAll, rules } = parseNoProxy(envValue(env, 'no_proxy'));
  return { http: httpProxy, https: httpsProxy, bypassAll, noProxy: rules };
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function isLoopback(hostname: string): boolean {
  const host = stripBrackets(hostname).toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

function proxyFor(settings: ProxySettings, target: URL): ProxyTarget | Error | undefined {
  const proxy = target.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy || settings.bypassAll || isLoopback(target.hostname)) return undefined;
  const host = stripBrackets(target.hostname).toLowerCase();
  const port = effectivePort(target);
  for (const rule of settings.noProxy) {
    if (rule.port !== undefined && rule.port !== port) continue;
    if (host === rule.host || host.endsWith(`.${rule.host}`)) return undefined;
  }
  return proxy;
}

/**
 * The proxy createNodeFetch() would use for `url` with these environment
 * variables, or undefined for a direct connection (diagnostics, tests).
 * Throws if the relevant proxy variable is not a usable URL.
 */
export function proxyForUrl(url: string | URL, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const proxy = proxyFor(readProxySettings(env), new URL(String(url)));
  if (proxy instanceof Error) throw proxy;
  return proxy?.url.href;
}

/** Opens an HTTP CONNECT tunnel through `proxy` to host:port. */
function openTunnel(proxy: ProxyTarget, host: string, port: number, ca: Agents['ca']): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
    const options: https.RequestOptions = {
      hostname: proxy.hostname,
      port: proxy.port,
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
    };
    if (proxy.url.protocol === 'https:') {
      if (!net.isIP(proxy.hostname)) options.servername = proxy.hostname;
      if (ca !== undefined) options.ca = ca;
    }
    const request = (proxy.url.protocol === 'https:' ? https : http).request(options);
    request.once('connect', (response: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        socket.destroy();
        reject(
          Object.assign(new Error(`Proxy ${proxy.url.host} answered ${status} ${response.statusMessage ?? ''} to CONNECT ${authority}`.trim()), {
            code: 'ERR_PROXY_TUNNEL',
            statusCode: status,
          }),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('error', reject);
    request.end();
  });
}

/** An https.Agent whose connections are TLS sessions inside CONNECT tunnels; pooled and kept alive like any other. */
class TunnelAgent extends https.Agent {
  readonly #proxy: ProxyTarget;
  readonly #ca: Agents['ca'];

  constructor(proxy: ProxyTarget, ca: Agents['ca']) {
    super(ca === undefined ? agentDefaults : { ...agentDefaults, ca });
    this.#proxy = proxy;
    this.#ca = ca;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = stripBrackets(options.hostname ?? options.host ?? 'localhost');
    const port = Number(options.port) || 443;
    openTunnel(this.#proxy, host, port, this.#ca).then(
      (socket) => {
        const tlsOptions: tls.ConnectionOptions = { ...(options as tls.ConnectionOptions), socket, host };
        if (tlsOptions.servername === undefined && !net.isIP(host)) tlsOptions.servername = host;
        let secure: tls.TLSSocket;
        try {
          secure = tls.connect(tlsOptions);
        } catch (error) {
          socket.destroy();
          callback?.(error as Error, socket);
          return;
        }
        callback?.(null, secure);
      },
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

function tunnelAgent(agents: Agents, proxy: ProxyTarget): TunnelAgent {
  const key = proxy.url.href;
  let agent = agents.tunnels.get(key);
  if (!agent) {
    agent = new TunnelAgent(proxy, agents.ca);
    agents.tunnels.set(key, agent);
  }
  return agent;
}

// ---------------------------------------------------------------------------
// Abort and errors

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Per fetch call: ties the caller's AbortSignal to the request and response in flight. */
class CallState {
  aborted = false;
  reason: unknown;
  request: http.ClientRequest | undefined;
  response: http.IncomingMessage | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity; // when #timer fires
  #deadlineAt = Infinity; // when the call fails, unless disarmed or re-armed
  #reason: (() => Error) | undefined;

  constructor(signal: AbortSignal | null | undefined) {
    this.#signal = signal ?? undefined;
    if (signal) {
      if (signal.aborted) {
        this.aborted = true;
        this.reason = abortReason(signal);
      } else {
        this.#onAbort = () => this.abort();
        signal.addEventListener('abort', this.#onAbort, { once: true });
      }
    }
  }

  abort(): void {
    if (this.aborted || !this.#signal) return;
    this.fail(abortReason(this.#signal));
  }

  /** Ends the call with `reason` (an abort, a passed deadline, a refused body): the request and response are destroyed with it. */
  fail(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const error = reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
    this.response?.destroy(error);
    this.request?.destroy(error);
    this.release();
  }

  /** (Re)starts the deadline: unless disarmed or re-armed first, the call fails with `reason()` after `ms`. */
  arm(ms: number, reason: () => Error): void {
    if (this.aborted) return;
    this.#deadlineAt = Date.now() + ms;
    this.#reason = reason;
    // One timer per call, moved only when it must fire sooner: an event stream arms and disarms once per
    // event, and timer churn on that path costs more than a timer that wakes up early and looks again.
    if (this.#timerAt > this.#deadlineAt) this.#schedule();
  }

  /** Stops the deadline (until armed again); a pending timer finds nothing to do. */
  disarm(): void {
    this.#deadlineAt = Infinity;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timerAt = this.#deadlineAt;
    this.#timer = setTimeout(() => this.#check(), Math.max(0, this.#deadlineAt - Date.now()));
    this.#timer.unref(); // the socket keeps the process alive while the call is in flight; the timer alone must not
  }

  #check(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#deadlineAt === Infinity) return;
    if (Date.now() >= this.#deadlineAt) this.fail(this.#reason?.() ?? new DeadlineError('deadline passed'));
    else this.#schedule();
  }

  /** Stops listening to the signal and the deadline (the body was read, cancelled or failed). Removing the listener matters: the SDK reuses one signal for every request. */
  release(): void {
    this.#deadlineAt = Infinity;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#onAbort) this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}

// ---------------------------------------------------------------------------
// Response

/** Where a response body comes from: the live message, or a buffer shared with clones. */
interface BodySource {
  readAll(): Promise<Buffer>;
  toWeb(): ReadableStream<Uint8Array>;
}

function terminated(state: CallState, error: unknown): unknown {
  return state.aborted ? state.reason : new TypeError('terminated', { cause: error });
}

const DECODED_ENCODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

function isDecoded(encoding: string | null): boolean {
  return DECODED_ENCODINGS.has(encoding?.trim().toLowerCase() ?? '');
}

function decoderFor(encoding: string | null): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(flush);
    case 'deflate':
      return zlib.createInflate(flush);
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return undefined;
  }
}

class MessageBody implements BodySource {
  readonly #message: http.IncomingMessage;
  readonly #stream: Readable;
  readonly #state: CallState;
  readonly #meter: BodyMeter;
  #error: unknown;
  #settled = false;
  /** Settles once the body has: undefined when it ended or was cancelled, else the error that ended it. */
  readonly outcome: Promise<unknown>;
  #reportOutcome!: (error: unknown) => void;

  constructor(message: http.IncomingMessage, state: CallState, encoding: string | null, meter: BodyMeter) {
    this.outcome = new Promise((resolve) => (this.#reportOutcome = resolve));
    this.#message = message;
    this.#state = state;
    this.#meter = meter;
    const decoder = decoderFor(encoding);
    if (decoder) {
      message.on('error', (error) => decoder.destroy(error));
      decoder.on('error', () => message.destroy()); // a corrupt body: give up the connection
      message.on('data', (chunk: Buffer) => meter.compressed(chunk.length)); // next to pipe(): both see every chunk
      message.pipe(decoder);
      this.#stream = decoder;
    } else {
      this.#stream = message;
    }
    // Always listening: an unhandled 'error' (abort, connection reset) would crash the process.
    this.#stream.on('error', (error) => {
      if (this.#error === undefined) this.#error = terminated(state, error);
      this.#settle();
    });
    this.#stream.once('end', () => this.#settle());
    const early = meter.early(message.headers['content-length'] ?? null);
    if (early) state.fail(early); // refused before a byte of it is read
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#state.release();
    this.#reportOutcome(this.#error);
  }

  /** Meters a decoded chunk; false when it put the body over a limit (the call then fails with the reason). */
  #accept(chunk: Buffer): boolean {
    const refused = this.#meter.check(chunk);
    if (!refused) return true;
    this.#state.fail(refused);
    return false;
  }

  readAll(): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.#error !== undefined) {
        reject(this.#error);
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      let refused = false;
      const stream = this.#stream;
      stream.on('data', (chunk: Buffer) => {
        if (refused) return;
        if (!this.#accept(chunk)) {
          refused = true;
          chunks.length = 0; // let it go now, not when the promise settles
          return;
        }
        chunks.push(chunk);
        length += chunk.length;
      });
      stream.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length)));
      stream.once('error', () => reject(this.#error));
    });
  }

  toWeb(): ReadableStream<Uint8Array> {
    const stream = this.#stream;
    let open = true;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          if (this.#error !== undefined) {
            open = false;
            controller.error(this.#error);
            return;
          }
          stream.on('data', (chunk: Buffer) => {
            if (!open || !this.#accept(chunk)) return;
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 1) <= 0) stream.pause();
          });
          stream.once('end', () => {
            if (!open) return;
            open = false;
            controller.close();
          });
          stream.once('error', () => {
            if (!open) return;
            open = false;
            controller.error(this.#error);
          });
        },
        pull: () => {
          if (open && stream.isPaused()) stream.resume();
        },
        cancel: () => {
          open = false;
          return this.cancel();
        },
      },
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
  }

  /**
   * Gives the connection back: if the whole body has arrived it is drained, and
   * the promise settles once the socket is back in the keep-alive pool; if not
   * (an endless SSE stream, say) the connection is closed.
   */
  cancel(): Promise<void> {
    if (this.#settled) return Promise.resolve();
    const message = this.#message;
    if (this.#stream !== message) {
      message.unpipe(this.#stream as Duplex);
      (this.#stream as Duplex).destroy();
    }
    this.#settle();
    if (message.complete) return drain(message);
    message.destroy();
    return Promise.resolve();
  }
}

/** Reads a message to its end, discarding it; settles on end, close or error (never rejects). */
function drain(message: http.IncomingMessage): Promise<void> {
  if (message.readableEnded || message.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      message.off('end', done);
      message.off('close', done);
      message.off('error', done);
      resolve();
    };
    message.on('end', done);
    message.on('close', done);
    message.on('error', done);
    message.resume();
  });
}

class BufferedBody implements BodySource {
  readonly #data: Promise<Buffer>;

  constructor(data: Promise<Buffer>) {
    this.#data = data;
    data.catch(() => undefined); // observed by whoever reads it
  }

  readAll(): Promise<Buffer> {
    return this.#data;
  }

  toWeb(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start: async (controller) => {
        try {
          const data = await this.#data;
          if (data.length > 0) controller.enqueue(data);
          controller.close();
        } catch (error) {
          controller.error(error);
        }
      },
    });
  }

}

function consumedStream(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start: (controller) => controller.error(new TypeError('Body is unusable: Body has already been read')),
  });
}

function decodeUtf8(data: Buffer): string {
  const text = data.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

async function readWebStream(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  return Buffer.concat(chunks, length);
}

interface ResponseInit {
  status: number;
  statusText: string;
  headers: HeadersLite;
  url: string;
  redirected: boolean;
}

/**
 * @internal Not part of fetch: `response[bodyOutcome]()` settles once the body is
 * done, with undefined (read to its end, cancelled, or no body) or the error that
 * ended it (a refused size, a deadline, a broken connection) — for a caller that
 * must react to a body failing while someone else reads it (the bridge answers
 * the requests of an event stream that was cut off).
 */
export const bodyOutcome = Symbol('bodyOutcome');

/** The Response members the MCP SDK, eventsource and oauth4webapi use, over a node:http IncomingMessage. */
export class ResponseLite implements Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeadersLite;
  readonly url: string;
  readonly redirected: boolean;
  readonly type: ResponseType = 'basic';
  #source: BodySource | null;
  #stream: ReadableStream<Uint8Array> | null | undefined; // undefined: not created yet
  #used = false;
  readonly #outcome: Promise<unknown>;

  /** @internal Made by createNodeFetch(). */
  constructor(init: ResponseInit, source: BodySource | null, outcome?: Promise<unknown>) {
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
    this.redirected = init.redirected;
    this.#source = source;
    this.#outcome = outcome ?? (source instanceof MessageBody ? source.outcome : Promise.resolve(undefined));
  }

  /** @internal See bodyOutcome. */
  [bodyOutcome](): Promise<unknown> {
    return this.#outcome;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /** A web ReadableStream over the body, made on first access; null for HEAD, 204, 205 and 304. */
  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#stream === undefined) {
      // After text()/json()/..., the body is gone: hand out a stream that says so instead of a second reader of the same message.
      this.#stream = !this.#source ? null : this.#used ? consumedStream() : this.#source.toWeb();
    }
    return this.#stream as ReadableStream<Uint8Array<ArrayBuffer>> | null;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }

  async #consume(): Promise<Buffer> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (this.#stream) return readWebStream(this.#stream); // the stream was handed out: read through it
    if (!this.#source) return Buffer.alloc(0);
    return this.#source.readAll(); // fast path: straight from the IncomingMessage
  }

  async text(): Promise<string> {
    return decodeUtf8(await this.#consume());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const data = await this.#consume();
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    const data = await this.arrayBuffer();
    return new Blob([data], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    throw new TypeError('formData() is not supported by the node:http fetch');
  }

  /**
   * Clones a response whose body has not been touched: the body is then read
   * to its end into memory and shared by both (fine for the small JSON bodies
   * oauth4webapi clones; do not clone an endless event stream).
   */
  clone(): ResponseLite {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    if (this.#stream !== undefined && this.#stream !== null) {
      throw new TypeError('Response.clone is not supported once the body stream was accessed');
    }
    if (this.#source instanceof MessageBody) this.#source = new BufferedBody(this.#source.readAll());
    return new ResponseLite(
      { status: this.status, statusText: this.statusText, headers: new HeadersLite(this.headers), url: this.url, redirected: this.redirected },
      this.#source,
      this.#outcome,
    );
  }
}

// ---------------------------------------------------------------------------
// Requests

type RequestBody = Buffer | AsyncIterable<Uint8Array> | null;

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

/** Turns a fetch body into bytes (or a stream), and the content type it implies. */
async function encodeBody(body: unknown): Promise<{ data: RequestBody; contentType: string | undefined }> {
  if (body === undefined || body === null) return { data: null, contentType: undefined };
  if (typeof body === 'string') return { data: Buffer.from(body, 'utf8'), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) {
    return { data: Buffer.from(body.toString(), 'utf8'), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (Buffer.isBuffer(body)) return { data: body, contentType: undefined };
  if (ArrayBuffer.isView(body)) return { data: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: undefined };
  if (body instanceof ArrayBuffer || body instanceof SharedArrayBuffer) return { data: Buffer.from(body), contentType: undefined };
  if (body instanceof Blob) {
    return { data: Buffer.from(await body.arrayBuffer()), contentType: body.type || undefined };
  }
  if (Object.prototype.toString.call(body) === '[object FormData]') {
    throw new TypeError('FormData bodies are not supported by the node:http fetch');
  }
  if (isAsyncIterable(body)) return { data: body, contentType: undefined };
  return { data: Buffer.from(String(body), 'utf8'), contentType: 'text/plain;charset=UTF-8' };
}

function parseUrl(input: NodeFetchInput): URL {
  const text = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new TypeError(`Failed to parse URL from ${String(text)}`, { cause });
  }
  if (url.username || url.password) {
    throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${text}`);
  }
  url.hash = '';
  return url;
}

function requestLike(input: NodeFetchInput): Partial<{ method: string; headers: unknown; signal: AbortSignal | null; redirect: RequestRedirect }> {
  return typeof input === 'object' && !(input instanceof URL) ? (input as Partial<{ method: string; headers: unknown; signal: AbortSignal | null; redirect: RequestRedirect }>) : {};
}

interface Outgoing {
  url: URL;
  method: string;
  headers: HeadersLite;
  body: RequestBody;
}

export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const agents = options.ca === undefined ? (sharedAgents ??= createAgents(undefined)) : createAgents(options.ca);
  const proxies = readProxySettings(options.env ?? process.env);
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const userAgent = options.userAgent ?? 'node';
  const limits = options.limits ?? MCP_BODY_LIMITS;
  const deadlines = options.deadlines ?? mcpDeadlines(options.env ?? process.env);

  /** One HTTP exchange (no redirects): resolves with the response head. */
  function send(out: Outgoing, state: CallState, retried = false): Promise<http.IncomingMessage> {
    const { url } = out;
    const proxy = proxyFor(proxies, url);
    if (proxy instanceof Error) return Promise.reject(fetchFailed(proxy));

    const headers: Record<string, string> = {};
    for (const [name, value] of out.headers) {
      if (name === 'set-cookie') continue;
      headers[name] = value;
    }
    if (out.body === null) {
      if (out.method === 'POST' || out.method === 'PUT') headers['content-length'] = '0';
    } else if (Buffer.isBuffer(out.body)) {
      headers['content-length'] = String(out.body.length);
    }

    const hostname = stripBrackets(url.hostname);
    const port = Number(effectivePort(url));
    const path = `${url.pathname}${url.search}`;
    let request: http.ClientRequest;
    try {
      if (url.protocol === 'https:') {
        const agent = proxy ? tunnelAgent(agents, proxy) : agents.https;
        request = https.request({ hostname, port, path, method: out.method, headers, agent });
      } else if (proxy) {
        // Absolute-form request to the proxy, which forwards it.
        headers.host = url.host;
        if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
        const viaTls = proxy.url.protocol === 'https:';
        request = (viaTls ? https : http).request({
          hostname: proxy.hostname,
          port: proxy.port,
          path: url.href,
          method: out.method,
          headers,
          agent: viaTls ? agents.https : agents.http,
          ...(viaTls && !net.isIP(proxy.hostname) ? { servername: proxy.hostname } : {}),
        });
      } else {
        request = http.request({ hostname, port, path, method: out.method, headers, agent: agents.http });
      }
    } catch (error) {
      return Promise.reject(fetchFailed(error));
    }
    state.request = request;

    return new Promise<http.IncomingMessage>((resolve, reject) => {
      let responded = false;
      request.once('response', (response) => {
        responded = true;
        state.response = response;
        resolve(response);
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (responded) return; // from here on the response reports failures
        if (state.aborted) {
          reject(state.reason);
          return;
        }
        const replayable = out.body === null || Buffer.isBuffer(out.body);
        if (!retried && replayable && request.reusedSocket && RETRYABLE_ON_REUSED_SOCKET.has(error.code ?? '')) {
          // The server closed this idle keep-alive connection as we reused it.
          resolve(send(out, state, true));
          return;
        }
        reject(fetchFailed(error));
      });
      const body = out.body;
      if (body === null) request.end();
      else if (Buffer.isBuffer(body)) request.end(body);
      else void pipeBody(body, request);
    });
  }

  async function nodeFetch(input: NodeFetchInput, init: NodeFetchInit = {}): Promise<ResponseLite> {
    const fromRequest = requestLike(input);
    let url = parseUrl(input);
    const rawMethod = init.method ?? fromRequest.method ?? 'GET';
    let method = NORMALIZED_METHODS.has(rawMethod.toUpperCase()) ? rawMethod.toUpperCase() : rawMethod;
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method) || ['CONNECT', 'TRACE', 'TRACK'].includes(method.toUpperCase())) {
      throw new TypeError(`'${method}' is not a valid HTTP method.`);
    }
    const headers = new HeadersLite((init.headers ?? fromRequest.headers ?? undefined) as HeadersLiteInit | undefined);
    for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name);
    if ((method === 'GET' || method === 'HEAD') && init.body !== undefined && init.body !== null) {
      throw new TypeError('Request with GET/HEAD method cannot have body.');
    }
    const encoded = await encodeBody(init.body);
    if (encoded.contentType && !headers.has('content-type')) headers.set('content-type', encoded.contentType);
    if (!headers.has('accept')) headers.set('accept', '*/*');
    if (!headers.has('user-agent') && userAgent) headers.set('user-agent', userAgent);
    const redirect: RequestRedirect = init.redirect ?? fromRequest.redirect ?? 'follow';
    const signal = init.signal !== undefined ? init.signal : (fromRequest.signal ?? null);

    const state = new CallState(signal);
    if (state.aborted) throw state.reason;
    const origin = url.origin;
    state.arm(deadlines.responseMs, () => new DeadlineError(`${origin} sent no complete answer within ${formatSeconds(deadlines.responseMs)}`));

    let body = encoded.data;
    let redirects = 0;
    try {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw fetchFailed(new Error(`Unsupported protocol ${url.protocol}`));
      }
      for (;;) {
        if (state.aborted) throw state.reason;
        const message = await send({ url, method, headers, body }, state);
        const status = message.statusCode ?? 0;
        const location = REDIRECT_STATUSES.has(status) ? message.headers.location : undefined;
        if (location === undefined || redirect === 'manual') {
          return await respond(message, url, redirects > 0, method, state);
        }
        await discard(message); // the redirect's own body is not wanted
        if (redirect === 'error') throw fetchFailed(new Error('unexpected redirect'));
        if (redirects >= maxRedirects) throw fetchFailed(new Error('redirect count exceeded'));
        let next: URL;
        try {
          next = new URL(location, url);
        } catch (cause) {
          throw fetchFailed(cause);
        }
        const verdict = redirectVerdict(url, next);
        if (!verdict.follow) throw fetchFailed(new RedirectRefusedError(url, next, verdict.reason));
        next.hash = '';
        redirects += 1;
        if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          body = null;
          for (const name of BODY_HEADERS) headers.delete(name);
        } else if (body !== null && !Buffer.isBuffer(body)) {
          throw fetchFailed(new Error('cannot follow a redirect with a streamed request body'));
        }
        url = next; // same origin (redirectVerdict): the headers it was sent with stay
      }
    } catch (error) {
      state.release();
      if (state.response && !state.response.complete) state.response.destroy();
      if (state.aborted) throw state.reason;
      throw error;
    }
  }

  async function respond(message: http.IncomingMessage, url: URL, redirected: boolean, method: string, state: CallState): Promise<ResponseLite> {
    const status = message.statusCode ?? 0;
    const init: ResponseInit = {
      status,
      statusText: message.statusMessage ?? '',
      headers: headersFromRaw(message.rawHeaders),
      url: url.href,
      redirected,
    };
    if (method === 'HEAD' || method === 'CONNECT' || NULL_BODY_STATUSES.has(status)) {
      state.release();
      await discard(message);
      return new ResponseLite(init, null);
    }
    const encoding = init.headers.get('content-encoding');
    const eventStream = isEventStream(init.headers.get('content-type'));
    const origin = url.origin;
    const stuck = () => new DeadlineError(`${origin} began an event on its event stream and did not finish it within ${formatSeconds(deadlines.eventIdleMs)}`);
    // An event stream may last for ever, and be silent for hours between events; but an event, once begun, must end in time.
    if (eventStream) {
      state.disarm();
      const socket = message.socket;
      if (socket && !keptAlive.has(socket)) {
        keptAlive.add(socket); // once per connection: a setsockopt per response is wasted on a reused socket
        socket.setKeepAlive?.(true, EVENT_STREAM_KEEPALIVE_MS); // a dead peer of a quiet stream is noticed by TCP
      }
    }
    const events = eventStream ? { begun: () => state.arm(deadlines.eventIdleMs, stuck), ended: () => state.disarm() } : undefined;
    const meter = new BodyMeter(limits, origin, eventStream, isDecoded(encoding), events);
    return new ResponseLite(init, new MessageBody(message, state, encoding, meter));
  }

  return nodeFetch;
}

function isEventStream(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream';
}

/**
 * Gets rid of a body nobody will read (a redirect's, a 204's): drained when it is
 * small, so the socket goes back to the pool before the next request; the
 * connection is closed otherwise.
 */
async function discard(message: http.IncomingMessage): Promise<void> {
  message.on('error', () => undefined);
  const length = Number(message.headers['content-length'] ?? Number.NaN);
  if (message.complete || length <= 64 * 1024) await drain(message);
  else message.destroy();
}

async function pipeBody(body: AsyncIterable<Uint8Array>, request: http.ClientRequest): Promise<void> {
  try {
    for await (const chunk of body) {
      if (request.destroyed) return;
      if (!request.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            request.off('drain', done);
            request.off('close', done);
            resolve();
          };
          request.on('drain', done);
          request.on('close', done);
        });
      }
    }
    request.end();
  } catch (error) {
    request.destroy(error as Error);
  }
}

/**
 * For the bridge process only (see ./headers-lite.ts): makes the global `Response`
 * ResponseLite without loading undici. oauth4webapi checks that a token response
 * is a Response (by class or toStringTag); with this, a refresh in the bridge
 * loads neither undici nor its WebAssembly parser — which the bridge's V8 flags
 * (--lite-mode) do not even allow. Only responses made by createNodeFetch() exist
 * in such a process; nothing there constructs a Response itself.
 */
export function installResponseLite(): void {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'Response');
  if (descriptor && ('value' in descriptor || !descriptor.configurable)) return;
  if (isUndiciLoaded()) return;
  Object.defineProperty(globalThis, 'Response', { value: ResponseLite, writable: true, configurable: true, enumerable: false });
}
