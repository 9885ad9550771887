// The local HTTP bridge as Cursor, VS Code, Claude Code or Windsurf use it: an SDK
// Client over StreamableHTTPClientTransport pointed at http://127.0.0.1:<port>/servers/<id>/mcp
// with the bridge secret as a bearer header, against a real authorization server,
// a real MCP server and the real keychain. Plus everything the bridge must refuse.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startHttpBridge, type HttpBridge } from '../../main/core/bridge/http-bridge';
import { isKeyringError } from '../../main/core/errors';
import { Keyring } from '../../main/core/keyring';
import { secretNames } from '../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { text } from '../helpers/bridge-client';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { completeLogin } from '../helpers/user-agent';
import { freePort } from '../helpers/free-port';

let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;
let bridge: HttpBridge;
const logs: string[] = [];
const signIn = { openBrowser: (url: string) => completeLogin(url).then(() => undefined), timeoutMs: 20_000 };

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 300 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('http-bridge');
  const server = await profile.keyring.add({ url: mcp.url, name: 'main', id: 'main' });
  await profile.keyring.connect(server.id, signIn);
  bridge = await startHttpBridge(profile.keyring, { port: 0, log: (line) => logs.push(line) });
});
after(async () => {
  await bridge?.close();
  await profile.cleanup();
  await mcp.close();
  await as.close();
});

interface TestClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  notifications: Array<{ data: string; at: number }>;
  close(): Promise<void>;
}

async function connectClient(url: string, secret: string, options: { answer?: string } = {}): Promise<TestClient> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${secret}` } } });
  const client = new Client({ name: 'http-bridge-test', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  const notifications: TestClient['notifications'] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    notifications.push({ data: String(n.params.data), at: Date.now() });
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => ({
    action: 'accept',
    content: { answer: `${options.answer ?? 'forty-two'} (to: ${request.params.message})` },
  }));
  await client.connect(transport);
  return { client, transport, notifications, close: () => client.close() };
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over node:http, so Host, Origin and Authorization are exactly what the test says. */
function raw(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/servers/main/mcp', headers: options.headers ?? {}, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** An upstream that records every request it forwards to `target` (a plain node:http proxy), to see what the bridge sends. */
async function startSpy(target: string): Promise<{ url: string; seen: Array<{ method: string; headers: http.IncomingHttpHeaders; body: string }>; open: number; close(): Promise<void> }> {
  const origin = new URL(target);
  const state = { seen: [] as Array<{ method: string; headers: http.IncomingHttpHeaders; body: string }>, open: 0 };
  const server = http.createServer((req, res) => {
    const entry = { method: req.method ?? '', headers: req.headers, body: '' };
    state.seen.push(entry);
    state.open++;
    let closed = false;
    const done = () => {
      if (!closed) state.open--;
      closed = true;
    };
    const upstream = http.request({ host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: { ...req.headers, host: origin.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.pipe(res);
      answer.on('end', done);
    });
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => (entry.body += chunk.toString('utf8')));
    req.pipe(upstream);
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      done();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${origin.pathname}`,
    seen: state.seen,
    get open() {
      return state.open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('an SDK client lists tools, calls echo, gets notifications as they happen and answers an elicitation', async () => {
  const c = await connectClient(bridge.url('main'), bridge.secret);
  try {
    const tools = (await c.client.listTools()).tools.map((t) => t.name);
    for (const name of ['echo', 'whoami', 'big', 'notify', 'ask']) assert.ok(tools.includes(name), `${name} is listed`);
    assert.equal(text(await c.client.callTool({ name: 'echo', arguments: { text: 'hello through the bridge' } })), 'hello through the bridge');
    assert.equal(JSON.parse(text(await c.client.callTool({ name: 'whoami' }))).sub, 'alice');
    assert.equal(text(await c.client.callTool({ name: 'big', arguments: { kb: 512 } })).length, 512 * 1024);

    // Each notification is forwarded as its event arrives, not when the call's stream ends.
    const started = Date.now();
    assert.equal(text(await c.client.callTool({ name: 'notify', arguments: { count: 3, delayMs: 300 } })), 'done');
    const finished = Date.now();
    assert.deepEqual(
      c.notifications.map((n) => n.data),
      ['notification 1/3', 'notification 2/3', 'notification 3/3'],
    );
    assert.ok(c.notifications[0]!.at - started < 250, `first notification after ${c.notifications[0]!.at - started} ms`);
    assert.ok(finished - c.notifications[0]!.at >= 500, `first notification ${finished - c.notifications[0]!.at} ms before the result`);

    // Server-to-client request on the POST's stream; the client's answer is a POST of its own.
    assert.equal(text(await c.client.callTool({ name: 'ask', arguments: { question: 'What is the answer?' } })), 'forty-two (to: What is the answer?)');
  } finally {
    await c.close();
  }
});

test('two clients at once keep their own sessions', async () => {
  const sessionsBefore = mcp.stats.sessions;
  const [a, b] = await Promise.all([connectClient(bridge.url('main'), bridge.secret, { answer: 'A' }), connectClient(bridge.url('main'), bridge.secret, { answer: 'B' })]);
  try {
    assert.equal(mcp.stats.sessions, sessionsBefore + 2);
    assert.ok(a.transport.sessionId && b.transport.sessionId);
    assert.notEqual(a.transport.sessionId, b.transport.sessionId);
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => a.client.callTool({ name: 'echo', arguments: { text: `a${i}` } }).then(text)),
      ...Array.from({ length: 20 }, (_, i) => b.client.callTool({ name: 'echo', arguments: { text: `b${i}` } }).then(text)),
      a.client.callTool({ name: 'notify', arguments: { count: 2, delayMs: 50 } }).then(text),
      b.client.callTool({ name: 'ask', arguments: { question: 'who?' } }).then(text),
      a.client.callTool({ name: 'ask', arguments: { question: 'who?' } }).then(text),
    ]);
    assert.deepEqual(results.slice(0, 40), [...Array.from({ length: 20 }, (_, i) => `a${i}`), ...Array.from({ length: 20 }, (_, i) => `b${i}`)]);
    assert.deepEqual(results.slice(40), ['done', 'B (to: who?)', 'A (to: who?)']);
    // Notifications went to the client whose call sent them.
    assert.equal(a.notifications.length, 2);
    assert.equal(b.notifications.length, 0);
    await a.close();
    assert.equal(text(await b.client.callTool({ name: 'echo', arguments: { text: 'still here' } })), 'still here');
  } finally {
    await a.close();
    await b.close();
  }
});

