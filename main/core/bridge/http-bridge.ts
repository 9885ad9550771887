// The local HTTP bridge, for clients that speak Streamable HTTP to a URL (Cursor,
// VS Code, Claude Code, Windsurf): every server of the registry is reachable at
// http://127.0.0.1:<port>/servers/<id>/mcp.
//
// It is a transparent reverse proxy, one request at a time: method, body and the
// MCP request headers go to the server's URL through the same auth fetch as the
// stdio bridge (credentials from the keychain, refresh and retry once on 401,
// step-up on 403 insufficient_scope), and the answer streams back as it arrives,
// event by event for SSE (the long-lived GET stream included). The bridge keeps
// no MCP state: each client's mcp-session-id passes through both ways, so any
// number of clients and sessions work side by side. One Credentials per server
// is shared by all of them, so a token is refreshed once for everyone.
//
// Locked down (DESIGN decision 8): it listens on 127.0.0.1 only; every request
// needs `Authorization: Bearer <per-install secret>` (kept in the keychain);
// Host must be 127.0.0.1:<port> or localhost:<port> and Origin, when a browser
// sends one, the same (DNS rebinding). The client's Authorization header never
// goes upstream: only the headers listed below are forwarded.
//
// Not covered: servers that speak only the old HTTP+SSE transport (use the
// stdio bridge for those), and re-initializing a session the server forgot: the
// server's 404 reaches the client unchanged, and the spec has the client start a
// new session (the bare SDK Client reports the error instead).
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ServerConfig } from '../../../shared/server-config';
import { KeyringError, errorMessage } from '../errors';
import { createNodeFetch } from '../http/node-fetch';
import type { Keyring } from '../keyring';
import { redact } from '../redact';
import { createAuthFetch } from './auth-fetch';
import { credentialsFor, OAuthCredentials, type Credentials } from './credentials';
import { HTTP_BRIDGE_ERROR, classifyError, describeError, errorBody, jsonRpcErrors, requestIds } from './http/errors';
import { HTTP_BRIDGE_HOST, HTTP_BRIDGE_PORT_ENV, checkBearer, httpBridgeUrl, isAllowedHost, isAllowedOrigin, resolveHttpBridgePort, serverIdFromPath } from './http/guard';
import { getOrCreateHttpBridgeSecret } from './http/secret';

export { DEFAULT_HTTP_BRIDGE_PORT, HTTP_BRIDGE_PORT_ENV, httpBridgeUrl, resolveHttpBridgePort } from './http/guard';
export { getOrCreateHttpBridgeSecret } from './http/secret';

export interface HttpBridgeOptions {
  /** Port to listen on; default MCP_KEYRING_HTTP_PORT, else 8737. 0 picks a free port (tests). */
  port?: number;
  /** Only loopback: the bridge is for this computer's clients. */
  host?: '127.0.0.1';
  /** Where MCP_KEYRING_HTTP_PORT is read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** One line per failed request, secrets already redacted. Default: silent. */
  log?: (line: string) => void;
  /** Largest POST body accepted, in bytes (default 32 MiB). */
  maxBodyBytes?: number;
}

export interface HttpBridge {
  readonly port: number;
  /** http://127.0.0.1:<port>/servers/<id>/mcp */
  url(serverId: string): string;
  /** The per-install secret clients send as `Authorization: Bearer <secret>`. Never log it. */
  readonly secret: string;
  /** Stops listening, ends every open stream (aborting its upstream request) and stops watching files. */
  close(): Promise<void>;
}

/** Request headers that matter to MCP; everything else (Authorization above all) stays here. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'] as const;
/** Response headers a client needs. content-length is recomputed (the fetch decompresses), WWW-Authenticate is never passed on. */
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'mcp-session-id', 'cache-control'] as const;
const METHODS = new Set(['GET', 'POST', 'DELETE']);
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** A JSON answer up to this size is held back and sent with its length; past it, it streams through. */
const COMMIT_BYTES = 4 * 1024 * 1024;

