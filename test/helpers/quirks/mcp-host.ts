// A real MCP server (SDK McpServer + Streamable HTTP, stateful sessions) for the
// provider-quirk tests, where test/helpers/mcp-server.ts does not fit:
// - it can live at any public origin: https with a test certificate and a host
//   name (e.g. https://mcp.quirks.test:<port>) that only a proxy resolves;
// - other routes can be mounted on its origin (`mount`): an authorization server
//   of its own, or an OAuth proxy in front of another provider;
// - tokens are JWTs checked with jose against a JWKS (local or remote), for any
//   issuer and audience (Auth0's `audience` is not the server URL);
// - `admins`: the admin tool answers 403 insufficient_scope to callers that are not
//   admins even when their token has mcp:admin (servers that use the scope error
//   for access control; signing in again cannot fix it);
// - it records, per request, whether a bearer token came with it and from which
//   address (requests through test/helpers/quirks/forward-proxy.ts come from 127.0.0.2).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

export interface McpHostAuth {
  issuer: string;
  /** Public keys (createLocalJWKSet) or a JWKS URL fetched with the global fetch. */
  jwks: JSONWebKeySet | URL;
  /** Expected `aud` (default: the server's URL). */
  audience?: string;
  /** Scope every request needs (default mcp:tools). */
  requiredScope?: string;
  /** Only these `sub`s may call `admin`, whatever their scopes (default: anyone with mcp:admin). */
  admins?: string[];
}

export interface McpHostOptions {
  /** A function gets the server's origin, after `mount` ran (for an authorization server mounted on it). */
  auth: McpHostAuth | ((origin: string) => McpHostAuth);
  /** Host name in the server's URLs (default 127.0.0.1; it always listens on 127.0.0.1). */
  hostname?: string;
  tls?: { key: string; cert: string };
  path?: string;
  /**
   * RFC 9728 metadata at /.well-known/oauth-protected-resource<path>, naming these
   * authorization servers ('self' = this origin); 'none': no metadata and no
   * resource_metadata in challenges (servers from before RFC 9728).
   */
  resourceMetadata?: { authorizationServers: string[] } | 'none';
  /** Adds routes on the same origin (after the MCP and metadata routes). */
  mount?: (app: express.Express, origin: string) => void | Promise<void>;
}

export interface SeenRequest {
  httpMethod: string;
  /** JSON-RPC methods in the body (POST). */
  rpc: string[];
  bearer: boolean;
  /** The client's address. */
  from: string;
  status: number;
}

export interface McpHost {
  url: string;
  origin: string;
  seen: SeenRequest[];
  stats: { requests: number; unauthorized: number; forbidden: number; toolCalls: number };
  close(): Promise<void>;
}

const ALL_SCOPES = ['mcp:tools', 'mcp:admin'];

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

function rpcMethods(body: unknown): string[] {
  const list = Array.isArray(body) ? body : [body];
  return list.map((m) => (m && typeof m === 'object' && typeof (m as { method?: unknown }).method === 'string' ? String((m as { method: string }).method) : '')).filter(Boolean);
}

function callsTool(body: unknown, name: string): boolean {
  const list = Array.isArray(body) ? body : [body];
  return list.some((m) => m?.method === 'tools/call' && m?.params?.name === name);
}