test('calls after the access token expired still work: one refresh, shared, no invalid_grant', async () => {
  const shortAs = await startAuthServer({ accessTokenTTL: 2 });
  const shortMcp = await startMcpServer({ auth: { issuer: shortAs.issuer, jwksUri: shortAs.jwksUri } });
  try {
    const server = await profile.keyring.add({ url: shortMcp.url, name: 'short', id: 'short' });
    await profile.keyring.connect(server.id, signIn);
    const [a, b] = await Promise.all([connectClient(bridge.url('short'), bridge.secret), connectClient(bridge.url('short'), bridge.secret)]);
    try {
      assert.equal(text(await a.client.callTool({ name: 'echo', arguments: { text: 'fresh' } })), 'fresh');
      const refreshes = shortAs.stats.refreshGrants;
      await new Promise((resolve) => setTimeout(resolve, 2600)); // the token has expired
      const answers = await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => a.client.callTool({ name: 'echo', arguments: { text: `a${i}` } }).then(text)),
        ...Array.from({ length: 5 }, (_, i) => b.client.callTool({ name: 'echo', arguments: { text: `b${i}` } }).then(text)),
      ]);
      assert.deepEqual(answers, [...Array.from({ length: 5 }, (_, i) => `a${i}`), ...Array.from({ length: 5 }, (_, i) => `b${i}`)]);
      assert.equal(shortAs.stats.refreshGrants, refreshes + 1, 'ten concurrent calls from two clients share one refresh');
      assert.equal(shortAs.stats.invalidGrant, 0);
      assert.equal((await profile.keyring.view(server)).status, 'connected');
    } finally {
      await a.close();
      await b.close();
    }
  } finally {
    await shortMcp.close();
    await shortAs.close();
  }
});

test('a token the server rejects (401) is refreshed and the request retried once, invisibly', async () => {
  const server = await profile.keyring.add({ url: mcp.url, name: 'rejected', id: 'rejected' });
  await profile.keyring.connect(server.id, signIn);
  await profile.keyring.vault.set(secretNames.accessToken(server.id), 'not-a-valid-token-at-all');
  const refreshes = as.stats.refreshGrants;
  const unauthorized = mcp.stats.unauthorized;
  const c = await connectClient(bridge.url('rejected'), bridge.secret);
  try {
    assert.equal(text(await c.client.callTool({ name: 'echo', arguments: { text: 'retried' } })), 'retried');
    assert.equal(mcp.stats.unauthorized, unauthorized + 1);
    assert.equal(as.stats.refreshGrants, refreshes + 1);
    assert.equal(as.stats.invalidGrant, 0);
    assert.ok(logs.every((line) => !line.includes('not-a-valid-token-at-all')));
  } finally {
    await c.close();
  }
});