const MESSAGES = {
  host: (port: number) =>
    `Refused: the Host header must be 127.0.0.1:${port} or localhost:${port}. MCP Keyring's bridge only answers clients on this computer that use its own address.`,
  origin: (port: number) => `Refused: requests from web pages are not allowed (Origin must be http://127.0.0.1:${port} or absent).`,
  missingSecret: () =>
    "MCP Keyring's local bridge needs its secret: send the header `Authorization: Bearer <secret>`. Add the server to your client from MCP Keyring (or copy the header it shows) so the entry carries it.",
  wrongSecret: () =>
    "Wrong secret for MCP Keyring's local bridge: the Authorization header does not match this computer's MCP Keyring. Add the server to your client again from MCP Keyring to update it.",
  notFound: () => "Not found: MCP Keyring's bridge serves each server at /servers/<id>/mcp.",
  unknownServer: (id: string) => `MCP Keyring has no server with id "${id}"; run \`mcp-keyring status\` to list them, or add it in MCP Keyring.`,
  method: (method: string) => `Method ${method} is not allowed; MCP Streamable HTTP uses GET, POST and DELETE.`,
  tooLarge: (limit: number) => `The request body is larger than ${Math.round(limit / 1024 / 1024)} MiB.`,
};

interface Upstream {
  readonly server: ServerConfig;
  readonly key: string;
  readonly credentials: Credentials;
  readonly fetch: FetchLike;
}

function serverKey(server: ServerConfig): string {
  return `${server.url}\n${JSON.stringify(server.auth)}`;
}

/**
 * The registry as the bridge needs it on every request: read once, re-read when
 * servers.json changes (or when an id is not found: it may have been added a
 * moment ago), with one Credentials and auth fetch per server, kept as long as
 * the server's URL and auth stay the same.
 */
class Upstreams {
  #servers: Promise<Map<string, ServerConfig>> | undefined;
  readonly #upstreams = new Map<string, Upstream>();
  readonly #baseFetch = createNodeFetch();
  readonly #unwatch: Array<() => void> = [];

  constructor(private readonly keyring: Keyring) {}

