// A real MCP server for integration tests, built with @modelcontextprotocol/sdk:
// McpServer + StreamableHTTPServerTransport with stateful sessions (mcp-session-id)
// on http://127.0.0.1:<port><path>, protected as an OAuth 2.1 resource server
// (RFC 9068 JWT access tokens checked with jose against the AS's JWKS, RFC 9728
// protected resource metadata, RFC 6750 challenges), by an API key, or not at all.
//
// Legacy mode (legacySseOnly: true) serves only the 2024-11-05 HTTP+SSE transport:
//   - a client is configured with   <origin>/sse            (returned as `url`)
//   - GET  <origin>/sse             opens the event stream; its first event `endpoint`
//                                   names  /messages?sessionId=<id>
//   - POST <origin>/messages?sessionId=<id>  carries client->server messages
//   - POST <origin>/sse answers 405 and any request to <origin><path> (default /mcp)
//     answers 404, so Streamable-HTTP-first clients fall back to SSE.
//   In that mode the canonical resource (token audience) is <origin>/sse.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

export type McpAuth = { issuer: string; jwksUri: string } | { apiKeyHeader: string; apiKey: string } | 'none';

export interface McpServerOptions {
  auth: McpAuth;
  /** 'all' (default): every request needs a token; 'tools-call-only': only tools/call does. */
  authMode?: 'all' | 'tools-call-only';
  /** Endpoint path of the Streamable HTTP transport (default '/mcp'). */
  path?: string;
  port?: number;
  /** Serve only the legacy HTTP+SSE transport (see the header comment). */
  legacySseOnly?: boolean;
  /** Scope every authorized request needs (default 'mcp:tools'; null: none). */
  requiredScope?: string | null;
  /**
   * Where RFC 9728 metadata is served: 'path' (default) at
   * /.well-known/oauth-protected-resource<resource path>, 'root' at
   * /.well-known/oauth-protected-resource, 'both', or 'none' (404 everywhere).
   */
  protectedResourceMetadata?: 'path' | 'root' | 'both' | 'none';
  /** Put resource_metadata="…" in WWW-Authenticate challenges (default true unless metadata is 'none'). */
  resourceMetadataInChallenge?: boolean;
  /** SSE keep-alive comment interval of the Streamable HTTP transport (SDK default 15 000 ms). */
  keepAliveMs?: number;
}

export interface McpServerStats {
  /** HTTP requests to the MCP endpoint(s) (Streamable path, /sse, /messages). */
  requests: number;
  /** 401 answers. */
  unauthorized: number;
  /** 403 answers (insufficient_scope). */
  forbidden: number;
  /** Sessions created (cumulative). */
  sessions: number;
  /** tools/call invocations that reached a tool. */
  toolCalls: number;
}

export interface McpCaller {
  sub?: string;
  client_id?: string;
  jti?: string;
}

export interface McpTestServer {
  /** Canonical MCP endpoint a client is configured with (also the token audience). */
  url: string;
  origin: string;
  /** The RFC 9728 metadata URL the challenges advertise (path-suffixed unless protectedResourceMetadata is 'root'). */
  resourceMetadataUrl: string;
  stats: McpServerStats;
  /** One entry per request authorized with a bearer token (capped at 10 000). */
  callers: McpCaller[];
  /** Number of live sessions. */
  readonly openSessions: number;
  /** Forgets (and closes) all sessions: the next request with an old mcp-session-id gets 404. */
  dropSessions(): void;
  close(): Promise<void>;
}

const CALLERS_CAP = 10_000;
const ALL_SCOPES = ['mcp:tools', 'mcp:admin'];

type JsonRpcMessage = { method?: unknown; params?: { name?: unknown } };

function messages(body: unknown): JsonRpcMessage[] {
  if (Array.isArray(body)) return body.filter((m) => m && typeof m === 'object') as JsonRpcMessage[];
  if (body && typeof body === 'object') return [body as JsonRpcMessage];
  return [];
}

function callsTool(body: unknown, name?: string): boolean {
  return messages(body).some((m) => m.method === 'tools/call' && (name === undefined || m.params?.name === name));
}

