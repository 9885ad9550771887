// Malicious HTTP servers for the transport hostile tests: an MCP endpoint or an
// OAuth authorization server that redirects elsewhere, sends far too much (a
// 400 MB reply, a gzip bomb), trickles bytes for ever or never answers.
//
// Every generator streams with backpressure from small pre-built blocks, so the
// *test* process never allocates what it sends: a gzip bomb is one 16 MiB-of-
// zeros gzip member (~16 KB) written over and over (concatenated members are a
// valid gzip body), a huge JSON reply one 64 KiB block repeated.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export interface HostileServer {
  origin: string;
  /** Requests seen, by path (method + path, no query). */
  hits: string[];
  close(): Promise<void>;
}

/** Serves `routes` (by path, without query) on 127.0.0.1; anything else is a 404. Optionally https. */
export async function startHostileServer(routes: Record<string, Behaviour>, options: { tls?: { key: string; cert: string } } = {}): Promise<HostileServer> {
  const hits: string[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      if (body.length < 1_000_000) body += d;
    });
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.push(`${req.method} ${path}`);
      res.on('error', () => undefined);
      const route = routes[path];
      if (route) route(req, res, body);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.tls ? 'https' : 'http'}://${options.tls ? 'localhost' : '127.0.0.1'}:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const MiB = 1024 * 1024;

/** Writes `block` again and again (at most `total` bytes), waiting for drain, until done or the client goes away. */
function pump(res: http.ServerResponse | zlib.Gzip, block: Buffer, total: number, done: () => void): void {
  let left = total;
  let stopped = false;
  res.once('close', () => (stopped = true));
  const next = () => {
    while (!stopped && left > 0) {
      const chunk = left >= block.length ? block : block.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', next);
        return;
      }
    }
    if (!stopped) done();
  };
  next();
}

export const behave = {
  json(status: number, value: unknown, headers: Record<string, string> = {}): Behaviour {
    return (_req, res) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
  },

  redirect(location: string, status = 307): Behaviour {
    return (_req, res) => res.writeHead(status, { location, 'content-type': 'text/plain' }).end('moved');
  },

  /** `bytes` of a JSON-looking body (a string that never closes), with or without its length declared. */
  huge(bytes: number, options: { contentType?: string; declareLength?: boolean; status?: number } = {}): Behaviour {
    const block = Buffer.alloc(64 * 1024, 0x61);
    return (_req, res) => {
      res.writeHead(options.status ?? 200, {
        'content-type': options.contentType ?? 'application/json',
        ...(options.declareLength ? { 'content-length': String(bytes) } : {}),
      });
      res.write('{"jsonrpc":"2.0","id":0,"result":{"x":"');
      pump(res, block, bytes, () => res.end('"}}'));
    };
  },

  /** A gzip bomb: `inflated` bytes of zeros (default 4 GiB) at ~1000:1. */
  gzipBomb(options: { inflated?: number; contentType?: string } = {}): Behaviour {
    const member = zlib.gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
    const copies = Math.ceil((options.inflated ?? 4096 * MiB) / (16 * MiB));
    return (_req, res) => {
      res.writeHead(200, { 'content-type': options.contentType ?? 'application/json', 'content-encoding': 'gzip' });
      pump(res, member, member.length * copies, () => res.end());
    };
  },

  /** Headers, then one byte every `intervalMs`, for ever. */
  trickle(options: { contentType?: string; intervalMs?: number } = {}): Behaviour {
    return (_req, res) => {
      res.writeHead(200, { 'content-type': options.contentType ?? 'application/json' });
      res.write(options.contentType === 'text/event-stream' ? 'data: {"jsonrpc":' : '{"jsonrpc":');
      const timer = setInterval(() => res.write(' '), options.intervalMs ?? 50);
      res.once('close', () => clearInterval(timer));
    };
  },

  /** Accepts the request and never answers. */
  never(): Behaviour {
    return () => undefined;
  },
};

/**
 * An MCP server protected by a (hostile) authorization server, both on one
 * origin: the MCP endpoint /mcp answers 401 with a resource_metadata challenge,
 * the protected-resource metadata names the origin as the authorization server,
 * whose metadata points at /register, /token and /revoke. Each piece can be
 * swapped for a hostile behaviour.
 */
export async function startHostileOAuth(overrides: Partial<Record<'mcp' | 'prm' | 'asMetadata' | 'register' | 'token' | 'revoke', Behaviour>> = {}): Promise<HostileServer & { mcpUrl: string; metadata: Record<string, unknown> }> {
  let origin = '';
  const metadata = () => ({
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    revocation_endpoint: `${origin}/revoke`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
  });
  const server = await startHostileServer({
    '/mcp':
      overrides.mcp ??
      ((_req, res) =>
        res
          .writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`, 'content-type': 'application/json' })
          .end('{"error":"unauthorized"}')),
    '/.well-known/oauth-protected-resource/mcp': overrides.prm ?? ((req, res, body) => behave.json(200, { resource: `${origin}/mcp`, authorization_servers: [origin] })(req, res, body)),
    '/.well-known/oauth-authorization-server': overrides.asMetadata ?? ((req, res, body) => behave.json(200, metadata())(req, res, body)),
    '/register': overrides.register ?? behave.json(400, { error: 'invalid_client_metadata' }),
    '/token': overrides.token ?? behave.json(400, { error: 'invalid_grant' }),
    '/revoke': overrides.revoke ?? ((_req, res) => res.writeHead(200).end()),
  });
  origin = server.origin;
  return { ...server, mcpUrl: `${origin}/mcp`, metadata: metadata() };
}