test('refused: no secret (401), wrong secret (403), foreign Origin (403), rebinding Host (403), unknown server (404)', async () => {
  const port = bridge.port;
  const auth = { authorization: `Bearer ${bridge.secret}` };
  const requestsBefore = mcp.stats.requests;

  const missing = await raw(port, { headers: MCP_HEADERS, body: INITIALIZE });
  assert.equal(missing.status, 401);
  assert.match(JSON.parse(missing.body).error.message, /needs its secret: send the header `Authorization: Bearer <secret>`/);
  assert.equal((await raw(port, { headers: { ...MCP_HEADERS, authorization: 'Basic dXNlcjpwYXNz' }, body: INITIALIZE })).status, 401);

  const wrong = await raw(port, { headers: { ...MCP_HEADERS, authorization: `Bearer ${bridge.secret}x` }, body: INITIALIZE });
  assert.equal(wrong.status, 403);
  assert.match(JSON.parse(wrong.body).error.message, /Wrong secret/);

  const origin = await raw(port, { headers: { ...MCP_HEADERS, ...auth, origin: 'https://evil.example' }, body: INITIALIZE });
  assert.equal(origin.status, 403);
  assert.match(JSON.parse(origin.body).error.message, /Origin/);
  assert.equal((await raw(port, { headers: { ...MCP_HEADERS, ...auth, origin: 'null' }, body: INITIALIZE })).status, 403);
  assert.equal((await raw(port, { headers: { ...MCP_HEADERS, ...auth, origin: `http://127.0.0.1:${port + 1}` }, body: INITIALIZE })).status, 403);

  for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `localhost.evil.example:${port}`]) {
    const rebinding = await raw(port, { headers: { ...MCP_HEADERS, ...auth, host }, body: INITIALIZE });
    assert.ok(rebinding.status === 403 || rebinding.status === 421, `Host ${host}: ${rebinding.status}`);
    assert.match(JSON.parse(rebinding.body).error.message, /Host header/);
  }

  const unknown = await raw(port, { path: '/servers/nope/mcp', headers: { ...MCP_HEADERS, ...auth }, body: INITIALIZE });
  assert.equal(unknown.status, 404);
  assert.match(JSON.parse(unknown.body).error.message, /no server with id "nope"/);
  assert.equal((await raw(port, { path: '/elsewhere', headers: { ...MCP_HEADERS, ...auth }, body: INITIALIZE })).status, 404);
  const put = await raw(port, { method: 'PUT', headers: { ...MCP_HEADERS, ...auth }, body: INITIALIZE });
  assert.equal(put.status, 405);
  assert.equal(put.headers.allow, 'GET, POST, DELETE');
  assert.equal(mcp.stats.requests, requestsBefore, 'nothing refused reached the server');

  // The bridge's own origin, spelled either way, is fine.
  for (const allowed of [`http://localhost:${port}`, `http://127.0.0.1:${port}`]) {
    const ok = await raw(port, { headers: { ...MCP_HEADERS, ...auth, origin: allowed, host: allowed.slice('http://'.length) }, body: INITIALIZE });
    assert.equal(ok.status, 200, ok.body);
    assert.ok(ok.headers['mcp-session-id']);
  }

  // An SDK client without the secret, or with a wrong one, cannot connect either.
  await assert.rejects(connectClient(bridge.url('main'), 'not-the-secret'), /403|Wrong secret/);
  assert.ok(logs.every((line) => !line.includes(bridge.secret)));
});