/** Deterministic filler so corrupted/truncated payloads are detectable. */
function filler(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return alphabet.repeat(Math.ceil(length / alphabet.length)).slice(0, length);
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

interface Session {
  transport: StreamableHTTPServerTransport | SSEServerTransport;
  close(): void;
}

export async function startMcpServer(options: McpServerOptions): Promise<McpTestServer> {
  const authMode = options.authMode ?? 'all';
  const path = options.path ?? '/mcp';
  const legacy = options.legacySseOnly ?? false;
  const requiredScope = options.requiredScope === undefined ? 'mcp:tools' : options.requiredScope;
  const prmMode = options.protectedResourceMetadata ?? 'path';
  const challengeMetadata = options.resourceMetadataInChallenge ?? prmMode !== 'none';

  const app = express();
  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 1000;
  const port = await listen(httpServer, options.port ?? 0);
  const origin = `http://127.0.0.1:${port}`;
  const resourcePath = legacy ? '/sse' : path;
  const canonical = `${origin}${resourcePath}`;
  const prmPathUrl = `${origin}/.well-known/oauth-protected-resource${resourcePath}`;
  const prmRootUrl = `${origin}/.well-known/oauth-protected-resource`;
  const advertisedPrm = prmMode === 'root' ? prmRootUrl : prmPathUrl;

  const stats: McpServerStats = { requests: 0, unauthorized: 0, forbidden: 0, sessions: 0, toolCalls: 0 };
  const callers: McpCaller[] = [];
  const sessions = new Map<string, Session>();

  const oauth = typeof options.auth === 'object' && 'issuer' in options.auth ? options.auth : undefined;
  const apiKey = typeof options.auth === 'object' && 'apiKey' in options.auth ? options.auth : undefined;
  const jwks = oauth ? createRemoteJWKSet(new URL(oauth.jwksUri), { cooldownDuration: 0 }) : undefined;

  // --- authentication ---------------------------------------------------------
  /**
   * RFC 6750 challenge. 401s read  Bearer [error="…", error_description="…", ]resource_metadata="…", scope="…"
   * and 403s read                  Bearer error="insufficient_scope", scope="…", resource_metadata="…".
   */
  function challenge(kind: 401 | 403, params: { error?: string; error_description?: string; scope: string }): string {
    const parts: Array<[string, string]> = [];
    if (params.error) parts.push(['error', params.error]);
    if (params.error_description) parts.push(['error_description', params.error_description]);
    const metadata: Array<[string, string]> = challengeMetadata ? [['resource_metadata', advertisedPrm]] : [];
    if (kind === 401) parts.push(...metadata, ['scope', params.scope]);
    else parts.push(['scope', params.scope], ...metadata);
    return `Bearer ${parts.map(([k, v]) => `${k}=${quote(v)}`).join(', ')}`;
  }

  function deny(res: Response, status: 401 | 403, header: string | undefined, error: string, description: string): undefined {
    if (status === 401) stats.unauthorized++;
    else stats.forbidden++;
    if (header) res.setHeader('WWW-Authenticate', header);
    res.status(status).json({ error, error_description: description });
    return undefined;
  }

  /** Returns the AuthInfo to attach (null: anonymous but allowed) or undefined after answering. */
  async function authenticate(req: Request, res: Response): Promise<AuthInfo | null | undefined> {
    if (options.auth === 'none') return null;

    if (apiKey) {
      const presented = req.get(apiKey.apiKeyHeader);
      if (presented !== apiKey.apiKey) {
        return deny(res, 401, undefined, 'unauthorized', presented ? 'invalid API key' : `missing ${apiKey.apiKeyHeader} header`);
      }
      return { token: '', clientId: 'api-key', scopes: [...ALL_SCOPES], extra: { apiKey: true } };
    }

    if (!oauth || !jwks) throw new Error('unreachable: no auth configuration');
    const needsAuth = authMode === 'all' || (req.method === 'POST' && callsTool(req.body));
    const authorization = req.get('authorization') ?? '';
    const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization);

    if (!match) {
      if (!needsAuth) return null;
      if (authorization) {
        return deny(res, 401, challenge(401, { error: 'invalid_request', error_description: 'malformed Authorization header', scope: requiredScope ?? 'mcp:tools' }), 'invalid_request', 'malformed Authorization header');
      }
      return deny(res, 401, challenge(401, { scope: requiredScope ?? 'mcp:tools' }), 'invalid_token', 'missing bearer token');
    }

    const token = match[1]!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: oauth.issuer, audience: canonical, typ: 'at+jwt' }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'ERR_JWT_INVALID';
      const description = code === 'ERR_JWT_EXPIRED' ? 'token expired' : `token rejected (${code})`;
      return deny(res, 401, challenge(401, { error: 'invalid_token', error_description: description, scope: requiredScope ?? 'mcp:tools' }), 'invalid_token', description);
    }

    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (needsAuth && requiredScope && !scopes.includes(requiredScope)) {
      return deny(res, 403, challenge(403, { error: 'insufficient_scope', scope: requiredScope }), 'insufficient_scope', `scope ${requiredScope} required`);
    }
    if (req.method === 'POST' && callsTool(req.body, 'admin') && !scopes.includes('mcp:admin')) {
      return deny(res, 403, challenge(403, { error: 'insufficient_scope', scope: 'mcp:tools mcp:admin' }), 'insufficient_scope', 'the admin tool requires scope mcp:admin');
    }

    const clientId = typeof payload.client_id === 'string' ? payload.client_id : '';
    if (callers.length < CALLERS_CAP) callers.push({ sub: payload.sub, client_id: clientId || undefined, jti: payload.jti });
    return {
      token,
      clientId,
      scopes,
      expiresAt: payload.exp,
      resource: new URL(canonical),
      extra: { sub: payload.sub, aud: payload.aud, jti: payload.jti, iss: payload.iss },
    };
  }

  // --- the MCP server (one per session) -----------------------------------------
  function buildServer(): McpServer {
    const server = new McpServer({ name: 'mcp-keyring-test-server', version: '1.0.0' }, { capabilities: { logging: {} } });
    const counted = <T>(fn: () => Promise<T>): Promise<T> => {
      stats.toolCalls++;
      return fn();
    };

    server.registerTool(
      'echo',
      { description: 'Returns its text argument.', inputSchema: { text: z.string() } },
      async ({ text }) => counted(async () => ({ content: [{ type: 'text' as const, text }] })),
    );

    server.registerTool(
      'whoami',
      { description: "Describes the caller's credentials." },
      async (extra) =>
        counted(async () => {
          const info = extra.authInfo;
          let who: Record<string, unknown>;
          if (!info) who = { anonymous: true };
          else if (info.extra?.apiKey) who = { apiKey: true };
          else who = { sub: info.extra?.sub, client_id: info.clientId, scope: info.scopes.join(' '), aud: info.extra?.aud };
          return { content: [{ type: 'text' as const, text: JSON.stringify(who) }] };
        }),
    );

    server.registerTool(
      'big',
      { description: 'Returns kb*1024 characters of text.', inputSchema: { kb: z.number().int().min(0).max(64 * 1024) } },
      async ({ kb }) => counted(async () => ({ content: [{ type: 'text' as const, text: filler(kb * 1024) }] })),
    );

    server.registerTool(
      'notify',
      {
        description: 'Sends `count` logging notifications during the call, then returns "done".',
        inputSchema: { count: z.number().int().min(0).max(100_000), delayMs: z.number().int().min(0).max(10_000).optional() },
      },
      async ({ count, delayMs }, extra) =>
        counted(async () => {
          for (let i = 1; i <= count; i++) {
            await extra.sendNotification({
              method: 'notifications/message',
              params: { level: 'info', logger: 'notify', data: `notification ${i}/${count}` },
            });
            if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
          }
          return { content: [{ type: 'text' as const, text: 'done' }] };
        }),
    );

    server.registerTool(
      'ask',
      { description: 'Asks the client a question (elicitation) and returns the answer.', inputSchema: { question: z.string() } },
      async ({ question }, extra) =>
        counted(async () => {
          const result = await server.server.elicitInput(
            {
              message: question,
              requestedSchema: { type: 'object', properties: { answer: { type: 'string', title: 'Answer' } }, required: ['answer'] },
            },
            { relatedRequestId: extra.requestId },
          );
          const answer = result.action === 'accept' ? String(result.content?.answer ?? '') : `[${result.action}]`;
          return { content: [{ type: 'text' as const, text: answer }] };
        }),
    );

    server.registerTool(
      'sleep',
      { description: 'Waits ms milliseconds (honours cancellation), then returns "slept".', inputSchema: { ms: z.number().int().min(0).max(600_000) } },
      async ({ ms }, extra) =>
        counted(async () => {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, ms);
            extra.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(new Error('cancelled'));
            });
          });
          return { content: [{ type: 'text' as const, text: 'slept' }] };
        }),
    );

    server.registerTool(
      'admin',
      { description: 'Requires scope mcp:admin.' },
      async (extra) =>
        counted(async () => {
          const scopes = extra.authInfo?.scopes;
          if (oauth && !scopes?.includes('mcp:admin')) {
            return { isError: true, content: [{ type: 'text' as const, text: 'insufficient_scope' }] };
          }
          return { content: [{ type: 'text' as const, text: 'admin ok' }] };
        }),
    );

    return server;
  }

  // --- HTTP routes ------------------------------------------------------------------
  app.use(express.json({ limit: '32mb' }));

  const prmBody = () => ({
    resource: canonical,
    authorization_servers: oauth ? [oauth.issuer] : [],
    scopes_supported: [...ALL_SCOPES],
    bearer_methods_supported: ['header'],
  });
  if (oauth && (prmMode === 'path' || prmMode === 'both')) {
    app.get(`/.well-known/oauth-protected-resource${resourcePath}`, (_req, res) => {
      res.json(prmBody());
    });
  }
  if (oauth && (prmMode === 'root' || prmMode === 'both')) {
    app.get('/.well-known/oauth-protected-resource', (_req, res) => {
      res.json(prmBody());
    });
  }

  const jsonRpcError = (res: Response, status: number, code: number, message: string) => {
    res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
  };

  if (!legacy) {
    app.all(path, async (req, res) => {
      stats.requests++;
      const authInfo = await authenticate(req, res);
      if (authInfo === undefined) return;
      if (authInfo) (req as Request & { auth?: AuthInfo }).auth = authInfo;

      const sessionId = req.get('mcp-session-id');
      if (sessionId) {
        const transport = sessions.get(sessionId)?.transport;
        if (!(transport instanceof StreamableHTTPServerTransport)) return jsonRpcError(res, 404, -32001, 'Session not found');
        return transport.handleRequest(req, res, req.body);
      }
      if (req.method === 'POST' && isInitializeRequest(req.body)) {
        const server = buildServer();
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            stats.sessions++;
            sessions.set(id, {
              transport,
              close: () => {
                void server.close().catch(() => {});
              },
            });
          },
          onsessionclosed: (id) => {
            sessions.delete(id);
          },
          ...(options.keepAliveMs !== undefined ? { keepAliveMs: options.keepAliveMs } : {}),
        });
        transport.onclose = () => {
          if (transport.sessionId) sessions.delete(transport.sessionId);
        };
        await server.connect(transport);
        return transport.handleRequest(req, res, req.body);
      }
      if (req.method === 'POST') return jsonRpcError(res, 400, -32000, 'Bad Request: no valid session id provided');
      return jsonRpcError(res, 400, -32000, 'Bad Request: mcp-session-id header required');
    });
  } else {
    app.all(path, (_req, res) => {
      stats.requests++;
      res.status(404).json({ error: 'not_found', error_description: 'this server only speaks HTTP+SSE at /sse' });
    });

    app.all('/sse', async (req, res) => {
      stats.requests++;
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET');
        return jsonRpcError(res, 405, -32000, 'Method not allowed: this server only speaks HTTP+SSE (GET /sse)');
      }
      const authInfo = await authenticate(req, res);
      if (authInfo === undefined) return;
      const server = buildServer();
      const transport = new SSEServerTransport('/messages', res);
      const id = transport.sessionId;
      stats.sessions++;
      sessions.set(id, {
        transport,
        close: () => {
          void server.close().catch(() => {});
        },
      });
      res.on('close', () => {
        sessions.delete(id);
        void server.close().catch(() => {});
      });
      await server.connect(transport);
    });

    app.post('/messages', async (req, res) => {
      stats.requests++;
      const authInfo = await authenticate(req, res);
      if (authInfo === undefined) return;
      if (authInfo) (req as Request & { auth?: AuthInfo }).auth = authInfo;
      const id = typeof req.query.sessionId === 'string' ? req.query.sessionId : '';
      const transport = sessions.get(id)?.transport;
      if (!(transport instanceof SSEServerTransport)) return jsonRpcError(res, 404, -32001, 'Session not found');
      await transport.handlePostMessage(req, res, req.body);
    });
  }

  function dropSessions(): void {
    const all = [...sessions.values()];
    sessions.clear();
    for (const session of all) session.close();
  }

  let closed = false;
  return {
    url: canonical,
    origin,
    resourceMetadataUrl: advertisedPrm,
    stats,
    callers,
    get openSessions() {
      return sessions.size;
    },
    dropSessions,
    async close() {
      if (closed) return;
      closed = true;
      dropSessions();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}
