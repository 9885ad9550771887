// A local MCP registry serving the official registry API's shape (its OpenAPI
// document, docs/reference/api/openapi.yaml): GET /v0/servers?search=&cursor=&limit=&version=
// → { servers: [{ server: ServerDetail, _meta }], metadata: { nextCursor?, count } }.
// `search` is a substring match on the name, cursors are opaque (here: an offset).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RegistryServerDetail {
  name: string;
  description: string;
  version: string;
  title?: string;
  remotes?: Array<{ type: string; url: string; headers?: Array<{ name: string; description?: string; isSecret?: boolean; isRequired?: boolean }> }>;
  packages?: unknown[];
}

export interface TestRegistry {
  url: string;
  /** Query strings of every /v0/servers request. */
  queries: URLSearchParams[];
  close(): Promise<void>;
}

export async function startRegistry(servers: RegistryServerDetail[]): Promise<TestRegistry> {
  const queries: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/v0/servers') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Not found' }));
      return;
    }
    queries.push(url.searchParams);
    const search = url.searchParams.get('search')?.toLowerCase() ?? '';
    const limit = Number(url.searchParams.get('limit') ?? 30);
    const offset = Number(url.searchParams.get('cursor') ? Buffer.from(url.searchParams.get('cursor')!, 'base64url').toString() : 0);
    const matching = servers.filter((s) => s.name.toLowerCase().includes(search));
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        servers: page.map((detail) => ({
          server: { $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', ...detail },
          _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active', isLatest: true, publishedAt: '2026-11-01T10:00:00Z' } },
        })),
        metadata: { count: page.length, ...(next ? { nextCursor: next } : {}) },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
