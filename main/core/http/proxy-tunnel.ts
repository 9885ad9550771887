// HTTPS through an HTTP(S) proxy: an HTTP CONNECT tunnel per connection, TLS to
// the target inside it, pooled and kept alive like any other https connection.
//
// Hand-written rather than https-proxy-agent: that library turns a proxy's
// refusal of the tunnel (a 407, a 403) into a fake response that looks like the
// target server's own answer, and accepts only 200; here a refusal fails the
// fetch with ERR_PROXY_TUNNEL naming the proxy and its status (outbound.ts turns
// that into advice about HTTPS_PROXY), and any 2xx opens the tunnel.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { stripBrackets, type ProxyTarget } from './proxy-settings';

type CaOption = tls.SecureContextOptions['ca'];

/** Opens an HTTP CONNECT tunnel through `proxy` to host:port. */
function openTunnel(proxy: ProxyTarget, host: string, port: number, ca: CaOption): Promise<Duplex> {
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
export class TunnelAgent extends https.Agent {
  readonly #proxy: ProxyTarget;
  readonly #ca: CaOption;

  /** `options` are those of the direct https.Agent (keep-alive, and `ca` for the target and an https proxy). */
  constructor(proxy: ProxyTarget, options: https.AgentOptions) {
    super(options);
    this.#proxy = proxy;
    this.#ca = options.ca;
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
