// Which requests the bridge answers, and how it refuses the rest (DESIGN decision 8):
// Host and Origin must be the bridge's own address (DNS rebinding), every request
// carries the per-install secret, and only /servers/<id>/mcp with GET, POST or
// DELETE reaches the proxy.
import type http from 'node:http';
import { checkBearer, isAllowedHost, isAllowedOrigin, serverIdFromPath } from './guard';
import { forward, type ProxyContext } from './proxy';
import { refuse } from './respond';
import type { Upstreams } from './upstreams';

const METHODS = new Set(['GET', 'POST', 'DELETE']);
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

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

/** The client closed the connection before its request was complete: nothing to answer, nothing to log. */
export class ClientGone extends Error {}

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

export interface RouterOptions extends ProxyContext {
  readonly upstreams: Upstreams;
  /** The port the bridge listens on (read per request: known only once listening). */
  readonly port: () => number;
  readonly maxBodyBytes: number;
}

/** Checks one request and hands it to the proxy, or refuses it with a clear JSON error. */
export async function route(options: RouterOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const port = options.port();
  if (!isAllowedHost(req.headers.host, port)) return refuse(res, 403, MESSAGES.host(port));
  if (!isAllowedOrigin(req.headers.origin, port)) return refuse(res, 403, MESSAGES.origin(port));
  const secret = checkBearer(req.headers.authorization, options.secret);
  if (secret === 'missing') return refuse(res, 401, MESSAGES.missingSecret(), { 'www-authenticate': 'Bearer realm="mcp-keyring-bridge"' });
  if (secret === 'wrong') return refuse(res, 403, MESSAGES.wrongSecret());
  const id = serverIdFromPath(req.url);
  if (!id) return refuse(res, 404, MESSAGES.notFound());
  const method = req.method ?? 'GET';
  if (!METHODS.has(method)) return refuse(res, 405, MESSAGES.method(method), { allow: 'GET, POST, DELETE' });
  const upstream = await options.upstreams.get(id);
  if (!upstream) return refuse(res, 404, MESSAGES.unknownServer(id));

  let body: Buffer | undefined;
  if (method === 'POST') {
    const read = await readBody(req, options.maxBodyBytes);
    if (read === 'too-large') return refuse(res, 413, MESSAGES.tooLarge(options.maxBodyBytes), { connection: 'close' });
    body = read;
  }
  await forward(options, upstream, method, req, res, body);
}