test('what goes upstream: the MCP headers and the keychain credential, never the local secret; a client leaving ends its upstream stream', async () => {
  const plain = await startMcpServer({ auth: 'none', keepAliveMs: 500 });
  const spy = await startSpy(plain.url);
  try {
    await profile.keyring.add({ url: spy.url, name: 'spied', id: 'spied', auth: { kind: 'header', headerName: 'X-Upstream-Key' }, secret: 'upstream-key-from-the-keychain' });
    const c = await connectClient(bridge.url('spied'), bridge.secret);
    assert.equal(text(await c.client.callTool({ name: 'notify', arguments: { count: 2 } })), 'done');
    assert.equal(c.notifications.length, 2);
    await until(() => spy.seen.some((r) => r.method === 'GET')); // the SDK client's standalone event stream
    await c.close();
    // Its upstream GET is aborted with it at once, not when the next keep-alive (500 ms) finds nobody to write to.
    await until(() => spy.open === 0, 250);

    // A raw session: initialize, initialized, then the long-lived GET stream, whose keep-alive comments arrive one by one.
    const auth = { authorization: `Bearer ${bridge.secret}` };
    const init = await raw(bridge.port, { path: '/servers/spied/mcp', headers: { ...MCP_HEADERS, ...auth, 'x-custom': 'dropped' }, body: INITIALIZE });
    assert.equal(init.status, 200);
    assert.match(String(init.headers['content-type']), /text\/event-stream/);
    const session = String(init.headers['mcp-session-id']);
    const session2 = { ...auth, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
    const initialized = await raw(bridge.port, { path: '/servers/spied/mcp', headers: { ...MCP_HEADERS, ...session2 }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    assert.equal(initialized.status, 202);

    const chunks: string[] = [];
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port: bridge.port, path: '/servers/spied/mcp', headers: { ...session2, accept: 'text/event-stream', 'last-event-id': 'none-yet' }, agent: false }, resolve);
      request.on('error', reject);
    });
    assert.equal(stream.statusCode, 200);
    assert.match(String(stream.headers['content-type']), /text\/event-stream/);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => chunks.push(chunk));
    stream.on('error', () => undefined);
    await until(() => chunks.join('').split(': keepalive').length > 2, 3000); // two, one by one
    const openBefore = spy.open;
    assert.ok(openBefore >= 1);
    stream.destroy(); // the client goes away
    await until(() => spy.open === openBefore - 1, 250);

    const deleted = await raw(bridge.port, { method: 'DELETE', path: '/servers/spied/mcp', headers: session2 });
    assert.equal(deleted.status, 200);

    for (const request of spy.seen) {
      assert.equal(request.headers['x-upstream-key'], 'upstream-key-from-the-keychain');
      assert.equal(request.headers.authorization, undefined, 'the client Authorization header is not forwarded');
      assert.equal(request.headers['x-custom'], undefined);
      assert.ok(!JSON.stringify(request).includes(bridge.secret), 'the local secret never reaches the server');
    }
    const get = spy.seen.find((r) => r.method === 'GET' && r.headers['last-event-id'] === 'none-yet');
    assert.ok(get, 'Last-Event-ID is forwarded');
    assert.equal(get.headers['mcp-session-id'], session);
    assert.equal(get.headers['mcp-protocol-version'], '2025-06-18');
  } finally {
    await spy.close();
    await plain.close();
  }
});