  /** Follows servers.json and the state files; without file watching (inotify exhausted, say) the bridge still works, only later to notice changes. */
  watch(log: (line: string) => void): void {
    const file = this.keyring.registry.paths.serversFile;
    const base = path.basename(file);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const watcher = fs.watch(path.dirname(file), (_event, name) => {
        // Atomic writes rename a temporary file (.servers.json.<pid>.<rand>.tmp) over servers.json.
        if (!name || name.toString() === base) this.reload();
      });
      watcher.on('error', () => undefined); // the directory went away; lookups still re-read on a miss
      this.#unwatch.push(() => watcher.close());
    } catch (error) {
      log(`not watching ${file} (${error instanceof Error ? error.message : String(error)}); changed servers are noticed when an unknown id is asked for`);
    }
    try {
      // Another process signed in, refreshed or disconnected: read the keychain again on the next request.
      this.#unwatch.push(
        this.keyring.states.watch((id) => {
          const credentials = this.#upstreams.get(id)?.credentials;
          if (credentials instanceof OAuthCredentials) credentials.invalidate();
        }),
      );
    } catch (error) {
      log(`not watching the token states (${error instanceof Error ? error.message : String(error)}); a sign-in elsewhere is used once the cached token is due for refresh`);
    }
  }

  close(): void {
    for (const stop of this.#unwatch.splice(0)) stop();
  }

  reload(): void {
    this.#servers = undefined;
  }

  /** Secrets handed out so far, for redaction. */
  secrets(): string[] {
    const out: string[] = [];
    for (const upstream of this.#upstreams.values()) out.push(...upstream.credentials.secrets);
    return out;
  }

  async get(id: string): Promise<Upstream | undefined> {
    let servers = await this.#load();
    if (!servers.has(id)) {
      this.reload();
      servers = await this.#load();
    }
    const server = servers.get(id);
    if (!server) return undefined;
    const cached = this.#upstreams.get(id);
    if (cached && cached.server === server) return cached;
    const key = serverKey(server);
    if (cached && cached.key === key) {
      // servers.json was re-read but this server did not change: keep its credentials (and cached token).
      const same = { ...cached, server };
      this.#upstreams.set(id, same);
      return same;
    }
    const credentials = credentialsFor(server, this.keyring.tokens);
    if (credentials instanceof OAuthCredentials) credentials.preload();
    const upstream: Upstream = { server, key, credentials, fetch: createAuthFetch(this.#baseFetch as FetchLike, credentials) };
    this.#upstreams.set(id, upstream);
    return upstream;
  }

  #load(): Promise<Map<string, ServerConfig>> {
    if (!this.#servers) {
      const loading = this.keyring.registry.list().then((list) => new Map(list.map((server) => [server.id, server])));
      this.#servers = loading;
      // A failed read (a damaged servers.json) is not cached: the next request tries again.
      loading.catch(() => {
        if (this.#servers === loading) this.#servers = undefined;
      });
    }
    return this.#servers;
  }
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const data = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(data.length), 'cache-control': 'no-store', ...headers });
  res.end(data);
}

function refuse(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  send(res, status, errorBody(HTTP_BRIDGE_ERROR.refused, message), headers);
}

/** The request body, or 'too-large' (the rest of it is not read). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new ClientGone());
    });
  });
}

/** The client closed the connection before its request was complete: nothing to answer, nothing to log. */
class ClientGone extends Error {}

function waitForDrain(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function isEventStream(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream';
}

class LocalHttpBridge implements HttpBridge {
  readonly #server: http.Server;
  readonly #upstreams: Upstreams;
  readonly #secret: string;
  readonly #log: (line: string) => void;
  readonly #maxBody: number;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(keyring: Keyring, secret: string, options: HttpBridgeOptions) {
    this.#secret = secret;
    this.#upstreams = new Upstreams(keyring);
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const log = options.log;
    this.#log = log ? (line) => log(redact(line, [this.#secret, ...this.#upstreams.secrets()])) : () => undefined;
    this.#server = http.createServer({ noDelay: true }, (req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (error instanceof ClientGone || res.destroyed) {
          res.destroy();
          return;
        }
        this.#log(`${req.method ?? '?'} ${serverIdFromPath(req.url) ?? '-'}: ${errorMessage(error)}`);
        if (res.headersSent) res.destroy();
        else send(res, 500, errorBody(HTTP_BRIDGE_ERROR.failed, `MCP Keyring's bridge failed: ${redact(errorMessage(error), [this.#secret, ...this.#upstreams.secrets()])}`));
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  get secret(): string {
    return this.#secret;
  }

  url(serverId: string): string {
    return httpBridgeUrl(this.#port, serverId);
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, port));
      this.#server.once('error', onError);
      this.#server.listen({ port, host: HTTP_BRIDGE_HOST, exclusive: true }, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#upstreams.watch(this.#log);
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#upstreams.close();
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
      // Open event streams would keep close() waiting forever; ending them aborts their upstream requests.
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const port = this.#port;
    if (!isAllowedHost(req.headers.host, port)) return refuse(res, 403, MESSAGES.host(port));
    if (!isAllowedOrigin(req.headers.origin, port)) return refuse(res, 403, MESSAGES.origin(port));
    const secret = checkBearer(req.headers.authorization, this.#secret);
    if (secret === 'missing') return refuse(res, 401, MESSAGES.missingSecret(), { 'www-authenticate': 'Bearer realm="mcp-keyring-bridge"' });
    if (secret === 'wrong') return refuse(res, 403, MESSAGES.wrongSecret());
    const id = serverIdFromPath(req.url);
    if (!id) return refuse(res, 404, MESSAGES.notFound());
    const method = req.method ?? 'GET';
    if (!METHODS.has(method)) return refuse(res, 405, MESSAGES.method(method), { allow: 'GET, POST, DELETE' });
    const upstream = await this.#upstreams.get(id);
    if (!upstream) return refuse(res, 404, MESSAGES.unknownServer(id));

    let body: Buffer | undefined;
    if (method === 'POST') {
      const read = await readBody(req, this.#maxBody);
      if (read === 'too-large') return refuse(res, 413, MESSAGES.tooLarge(this.#maxBody), { connection: 'close' });
      body = read;
    }
    await this.#forward(upstream, method, req, res, body);
  }

  async #forward(upstream: Upstream, method: string, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    // The client went away: stop the upstream request (or stream) too.
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });

    let response: Response;
    try {
      response = await upstream.fetch(upstream.server.url, { method, headers, ...(body ? { body: body as unknown as BodyInit } : {}), signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted) return;
      this.#answerError(res, upstream, method, body, error);
      return;
    }
    if (controller.signal.aborted) {
      await response.body?.cancel().catch(() => undefined);
      return;
    }

    const out: Record<string, string> = {};
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) out[name] = value;
    }

    const stream = response.body;
    if (!stream) {
      res.writeHead(response.status, out);
      res.end();
      return;
    }
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    if (!isEventStream(out['content-type'])) {
      // A JSON answer (or none). Held back up to COMMIT_BYTES, so that a small one goes out in one write with
      // its length and a refused one (too large, a compression bomb, too slow) still gets a clear JSON-RPC error;
      // a larger one streams through as it comes, never whole in memory (the fetch bounds its total size).
      let held = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            const data = Buffer.concat(chunks, held);
            res.writeHead(response.status, { ...out, 'content-length': String(data.length) });
            res.end(data);
            return;
          }
          chunks.push(value);
          held += value.byteLength;
          if (held >= COMMIT_BYTES) break;
        }
      } catch (error) {
        if (!controller.signal.aborted) this.#answerError(res, upstream, method, body, error);
        return;
      }
    }

    // Streamed: headers now (the client is waiting for them), then each chunk as it comes
    // (for an event stream, event by event).
    res.writeHead(response.status, out);
    res.flushHeaders();
    try {
      for (const chunk of chunks.splice(0)) if (!res.write(chunk)) await waitForDrain(res);
      for (;;) {
        if (res.destroyed) break;
        const { done, value } = await reader.read();
        if (done) break;
        if (res.destroyed) break;
        if (!res.write(value)) await waitForDrain(res);
      }
      if (res.destroyed) await reader.cancel().catch(() => undefined);
      else res.end();
    } catch (error) {
      // The server's answer broke off or was refused (or the client left and it was aborted): cut the client's
      // stream too, so the client sees an interrupted answer (and may resume an event stream with Last-Event-ID)
      // rather than a clean end.
      if (!controller.signal.aborted) this.#log(`${method} ${upstream.server.id}: the server's answer broke off (${describeError(error, upstream.server.url)})`);
      res.destroy();
    }
  }

  #answerError(res: http.ServerResponse, upstream: Upstream, method: string, body: Buffer | undefined, error: unknown): void {
    const message = redact(describeError(error, upstream.server.url), [this.#secret, ...upstream.credentials.secrets]);
    const { status, code } = classifyError(error);
    this.#log(`${method} ${upstream.server.id}: ${message}`);
    if (method === 'POST') {
      // A request gets its answer as a JSON-RPC error, which clients show like any server error.
      const { ids, batch } = requestIds(body);
      if (ids.length) return send(res, 200, jsonRpcErrors(ids, code, message, batch));
    }
    send(res, status, errorBody(code, message));
  }
}

