// A real forward proxy for HTTPS_PROXY / HTTP_PROXY tests: a node:http server
// that answers CONNECT (a TCP tunnel, for https targets) and absolute-form
// requests (http targets), and logs what went through it.
//
// It has its own tiny "DNS": the names in `hosts` (e.g. as.quirks.test) resolve
// to an address on this machine, so a client can only reach those names through
// the proxy — a client that bypasses it fails with ENOTFOUND. Its outgoing
// connections are made from `localAddress` (default 127.0.0.2), so the servers
// behind it can tell, per request, that it came through the proxy
// (req.socket.remoteAddress === proxy.localAddress).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface ProxyLogEntry {
  kind: 'connect' | 'forward';
  /** host:port for CONNECT, the absolute URL for forwarded requests. */
  target: string;
  /** Proxy-Authorization as received (undefined when none). */
  auth: string | undefined;
  /** What the proxy answered: 200 for an open tunnel, the upstream status, or its own error status. */
  status: number;
}

export interface ForwardProxyOptions {
  /** Name → address the proxy resolves (IP literals always resolve to themselves). */
  hosts: Record<string, string>;
  /** Source address of the proxy's outgoing connections (default 127.0.0.2). */
  localAddress?: string;
  /** "user:password": require Basic proxy authentication (407 otherwise). */
  credentials?: string;
}

export interface ForwardProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  localAddress: string;
  log: ProxyLogEntry[];
  /** CONNECT tunnels opened to `host` (any port). */
  tunnelsTo(host: string): number;
  close(): Promise<void>;
}

export async function startForwardProxy(options: ForwardProxyOptions): Promise<ForwardProxy> {
  const localAddress = options.localAddress ?? '127.0.0.2';
  const expectedAuth = options.credentials ? `Basic ${Buffer.from(options.credentials).toString('base64')}` : undefined;
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<net.Socket>();

  const resolve = (host: string): string | undefined => {
    const bare = host.replace(/^\[|\]$/g, '');
    if (net.isIP(bare)) return bare;
    return options.hosts[bare.toLowerCase()];
  };

  const server = http.createServer((req, res) => {
    const auth = req.headers['proxy-authorization'];
    const entry: ProxyLogEntry = { kind: 'forward', target: req.url ?? '', auth, status: 0 };
    log.push(entry);
    const answer = (status: number, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(`proxy: ${status}`);
    };
    if (expectedAuth && auth !== expectedAuth) return answer(407, { 'proxy-authenticate': 'Basic realm="quirks"' });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return answer(400); // origin-form: not a proxy request
    }
    const address = resolve(target.hostname);
    if (!address || target.protocol !== 'http:') return answer(502);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      { host: address, port: Number(target.port) || 80, localAddress, method: req.method, path: `${target.pathname}${target.search}`, headers, agent: false },
      (upstreamRes) => {
        entry.status = upstreamRes.statusCode ?? 0;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.rawHeaders);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : answer(502)));
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const auth = req.headers['proxy-authorization'];
    const entry: ProxyLogEntry = { kind: 'connect', target: req.url ?? '', auth, status: 0 };
    log.push(entry);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const refuse = (status: number, reason: string, extra = '') => {
      entry.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}content-length: 0\r\n\r\n`);
    };
    if (expectedAuth && auth !== expectedAuth) return refuse(407, 'Proxy Authentication Required', 'proxy-authenticate: Basic realm="quirks"\r\n');
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    const address = match ? resolve(match[1]!) : undefined;
    if (!match || !address) return refuse(502, 'Bad Gateway');
    const upstream = net.connect({ host: address, port: Number(match[2]), localAddress });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => (entry.status ? client.destroy() : refuse(502, 'Bad Gateway')));
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    localAddress,
    log,
    tunnelsTo: (host) => log.filter((e) => e.kind === 'connect' && e.status === 200 && e.target.replace(/:\d+$/, '') === host).length,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
