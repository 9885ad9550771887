// One HTTP exchange of a fetch (no redirects; ./node-fetch.ts follows them):
// picks the route (direct, a CONNECT tunnel for https through a proxy, or an
// absolute-form request to the proxy for http), sends the request on the pooled
// keep-alive connections (./agents.ts) and resolves with the response head.
// A request lost on a reused keep-alive socket (the server closed it while it
// was idle) is sent once more when its body can be replayed.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tunnelAgent, type Agents } from './agents';
import { fetchFailed, type CallState } from './call-state';
import type { HeadersLite } from './headers-lite';
import { effectivePort, proxyFor, stripBrackets, type ProxySettings } from './proxy-settings';
import { pipeBody, type RequestBody } from './request-body';

const RETRYABLE_ON_REUSED_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Where a fetch sends its requests: its connection pools and the proxy settings it was created with. */
export interface Route {
  readonly agents: Agents;
  readonly proxies: ProxySettings;
}

/** One request as sent: after the previous hop's redirect, if any. */
export interface Outgoing {
  url: URL;
  method: string;
  headers: HeadersLite;
  body: RequestBody;
}

/** Sends `out` and resolves with the response head; `state` gets the request and response in flight. */
export function sendOnce(route: Route, out: Outgoing, state: CallState, retried = false): Promise<http.IncomingMessage> {
  const { agents, proxies } = route;
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
        resolve(sendOnce(route, out, state, true));
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
