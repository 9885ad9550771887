// A small real HTTP server on 127.0.0.1 answering fixed routes: for servers that
// misbehave in one precise way (HTML where metadata belongs, no S256, …).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | object;
}
export type Route = StaticResponse | ((origin: string, req: http.IncomingMessage) => StaticResponse);

export interface StaticServer {
  origin: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startStaticServer(routes: Record<string, Route>): Promise<StaticServer> {
  const requests: string[] = [];
  let origin = '';
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    requests.push(`${req.method} ${path}`);
    req.resume();
    const route = routes[`${req.method} ${path}`] ?? routes[path];
    const answer = typeof route === 'function' ? route(origin, req) : (route ?? { status: 404, body: 'not found' });
    const body = typeof answer.body === 'object' ? JSON.stringify(answer.body) : (answer.body ?? '');
    const type = typeof answer.body === 'object' ? { 'content-type': 'application/json' } : {};
    res.writeHead(answer.status ?? 200, { ...type, ...answer.headers }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An MCP endpoint at /mcp that demands a token and points at its own metadata; the AS is this origin too. */
export function protectedServerRoutes(asMetadata: (origin: string) => object, extra: Record<string, Route> = {}): Record<string, Route> {
  return {
    'POST /mcp': (origin) => ({
      status: 401,
      headers: { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"` },
      body: '',
    }),
    '/.well-known/oauth-protected-resource/mcp': (origin) => ({ body: { resource: `${origin}/mcp`, authorization_servers: [origin] } }),
    '/.well-known/oauth-authorization-server': (origin) => ({ body: asMetadata(origin) }),
    ...extra,
  };
}

export function goodAsMetadata(origin: string): Record<string, unknown> {
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
}
