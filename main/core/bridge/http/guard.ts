// The local HTTP bridge's gate (DESIGN decision 8), as pure functions: which port
// it listens on, which Host and Origin headers it accepts (DNS rebinding), how the
// per-install secret is checked, and which paths name a server.
import { createHash, timingSafeEqual } from 'node:crypto';
import { KeyringError } from '../../errors';

/**
 * The bridge's port when neither `--port` nor MCP_KEYRING_HTTP_PORT says otherwise.
 * Client configs hold the URL, so it must not change between runs: a fixed port,
 * chosen outside the ranges development servers crowd (3000s, 5000s, 8000/8080/8888)
 * and outside the OS ephemeral ranges (Linux 32768+, Windows/macOS 49152+).
 */
export const DEFAULT_HTTP_BRIDGE_PORT = 8737;
export const HTTP_BRIDGE_PORT_ENV = 'MCP_KEYRING_HTTP_PORT';
export const HTTP_BRIDGE_HOST = '127.0.0.1';

function parsePort(value: string | number, source: string): number {
  const port = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KeyringError('invalid-input', `${source} "${value}" is not a port number (1-65535).`);
  }
  return port;
}

/** The port to listen on: the option, else MCP_KEYRING_HTTP_PORT, else 8737. 0 (tests) means any free port. */
export function resolveHttpBridgePort(option: number | string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): number {
  if (option !== undefined) return parsePort(option, 'The port');
  const fromEnv = env[HTTP_BRIDGE_PORT_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parsePort(fromEnv, HTTP_BRIDGE_PORT_ENV);
  return DEFAULT_HTTP_BRIDGE_PORT;
}

/** Where a client reaches one server through the bridge. */
export function httpBridgeUrl(port: number, serverId: string): string {
  return `http://${HTTP_BRIDGE_HOST}:${port}/servers/${encodeURIComponent(serverId)}/mcp`;
}

/**
 * The Host header must name this very listener: `127.0.0.1:<port>` or `localhost:<port>`.
 * A page on evil.example whose name was re-pointed at 127.0.0.1 (DNS rebinding)
 * sends `Host: evil.example:<port>` and is turned away.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const value = host.toLowerCase();
  return value === `127.0.0.1:${port}` || value === `localhost:${port}`;
}

/** No Origin (a non-browser client) is fine; a browser's Origin must be the bridge's own. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  const value = origin.toLowerCase();
  return value === `http://127.0.0.1:${port}` || value === `http://localhost:${port}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

let secretDigest: { secret: string; digest: Buffer } | undefined;

/**
 * 'missing' when there is no `Authorization: Bearer …` header, 'wrong' when its
 * value is not the secret. The comparison takes the same time whatever the value
 * (fixed-length digests, timingSafeEqual), so the secret cannot be guessed byte by byte.
 */
export function checkBearer(authorization: string | undefined, secret: string): 'ok' | 'missing' | 'wrong' {
  const match = authorization ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization) : null;
  if (!match) return 'missing';
  if (secretDigest?.secret !== secret) secretDigest = { secret, digest: digest(secret) };
  return timingSafeEqual(digest(match[1]!), secretDigest.digest) ? 'ok' : 'wrong';
}

const SERVER_PATH = /^\/servers\/([a-z0-9][a-z0-9-]{0,62})\/mcp\/?$/;

/** The server id in `/servers/<id>/mcp` (a query string is ignored), or undefined for any other path. */
export function serverIdFromPath(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return SERVER_PATH.exec(path)?.[1];
}