export async function startMcpHost(options: McpHostOptions): Promise<McpHost> {
  const path = options.path ?? '/mcp';
  const app = express();
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, app) : http.createServer(app);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `${options.tls ? 'https' : 'http'}://${options.hostname ?? '127.0.0.1'}:${port}`;
  const url = `${origin}${path}`;
  const prmUrl = `${origin}/.well-known/oauth-protected-resource${path}`;
  const withMetadata = options.resourceMetadata !== 'none';
  // Resolved after `mount` (see the end): requests only come once startMcpHost has returned.
  let auth!: McpHostAuth;
  let audience = url;
  let requiredScope = 'mcp:tools';
  let keys!: ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;

  const seen: SeenRequest[] = [];
  const stats = { requests: 0, unauthorized: 0, forbidden: 0, toolCalls: 0 };
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();

  const challenge = (params: Array<[string, string]>) => `Bearer ${params.map(([k, v]) => `${k}=${quote(v)}`).join(', ')}`;
  const metadataParam: Array<[string, string]> = withMetadata ? [['resource_metadata', prmUrl]] : [];

  async function authenticate(req: Request, res: Response): Promise<AuthInfo | undefined> {
    const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(req.get('authorization') ?? '');
    const deny = (status: 401 | 403, header: string, error: string) => {
      if (status === 401) stats.unauthorized++;
      else stats.forbidden++;
      res.setHeader('WWW-Authenticate', header);
      res.status(status).json({ error });
      return undefined;
    };
    if (!match) return deny(401, challenge([...metadataParam, ['scope', requiredScope]]), 'invalid_token');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, keys, { issuer: auth.issuer, audience }));
    } catch (error) {
      const description = `token rejected (${(error as { code?: string }).code ?? 'invalid'})`;
      return deny(401, challenge([['error', 'invalid_token'], ['error_description', description], ...metadataParam, ['scope', requiredScope]]), 'invalid_token');
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (!scopes.includes(requiredScope)) {
      return deny(403, challenge([['error', 'insufficient_scope'], ['scope', requiredScope], ...metadataParam]), 'insufficient_scope');
    }
    if (req.method === 'POST' && callsTool(req.body, 'admin')) {
      const admin = scopes.includes('mcp:admin') && (!auth.admins || auth.admins.includes(String(payload.sub)));
      if (!admin) return deny(403, challenge([['error', 'insufficient_scope'], ['scope', 'mcp:tools mcp:admin'], ...metadataParam]), 'insufficient_scope');
    }
    return { token: match[1]!, clientId: String(payload.client_id ?? ''), scopes, extra: { sub: payload.sub, aud: payload.aud, iss: payload.iss } };
  }

  function buildServer(): McpServer {
    const mcp = new McpServer({ name: 'mcp-keyring-quirks-host', version: '1.0.0' });
    mcp.registerTool('echo', { description: 'Returns its text.', inputSchema: { text: z.string() } }, async ({ text }) => {
      stats.toolCalls++;
      return { content: [{ type: 'text' as const, text }] };
    });
    mcp.registerTool('whoami', { description: "Describes the caller's token." }, async (extra) => {
      stats.toolCalls++;
      const info = extra.authInfo;
      const who = { sub: info?.extra?.sub, client_id: info?.clientId, scope: info?.scopes.join(' '), aud: info?.extra?.aud, iss: info?.extra?.iss };
      return { content: [{ type: 'text' as const, text: JSON.stringify(who) }] };
    });
    mcp.registerTool('admin', { description: 'Requires scope mcp:admin.' }, async () => {
      stats.toolCalls++;
      return { content: [{ type: 'text' as const, text: 'admin ok' }] };
    });
    return mcp;
  }

  if (withMetadata) {
    app.get(`/.well-known/oauth-protected-resource${path}`, (_req, res) => {
      const servers = options.resourceMetadata === 'none' || !options.resourceMetadata ? [] : options.resourceMetadata.authorizationServers;
      res.json({
        resource: url,
        authorization_servers: servers.map((s) => (s === 'self' ? origin : s)),
        scopes_supported: ALL_SCOPES,
        bearer_methods_supported: ['header'],
      });
    });
  }

  app.all(path, express.json({ limit: '4mb' }), async (req, res) => {
    stats.requests++;
    const record: SeenRequest = { httpMethod: req.method, rpc: rpcMethods(req.body), bearer: /^Bearer /i.test(req.get('authorization') ?? ''), from: req.socket.remoteAddress ?? '', status: 0 };
    seen.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    const info = await authenticate(req, res);
    if (!info) return;
    (req as Request & { auth?: AuthInfo }).auth = info;
    const sessionId = req.get('mcp-session-id');
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return void res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
      return session.transport.handleRequest(req, res, req.body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
      return void res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: no valid session id' }, id: null });
    }
    const mcp = buildServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, server: mcp }),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    await mcp.connect(transport);
    return transport.handleRequest(req, res, req.body);
  });

  await options.mount?.(app, origin);
  auth = typeof options.auth === 'function' ? options.auth(origin) : options.auth;
  audience = auth.audience ?? url;
  requiredScope = auth.requiredScope ?? 'mcp:tools';
  keys = auth.jwks instanceof URL ? createRemoteJWKSet(auth.jwks, { cooldownDuration: 0 }) : createLocalJWKSet(auth.jwks);

  let closed = false;
  return {
    url,
    origin,
    seen,
    stats,
    async close() {
      if (closed) return;
      closed = true;
      for (const { server: mcp } of sessions.values()) void mcp.close().catch(() => undefined);
      sessions.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
