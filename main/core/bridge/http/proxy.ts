// The reverse proxy for one request: method, body and the MCP request headers go
// to the server's URL through its auth fetch, and the answer streams back as it
// arrives (event by event for SSE). The client's Authorization header never goes
// upstream: only the headers listed below are forwarded.
import type http from 'node:http';
import { redact } from '../../redact';
import { classifyError, describeError, errorBody, jsonRpcErrors, requestIds } from './errors';
import { send } from './respond';
import type { Upstream } from './upstreams';

/** Request headers that matter to MCP; everything else (Authorization above all) stays here. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'] as const;
/** Response headers a client needs. content-length is recomputed (the fetch decompresses), WWW-Authenticate is never passed on. */
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'mcp-session-id', 'cache-control'] as const;
/** A JSON answer up to this size is held back and sent with its length; past it, it streams through. */
const COMMIT_BYTES = 4 * 1024 * 1024;

export interface ProxyContext {
  /** The bridge's own secret, redacted from every message. */
  readonly secret: string;
  /** One line per failure, already redacted by the caller's log. */
  readonly log: (line: string) => void;
}

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

export async function forward(context: ProxyContext, upstream: Upstream, method: string, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined): Promise<void> {
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
    answerError(context, res, upstream, method, body, error);
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
      if (!controller.signal.aborted) answerError(context, res, upstream, method, body, error);
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
    if (!controller.signal.aborted) context.log(`${method} ${upstream.server.id}: the server's answer broke off (${describeError(error, upstream.server.url)})`);
    res.destroy();
  }
}

function answerError(context: ProxyContext, res: http.ServerResponse, upstream: Upstream, method: string, body: Buffer | undefined, error: unknown): void {
  const message = redact(describeError(error, upstream.server.url), [context.secret, ...upstream.credentials.secrets]);
  const { status, code } = classifyError(error);
  context.log(`${method} ${upstream.server.id}: ${message}`);
  if (method === 'POST') {
    // A request gets its answer as a JSON-RPC error, which clients show like any server error.
    const { ids, batch } = requestIds(body);
    if (ids.length) return send(res, 200, jsonRpcErrors(ids, code, message, batch));
  }
  send(res, status, errorBody(code, message));
}
