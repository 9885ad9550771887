// A fetch built on node:http / node:https, for the bridge process.
//
// Node's global fetch is undici: loading it costs ~12 MB RSS and using it ~30 MB
// more (its HTTP parser is WebAssembly), which does not fit the bridge's memory
// budget, while node:http requests cost almost nothing (see ./headers-lite.ts).
// This module covers what the MCP SDK transports and oauth4webapi need from
// fetch, and never reads the undici globals (`fetch`, `Response`, `Request`,
// `Headers`, `FormData`): headers are HeadersLite, responses are ResponseLite.
//
// This file is the fetch call itself: it validates the request, follows
// redirects and makes the response. The rest is one job per file:
// - ./exchange.ts sends one request over the keep-alive pools (./agents.ts),
//   directly or through a proxy (./proxy-settings.ts, ./proxy-tunnel.ts);
// - ./request-body.ts encodes and streams request bodies;
// - ./response-body.ts and ./response-lite.ts are the response and its body;
// - ./call-state.ts ties the AbortSignal and the deadline to the call.
// Behaviour, as undici's where it applies:
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
// Not supported: FormData bodies, formData(), and clone() once the body stream was touched.
import type http from 'node:http';
import { BodyMeter, MCP_BODY_LIMITS, type BodyLimits } from './body-limits';
import { agentsFor, type CaInput } from './agents';
import { CallState, fetchFailed } from './call-state';
import { DeadlineError, formatSeconds, mcpDeadlines, type Deadlines } from './deadlines';
import { sendOnce, type Route } from './exchange';
import { HeadersLite, headersFromRaw, type HeadersLiteInit } from './headers-lite';
import { readProxySettings } from './proxy-settings';
import { RedirectRefusedError, redirectVerdict } from './redirect-policy';
import { encodeBody } from './request-body';
import { discard, isDecoded, MessageBody } from './response-body';
import { ResponseLite, type ResponseInit } from './response-lite';

export interface NodeFetchOptions {
  /** Environment for the proxy variables; defaults to process.env (read once, when the fetch is created). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Trusted CA certificate(s) for https, replacing Node's defaults (tests, private CAs). */
  ca?: CaInput;
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
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
// Headers node:http manages itself; a caller's value would make a malformed request.
const DROPPED_REQUEST_HEADERS = ['connection', 'content-length', 'host', 'keep-alive', 'transfer-encoding', 'upgrade'];
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length'];
const EVENT_STREAM_KEEPALIVE_MS = 60_000; // TCP keep-alive probes after a minute of silence on an event stream
const keptAlive = new WeakSet<object>();

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

export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const route: Route = { agents: agentsFor(options.ca), proxies: readProxySettings(options.env ?? process.env) };
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const userAgent = options.userAgent ?? 'node';
  const limits = options.limits ?? MCP_BODY_LIMITS;
  const deadlines = options.deadlines ?? mcpDeadlines(options.env ?? process.env);

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
        const message = await sendOnce(route, { url, method, headers, body }, state);
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
