// How the HTTP bridge tells a client what went wrong, in the shapes MCP clients
// show to the user.
//
// What the SDK's StreamableHTTPClientTransport (and clients built like it) does:
// - HTTP 200 with a JSON-RPC error for the request: the pending call rejects with
//   McpError "MCP error <code>: <message>", exactly as for a server error. Best.
// - HTTP 401: a client with an OAuth provider (VS Code, Cursor, Claude Code, …)
//   starts its own sign-in against the bridge, which is not an OAuth resource:
//   the user gets a confusing dialog instead of our message. So 401 is only used
//   for the bridge's own secret (a client misconfiguration).
// - HTTP 403: clients that fall back to the old SSE transport (mcporter, …) take
//   any 401 or 403 as "sign in here" and start their own OAuth flow against the
//   bridge too. So 401/403 are only for the bridge's own secret.
// - Any other status: StreamableHTTPError "Error POSTing to endpoint: <body text>",
//   so the message in the JSON body is shown too.
// Hence: a POST that carries requests gets 200 + one JSON-RPC error per request;
// a POST of only notifications/responses, a GET (event stream) or a DELETE gets
// 503 while the upstream waits for the user (needs-sign-in / insufficient-scope),
// 502 when the server is unreachable.
import { errorMessage, isKeyringError } from '../../errors';
import { unreachable } from '../../http/outbound';

/** The bridges' JSON-RPC error codes (implementation-defined range), shared with the stdio bridge. */
export const HTTP_BRIDGE_ERROR = {
  failed: -32000,
  needsSignIn: -32001,
  unreachable: -32002,
  insufficientScope: -32003,
  /** The bridge refused the request itself (secret, Host, Origin, unknown server). */
  refused: -32004,
} as const;
export const BRIDGE_ERROR = HTTP_BRIDGE_ERROR;

export type JsonRpcId = string | number;

export interface ErrorAnswer {
  status: number;
  code: number;
}

/** Status and JSON-RPC code for an error met while forwarding (used when the error cannot be a JSON-RPC response). */
export function classifyError(error: unknown): ErrorAnswer {
  // 503, not 401/403: the upstream is unavailable until the user acts in MCP Keyring (see above).
  if (isKeyringError(error, 'needs-sign-in')) return { status: 503, code: HTTP_BRIDGE_ERROR.needsSignIn };
  if (isKeyringError(error, 'insufficient-scope')) return { status: 503, code: HTTP_BRIDGE_ERROR.insufficientScope };
  if (isKeyringError(error, 'server-unreachable') || (error instanceof TypeError && /^fetch failed$/.test(error.message))) {
    return { status: 502, code: HTTP_BRIDGE_ERROR.unreachable };
  }
  if ((error as Error)?.name === 'TimeoutError') return { status: 504, code: HTTP_BRIDGE_ERROR.unreachable };
  return { status: 502, code: HTTP_BRIDGE_ERROR.failed };
}

/** A message for the user: the KeyringError's own, or a network failure spelled out with the server's origin. */
export function describeError(error: unknown, serverUrl: string): string {
  if (isKeyringError(error)) return error.message;
  if ((error instanceof TypeError && error.message === 'fetch failed') || (error as Error)?.name === 'TimeoutError') return unreachable(serverUrl, error).message;
  return `The request to ${new URL(serverUrl).origin} failed: ${errorMessage(error)}`;
}

/** An HTTP-level error body, shaped like the MCP SDK server's own (`id: null`). */
export function errorBody(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
}

/**
 * The ids of the JSON-RPC requests in a POST body (a message or a batch), or an
 * empty list when it holds only notifications and responses or cannot be parsed.
 */
export function requestIds(body: Buffer | undefined): { ids: JsonRpcId[]; batch: boolean } {
  if (!body?.length) return { ids: [], batch: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ids: [], batch: false };
  }
  const batch = Array.isArray(parsed);
  const messages: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  const ids: JsonRpcId[] = [];
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const { method, id } = message as { method?: unknown; id?: unknown };
    if (typeof method === 'string' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
  }
  return { ids, batch };
}

/** JSON-RPC error responses to the given requests: one object, or an array for a batch. */
export function jsonRpcErrors(ids: JsonRpcId[], code: number, message: string, batch: boolean): string {
  const responses = ids.map((id) => ({ jsonrpc: '2.0', id, error: { code, message } }));
  return JSON.stringify(batch ? responses : responses[0]);
}
