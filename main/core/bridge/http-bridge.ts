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
// goes upstream: only the headers listed in http/proxy.ts are forwarded.
//
// The parts: http/router.ts checks and routes each request, http/proxy.ts forwards
// it, http/upstreams.ts keeps the servers and their credentials.
//
// Not covered: servers that speak only the old HTTP+SSE transport (use the
// stdio bridge for those), and re-initializing a session the server forgot: the
// server's 404 reaches the client unchanged, and the spec has the client start a
// new session (the bare SDK Client reports the error instead).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyringError, errorMessage } from '../errors';
import type { Keyring } from '../keyring';
import { redact } from '../redact';
import { HTTP_BRIDGE_ERROR, errorBody } from './http/errors';
import { HTTP_BRIDGE_HOST, HTTP_BRIDGE_PORT_ENV, httpBridgeUrl, resolveHttpBridgePort, serverIdFromPath } from './http/guard';
import { send } from './http/respond';
import { ClientGone, DEFAULT_MAX_BODY_BYTES, route, type RouterOptions } from './http/router';
import { getOrCreateHttpBridgeSecret } from './http/secret';
import { Upstreams } from './http/upstreams';

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

/** The server itself: listens, hands each request to the router, and closes everything on close(). */
class LocalHttpBridge implements HttpBridge {
  readonly #server: http.Server;
  readonly #upstreams: Upstreams;
  readonly #secret: string;
  readonly #log: (line: string) => void;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(keyring: Keyring, secret: string, options: HttpBridgeOptions) {
    this.#secret = secret;
    this.#upstreams = new Upstreams(keyring);
    const log = options.log;
    this.#log = log ? (line) => log(redact(line, [this.#secret, ...this.#upstreams.secrets()])) : () => undefined;
    const router: RouterOptions = {
      secret,
      log: this.#log,
      upstreams: this.#upstreams,
      port: () => this.#port,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    };
    this.#server = http.createServer({ noDelay: true }, (req, res) => {
      route(router, req, res).catch((error: unknown) => {
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
