// RemoteSession over the SDK's real Streamable HTTP client transport, with a fake
// `fetch` standing in for the remote server: messages are forwarded both ways,
// and a session the server forgot (HTTP 404) is re-opened with the client's own
// initialize before the message is resent — without the client seeing any of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { RemoteSession } from '../../../../main/core/bridge/remote-session';

const URL_ = new URL('https://mcp.example/mcp');
const PROTOCOL = '2025-06-18';

interface Seen {
  method: string;
  session: string | null;
  protocol: string | null;
  body?: { id?: unknown; method?: string; params?: unknown };
}

/** A minimal Streamable HTTP server as a fetch: JSON answers, sessions it can forget. */
function fakeServer() {
  const seen: Seen[] = [];
  const live = new Set<string>();
  let next = 0;
  const fetch: FetchLike = async (_input, init) => {
    const headers = new Headers(init?.headers);
    const session = headers.get('mcp-session-id');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Seen['body']) : undefined;
    seen.push({ method, session, protocol: headers.get('mcp-protocol-version'), ...(body ? { body } : {}) });
    if (method === 'GET') return new Response(null, { status: 405 });
    if (method === 'DELETE') return new Response(null, { status: 200 });
    if (body?.method === 'initialize') {
      const id = `s${++next}`;
      live.add(id);
      const result = { protocolVersion: PROTOCOL, capabilities: {}, serverInfo: { name: 'fake', version: '1' } };
      return Response.json({ jsonrpc: '2.0', id: body.id, result }, { headers: { 'mcp-session-id': id } });
    }
    if (!session || !live.has(session)) return new Response('session not found', { status: 404 });
    if (body?.id === undefined) return new Response(null, { status: 202 });
    return Response.json({ jsonrpc: '2.0', id: body.id, result: { echo: body.method, session } });
  };
  return { fetch, seen, forgetAll: () => live.clear() };
}

function session(server: ReturnType<typeof fakeServer>) {
  const received: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  let closes = 0;
  const remote = new RemoteSession({
    url: URL_,
    fetch: server.fetch,
    onmessage: (message) => received.push(message),
    onerror: (error) => errors.push(error),
    onclose: () => closes++,
  });
  return { remote, received, errors, closes: () => closes };
}

const initialize: JSONRPCMessage = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'client', version: '1' } },
};
const posts = (seen: Seen[]) => seen.filter((s) => s.method === 'POST').map((s) => `${String(s.body?.method)}#${String(s.body?.id)}@${s.session}`);

test('forwards requests and their answers, on the session the server opened', async () => {
  const server = fakeServer();
  const { remote, received } = session(server);
  await remote.send(initialize);
  await remote.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await remote.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  assert.equal(remote.transportKind, 'streamable-http');
  assert.deepEqual(
    received.map((m) => ('id' in m ? m.id : null)),
    [1, 2],
  );
  assert.deepEqual((received[1] as { result: unknown }).result, { echo: 'tools/list', session: 's1' });
  assert.deepEqual(posts(server.seen), ['initialize#1@null', 'notifications/initialized#undefined@s1', 'tools/list#2@s1']);
  // The negotiated protocol version goes on every request after initialize.
  assert.equal(server.seen.find((s) => s.body?.method === 'tools/list')?.protocol, PROTOCOL);
  await remote.close();
  assert.ok(server.seen.some((s) => s.method === 'DELETE' && s.session === 's1'), 'the session is ended on close');
});

test('a forgotten session: replays the client initialize on a new session, then resends; the client sees only its answers', async () => {
  const server = fakeServer();
  const { remote, received, closes } = session(server);
  await remote.send(initialize);
  await remote.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  server.forgetAll();
  await remote.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });

  assert.deepEqual(posts(server.seen), [
    'initialize#1@null',
    'notifications/initialized#undefined@s1',
    'tools/list#2@s1', // 404: session gone
    'initialize#mcp-keyring-reinitialize-1@null',
    'notifications/initialized#undefined@s2',
    'tools/list#2@s2',
  ]);
  const replay = server.seen.find((s) => s.body?.id === 'mcp-keyring-reinitialize-1');
  assert.deepEqual(replay?.body?.params, (initialize as { params: unknown }).params, 'the client’s own initialize params');
  assert.deepEqual(
    received.map((m) => ('id' in m ? m.id : null)),
    [1, 2],
    'the replayed initialize is answered to the bridge, not the client',
  );
  assert.deepEqual((received[1] as { result: unknown }).result, { echo: 'tools/list', session: 's2' });
  assert.equal(server.seen.find((s) => s.body?.method === 'tools/list' && s.session === 's2')?.protocol, PROTOCOL);
  assert.equal(closes(), 0, 'the replaced transport closes quietly');
  await remote.close();
});

test('a 404 before any initialize is not recovered: the error reaches the caller', async () => {
  const server = fakeServer();
  const { remote, errors } = session(server);
  await assert.rejects(remote.send({ jsonrpc: '2.0', id: 7, method: 'tools/list' }), (error) => (error as { code?: unknown }).code === 404);
  assert.equal(errors.length, 1);
  assert.deepEqual(posts(server.seen), ['tools/list#7@null']);
  await remote.close();
});

/** An old HTTP+SSE server: refuses the Streamable HTTP POST, then speaks the 2024-11-05 transport. */
function oldSseServer() {
  const requests: string[] = [];
  const encoder = new TextEncoder();
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? 'GET';
    requests.push(`${method} ${url.pathname}${url.search}`);
    if (url.pathname === '/mcp' && method === 'POST') return new Response('method not allowed', { status: 405 });
    if (url.pathname === '/mcp' && method === 'GET') {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          stream = controller;
          controller.enqueue(encoder.encode('event: endpoint\ndata: /messages?sid=1\n\n'));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }
    if (url.pathname === '/messages' && method === 'POST') {
      const message = JSON.parse(String(init?.body)) as { id?: unknown; method?: string };
      if (message.id !== undefined) {
        const answer = { jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2024-11-05', capabilities: {}, serverInfo: { name: 'old', version: '1' } } };
        stream?.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(answer)}\n\n`));
      }
      return new Response(null, { status: 202 });
    }
    return new Response(null, { status: 404 });
  };
  return { fetch, requests, end: () => stream?.close() };
}

test('a server that refuses the Streamable HTTP initialize (405) is spoken to over HTTP+SSE', async () => {
  const server = oldSseServer();
  let answered!: (message: JSONRPCMessage) => void;
  const answer = new Promise<JSONRPCMessage>((resolve) => (answered = resolve));
  const remote = new RemoteSession({ url: new URL('https://old.example/mcp'), fetch: server.fetch, onmessage: (m) => answered(m), onerror: () => undefined, onclose: () => undefined });
  await remote.send(initialize);
  const message = await answer;
  assert.equal(remote.transportKind, 'sse');
  assert.equal('id' in message && message.id, 1);
  assert.deepEqual(server.requests, ['POST /mcp', 'GET /mcp', 'POST /messages?sid=1']);
  server.end();
  await remote.close();
});