function listenError(error: NodeJS.ErrnoException, port: number): Error {
  const change = `choose another port with \`mcp-keyring serve --port N\` or ${HTTP_BRIDGE_PORT_ENV}=N (then add the servers to your clients again, since their URLs contain the port)`;
  if (error.code === 'EADDRINUSE') {
    return new KeyringError(
      'port-unavailable',
      `Port ${port} on ${HTTP_BRIDGE_HOST} is already in use, so MCP Keyring's HTTP bridge cannot start. If another \`mcp-keyring serve\` or the MCP Keyring app is running, use that one; otherwise stop the program holding the port or ${change}.`,
      { cause: error },
    );
  }
  if (error.code === 'EACCES') {
    return new KeyringError('port-unavailable', `Not allowed to listen on port ${port} on ${HTTP_BRIDGE_HOST}; ${change}.`, { cause: error });
  }
  return error;
}

/**
 * Starts the local HTTP bridge for every server in the keyring's registry.
 * Throws KeyringError 'port-unavailable' when the port is taken, 'invalid-input'
 * for a bad port, 'keychain-unavailable' when the secret cannot be read or stored.
 */
export async function startHttpBridge(keyring: Keyring, options: HttpBridgeOptions = {}): Promise<HttpBridge> {
  if (options.host !== undefined && options.host !== HTTP_BRIDGE_HOST) {
    throw new KeyringError('invalid-input', `The HTTP bridge only listens on ${HTTP_BRIDGE_HOST}.`);
  }
  const port = resolveHttpBridgePort(options.port, options.env ?? process.env);
  const secret = await getOrCreateHttpBridgeSecret(keyring.vault, keyring.registry.paths);
  const bridge = new LocalHttpBridge(keyring, secret, options);
  await bridge.listen(port);
  return bridge;
}
