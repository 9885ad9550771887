// The bridge's side towards the remote server: an SDK client transport
// (Streamable HTTP, or the old HTTP+SSE for servers that answer 404/405 to it),
// plus transparent recovery when the server forgets the session (HTTP 404):
// a new transport replays the client's own `initialize`, then the message is resent.
// When the fetch refuses an event stream that carries answers (an event over the
// size limit, an event left unfinished past its deadline), the SDK only reports
// "SSE stream disconnected"; the requests of that POST then get a JSON-RPC error
// here, so the client is told why instead of waiting for its own timeout.
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { bodyOutcome } from '../http/response-lite';
import { transportRefusal } from '../http/outbound';
import { classifyError, describeError } from './http/errors';

export interface RemoteSessionOptions {
  url: URL;
  fetch: FetchLike;
  onmessage: (message: JSONRPCMessage) => void;
  onerror: (error: Error) => void;
  onclose: () => void;
}

function httpStatus(error: unknown): number | undefined {
  if (error instanceof StreamableHTTPError) return error.code;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function isEventStream(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream';
}

/** The ids of the requests in a JSON-RPC message or batch (none for notifications and responses). */
function requestIds(body: string): Array<JSONRPCRequest['id']> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const ids: Array<JSONRPCRequest['id']> = [];
  for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
    const { method, id } = (message ?? {}) as { method?: unknown; id?: unknown };
    if (typeof method === 'string' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
  }
  return ids;
}

function isResponseTo(message: JSONRPCMessage, id: JSONRPCRequest['id']): message is JSONRPCMessage & { id: JSONRPCRequest['id']; result?: { protocolVersion?: string } } {
  return 'id' in message && message.id === id && ('result' in message || 'error' in message);
}

export class RemoteSession {
  private transport?: Transport;
  private kind: 'streamable-http' | 'sse' = 'streamable-http';
  private initialize?: JSONRPCRequest;
  private recovering?: Promise<void>;
  /** Responses the bridge itself waits for (replayed initialize), by id. */
  private readonly internal = new Map<JSONRPCRequest['id'], (message: JSONRPCMessage) => void>();
  private replays = 0;
  private closed = false;
  /** Requests whose answers are due on an event stream (a POST's), until answered or the stream is refused. */
  private readonly awaited = new Set<JSONRPCRequest['id']>();
  private readonly fetch: FetchLike;

  constructor(private readonly options: RemoteSessionOptions) {
    this.fetch = async (input, init) => {
      const response = await options.fetch(input, init);
      if (init?.method === 'POST' && typeof init.body === 'string' && isEventStream(response.headers.get('content-type'))) this.watch(response, init.body);
      return response;
    };
  }

  get transportKind(): string {
    return this.kind;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if ('method' in message && message.method === 'initialize' && 'id' in message) this.initialize = message as JSONRPCRequest;
    if (this.recovering) await this.recovering;
    const transport = await this.ensureTransport();
    try {
      await transport.send(message);
    } catch (error) {
      const status = httpStatus(error);
      if ((status === 404 || status === 405) && this.kind === 'streamable-http' && this.initialize === message) {
        // An old HTTP+SSE server: the first POST is refused, so speak the old transport.
        await this.switchToSse();
        await this.transport!.send(message);
        return;
      }
      if (status === 404 && this.initialize && this.initialize !== message) {
        await this.recover(transport);
        await this.transport!.send(message);
        return;
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const transport = this.transport;
    if (transport instanceof StreamableHTTPClientTransport) {
      await Promise.race([transport.terminateSession().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    await transport?.close().catch(() => undefined);
  }

  private async ensureTransport(): Promise<Transport> {
    if (this.transport) return this.transport;
    const transport =
      this.kind === 'sse'
        ? new SSEClientTransport(this.options.url, { fetch: this.options.fetch, eventSourceInit: { fetch: this.options.fetch } })
        : new StreamableHTTPClientTransport(this.options.url, { fetch: this.fetch });
    transport.onmessage = (message) => this.receive(transport, message);
    transport.onerror = (error) => this.options.onerror(error);
    transport.onclose = () => {
      // Only the live transport's end matters; a replaced one closes quietly.
      if (this.transport === transport && !this.closed) this.options.onclose();
    };
    this.transport = transport;
    await transport.start();
    return transport;
  }

  /** Answers the requests in `body` with an error if the fetch refuses the event stream that should carry their answers. */
  private watch(response: Response, body: string): void {
    const outcome = (response as { [bodyOutcome]?: () => Promise<unknown> })[bodyOutcome]?.();
    if (!outcome) return;
    const ids = requestIds(body);
    if (!ids.length) return;
    for (const id of ids) this.awaited.add(id);
    void outcome.then((error) => {
      const refused = error !== undefined && transportRefusal(error) !== undefined;
      for (const id of ids) {
        if (!this.awaited.delete(id) || !refused || this.closed) continue;
        const answer: JSONRPCMessage = { jsonrpc: '2.0', id, error: { code: classifyError(error).code, message: describeError(error, this.options.url.href) } };
        const internal = this.internal.get(id); // a replayed initialize of the bridge's own
        if (internal) internal(answer);
        else this.options.onmessage(answer);
      }
    });
  }

  private receive(transport: Transport, message: JSONRPCMessage): void {
    if ('id' in message && ('result' in message || 'error' in message)) this.awaited.delete(message.id as JSONRPCRequest['id']);
    if (transport !== this.transport) return;
    if ('id' in message && this.internal.has(message.id as JSONRPCRequest['id']) && ('result' in message || 'error' in message)) {
      this.internal.get(message.id as JSONRPCRequest['id'])!(message);
      return;
    }
    if (this.initialize && isResponseTo(message, this.initialize.id)) this.noteProtocolVersion(message.result?.protocolVersion);
    this.options.onmessage(message);
  }

  private noteProtocolVersion(version: string | undefined): void {
    if (version && this.transport instanceof StreamableHTTPClientTransport) this.transport.setProtocolVersion(version);
  }

  private async switchToSse(): Promise<void> {
    const old = this.transport;
    this.transport = undefined;
    await old?.close().catch(() => undefined);
    this.kind = 'sse';
    await this.ensureTransport();
  }

  /** The server forgot our session: open a new one with the client's own initialize. */
  private recover(failed: Transport): Promise<void> {
    if (this.recovering) return this.recovering;
    if (this.transport !== failed) return Promise.resolve(); // someone else already recovered
    this.recovering ??= (async () => {
      const old = this.transport;
      this.transport = undefined;
      await old?.close().catch(() => undefined);
      const transport = await this.ensureTransport();
      const replay: JSONRPCRequest = { ...this.initialize!, id: `mcp-keyring-reinitialize-${++this.replays}` };
      const answer = new Promise<JSONRPCMessage>((resolve) => this.internal.set(replay.id, resolve));
      await transport.send(replay);
      const result = await answer;
      this.internal.delete(replay.id);
      if ('error' in result) throw new Error(`The server refused to start a new session: ${JSON.stringify(result.error)}`);
      this.noteProtocolVersion((result as { result?: { protocolVersion?: string } }).result?.protocolVersion);
      await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    })().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }
}