test('a server that needs a sign-in: the client is told what to do', async () => {
  await profile.keyring.add({ url: mcp.url, name: 'Signed Out', id: 'signed-out' });
  const requestsBefore = mcp.stats.requests;
  await assert.rejects(connectClient(bridge.url('signed-out'), bridge.secret), (error: Error) => {
    // A JSON-RPC error to initialize (HTTP 200): the SDK shows the message as is.
    assert.match(error.message, /MCP error -32001: Not signed in\. Sign in to Signed Out again: run `mcp-keyring connect signed-out` or click Connect in MCP Keyring\./);
    return true;
  });
  assert.equal(mcp.stats.requests, requestsBefore, 'no token, no request');
  const auth = { authorization: `Bearer ${bridge.secret}` };
  // Without a request to answer (a notification, the GET stream), a 503 with the message in the body (never 401/403).
  const notification = await raw(bridge.port, { path: '/servers/signed-out/mcp', headers: { ...MCP_HEADERS, ...auth }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  assert.equal(notification.status, 503);
  assert.match(JSON.parse(notification.body).error.message, /Not signed in/);
  const get = await raw(bridge.port, { method: 'GET', path: '/servers/signed-out/mcp', headers: { accept: 'text/event-stream', ...auth } });
  assert.equal(get.status, 503);
  // A batch gets one error per request.
  const batch = await raw(bridge.port, {
    path: '/servers/signed-out/mcp',
    headers: { ...MCP_HEADERS, ...auth },
    body: JSON.stringify([{ jsonrpc: '2.0', id: 'x', method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 7, method: 'ping' }]),
  });
  assert.equal(batch.status, 200);
  assert.deepEqual((JSON.parse(batch.body) as Array<{ id: unknown; error: { code: number } }>).map((m) => [m.id, m.error.code]), [['x', -32001], [7, -32001]]);

  // Signing in makes it work at once, without restarting the bridge.
  await profile.keyring.connect('signed-out', signIn);
  const c = await connectClient(bridge.url('signed-out'), bridge.secret);
  try {
    assert.equal(text(await c.client.callTool({ name: 'echo', arguments: { text: 'now signed in' } })), 'now signed in');
  } finally {
    await c.close();
  }
});

test('403 insufficient_scope: the call fails with the step-up message, the session goes on', async () => {
  const server = await profile.keyring.add({ url: mcp.url, name: 'Scoped', id: 'scoped' });
  await profile.keyring.connect(server.id, signIn);
  const c = await connectClient(bridge.url('scoped'), bridge.secret);
  try {
    await assert.rejects(c.client.callTool({ name: 'admin' }), (error: Error) => {
      assert.match(error.message, /^MCP error -32003: /);
      assert.match(error.message, /mcp:admin/);
      return true;
    });
    assert.equal((await profile.keyring.view(server)).status, 'needs-more-access');
    assert.equal(text(await c.client.callTool({ name: 'echo', arguments: { text: 'still fine' } })), 'still fine');
  } finally {
    await c.close();
  }
});

test('a disconnect and a new sign-in elsewhere take effect without restarting the bridge', async () => {
  const server = await profile.keyring.add({ url: mcp.url, name: 'relogin', id: 'relogin' });
  await profile.keyring.connect(server.id, signIn);
  const c = await connectClient(bridge.url('relogin'), bridge.secret);
  try {
    assert.equal(text(await c.client.callTool({ name: 'echo', arguments: { text: 'before' } })), 'before');
    await profile.keyring.disconnect(server.id); // as another process (the app, the CLI) would
    await new Promise((resolve) => setTimeout(resolve, 200)); // the bridge hears of it through the state file
    await assert.rejects(c.client.callTool({ name: 'echo', arguments: { text: 'during' } }), /MCP error -32001: Not signed in\. Sign in to relogin again/);
    await profile.keyring.connect(server.id, signIn);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(text(await c.client.callTool({ name: 'echo', arguments: { text: 'after' } })), 'after');
  } finally {
    await c.close();
  }
});

test('an unreachable server: requests get a JSON-RPC error naming it, other messages a 502', async () => {
  const port = await freePort();
  await profile.keyring.add({ url: `http://127.0.0.1:${port}/mcp`, name: 'gone', id: 'gone', auth: { kind: 'none' } });
  await assert.rejects(connectClient(bridge.url('gone'), bridge.secret), new RegExp(`MCP error -32002: Cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  const notification = await raw(bridge.port, {
    path: '/servers/gone/mcp',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${bridge.secret}` },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  assert.equal(notification.status, 502);
  assert.match(JSON.parse(notification.body).error.message, /Cannot reach/);
});

test('port and secret stay the same across a restart; the secret lives in the keychain', async () => {
  const port = await freePort();
  const env = { MCP_KEYRING_HTTP_PORT: String(port) };
  const first = await startHttpBridge(profile.keyring, { env });
  let second: HttpBridge | undefined;
  try {
    assert.equal(first.port, port);
    assert.equal(first.url('main'), `http://127.0.0.1:${port}/servers/main/mcp`);
    assert.equal(first.secret, bridge.secret, 'one secret per install');
    assert.equal(await profile.keyring.vault.get(secretNames.httpBridgeSecret()), first.secret);
    assert.match(first.secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.ok(!JSON.stringify(first).includes(first.secret) && !Object.keys(first).includes('secret'), 'the secret is not an enumerable property');
    const c = await connectClient(first.url('main'), first.secret);
    await c.close();
    await first.close();

    // A new process: a fresh Keyring on the same profile.
    second = await startHttpBridge(new Keyring({ home: profile.home, service: profile.service }), { env });
    assert.equal(second.port, port);
    assert.equal(second.secret, first.secret);
    const again = await connectClient(second.url('main'), first.secret); // the client's config still works
    try {
      assert.equal(text(await again.client.callTool({ name: 'echo', arguments: { text: 'after restart' } })), 'after restart');
    } finally {
      await again.close();
    }
  } finally {
    await first.close();
    await second?.close();
  }
});

test('a taken port fails with port-unavailable, naming the port and how to change it', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  try {
    await assert.rejects(startHttpBridge(profile.keyring, { port }), (error: unknown) => {
      assert.ok(isKeyringError(error, 'port-unavailable'));
      assert.match(error.message, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(error.message, /--port N/);
      assert.match(error.message, /MCP_KEYRING_HTTP_PORT=N/);
      return true;
    });
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});
