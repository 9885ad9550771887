// createNodeFetch (fetch over node:http/node:https), against real
// local servers: plain http, a self-signed https server, a small forwarding /
// CONNECT proxy, and a real MCP server from @modelcontextprotocol/sdk. A child
// process checks that the bridge's HTTP path never loads Node's undici.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { HeadersLite } from '../../../../main/core/http/headers-lite';
import { createNodeFetch } from '../../../../main/core/http/node-fetch';
import type { RedirectRefusedError } from '../../../../main/core/http/redirect-policy';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const headersLitePath = path.join(repoRoot, 'main/core/http/headers-lite.ts');
const nodeFetchPath = path.join(repoRoot, 'main/core/http/node-fetch.ts');

// ---------------------------------------------------------------------------
// helpers

type AnyServer = http.Server | https.Server;

function listen(server: AnyServer): Promise<number> {
  const sockets = new Set<net.Socket>();
  acceptedSockets.set(server, sockets);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Every socket a server accepted, including those it handed to a 'connect' handler (closeAllConnections misses those). */
const acceptedSockets = new WeakMap<AnyServer, Set<net.Socket>>();

function close(server: AnyServer): Promise<void> {
  server.closeAllConnections();
  for (const socket of acceptedSockets.get(server) ?? []) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** A deferred: a promise plus its resolve. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface Echo {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
  socket: number;
  servername?: string;
}

/** Numbers sockets so tests can tell whether a connection was reused. */
function socketIds(): (socket: net.Socket) => number {
  const ids = new WeakMap<net.Socket, number>();
  let next = 1;
  return (socket) => {
    let id = ids.get(socket);
    if (id === undefined) {
      id = next++;
      ids.set(socket, id);
    }
    return id;
  };
}

/** The child process runs without the test runner's context variable (it would make a nested node report as a subtest). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY']) delete env[name];
  return env;
}

function runChild(code: string, extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: repoRoot,
      env: childEnv(extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout.trim().split('\n').pop() ?? '');
      else reject(new Error(`child exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
}

// ---------------------------------------------------------------------------
// Plain http

describe('createNodeFetch over http', () => {
  let server: http.Server;
  let base: string;
  let otherServer: http.Server;
  let otherBase: string;
  const socketId = socketIds();
  const closed: Array<{ path: string; complete: boolean }> = [];
  let requests = 0;
  let otherRequests = 0;
  let releaseEvent: Array<() => void> = [];
  const fetch = createNodeFetch({ env: {} });

  before(async () => {
    server = http.createServer(async (req, res) => {
      requests++;
      const url = new URL(req.url ?? '/', 'http://x');
      const echo = async (): Promise<Echo> => ({
        method: req.method ?? '',
        url: req.url ?? '',
        body: await readBody(req),
        headers: req.headers,
        socket: socketId(req.socket),
      });
      res.on('close', () => closed.push({ path: url.pathname, complete: res.writableFinished }));
      switch (url.pathname) {
        case '/echo': {
          const body = JSON.stringify(await echo());
          res.setHeader('x-multi', ['1', '2']);
          res.setHeader('set-cookie', ['a=1; Path=/', 'b=2']);
          res.writeHead(200, 'Fine', { 'content-type': 'application/json' });
          res.end(body);
          return;
        }
        case '/accepted':
          await readBody(req);
          res.writeHead(202).end();
          return;
        case '/no-content':
          res.writeHead(204).end();
          return;
        case '/status':
          res.writeHead(Number(url.searchParams.get('code')), { 'content-type': 'text/plain' }).end('status body');
          return;
        case '/gzip':
          res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(zlib.gzipSync('hello, compressed world'));
          return;
        case '/big':
          res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(1024 * 1024, 7));
          return;
        case '/bom':
          res.writeHead(200, { 'content-type': 'application/json' }).end('\ufeff{"bom":true}');
          return;
        case '/sse': {
          // One event each time the test releases it, with a little delay: the client must see each as it comes.
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.flushHeaders();
          for (let i = 0; i < 3; i++) {
            const gate = deferred();
            releaseEvent.push(gate.resolve);
            await gate.promise;
            await delay(20);
            res.write(`id: ${i}\ndata: event ${i}\n\n`);
          }
          res.end();
          return;
        }
        case '/endless':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: first\n\n');
          return; // never ends
        case '/hang':
          return; // never answers
        case '/slow-body':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('part one;');
          setTimeout(() => res.end('part two'), 150);
          return;
        default: {
          const redirect = /^\/redirect\/(\d{3})$/.exec(url.pathname);
          if (redirect) {
            await readBody(req);
            res.writeHead(Number(redirect[1]), { location: url.searchParams.get('to') ?? '/echo' }).end('moved');
            return;
          }
          const loop = /^\/loop\/(\d+)$/.exec(url.pathname);
          if (loop) {
            const n = Number(loop[1]);
            if (String(n) === url.searchParams.get('stop')) res.writeHead(200).end(`stopped at ${n}`);
            else res.writeHead(302, { location: `/loop/${n + 1}${url.search}` }).end();
            return;
          }
          res.writeHead(404).end('not found');
        }
      }
    });
    base = `http://127.0.0.1:${await listen(server)}`;
    otherServer = http.createServer(async (req, res) => {
      otherRequests++;
      const body = JSON.stringify({ method: req.method ?? '', url: req.url ?? '', body: await readBody(req), headers: req.headers, socket: 0 } satisfies Echo);
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    otherBase = `http://localhost:${await listen(otherServer)}`;
  });

  after(async () => {
    await close(server);
    await close(otherServer);
  });

  test('GET and POST round trip: status, statusText, url, headers, json/text', async () => {
    const get = await fetch(`${base}/echo?q=1#fragment`);
    assert.equal(get.status, 200);
    assert.equal(get.statusText, 'Fine');
    assert.equal(get.ok, true);
    assert.equal(get.type, 'basic');
    assert.equal(get.redirected, false);
    assert.equal(get.url, `${base}/echo?q=1`);
    assert.equal(get.headers.get('content-type'), 'application/json');
    assert.equal(get.bodyUsed, false);
    const echoed = (await get.json()) as Echo;
    assert.equal(get.bodyUsed, true);
    assert.equal(echoed.method, 'GET');
    assert.equal(echoed.url, '/echo?q=1');
    assert.equal(echoed.headers.accept, '*/*');
    assert.equal(echoed.headers.host, new URL(base).host);
    await assert.rejects(get.text(), TypeError);

    const post = await fetch(new URL(`${base}/echo`), {
      method: 'post',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'yes' },
      body: JSON.stringify({ hello: 'wörld' }),
    });
    const posted = (await post.json()) as Echo;
    assert.equal(posted.method, 'POST');
    assert.deepEqual(JSON.parse(posted.body), { hello: 'wörld' });
    assert.equal(posted.headers['content-type'], 'application/json');
    assert.equal(posted.headers['x-custom'], 'yes');
    assert.equal(posted.headers['content-length'], String(Buffer.byteLength(posted.body)));

    for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const response = await fetch(`${base}/echo`, { method, body: method === 'DELETE' || method === 'OPTIONS' ? null : 'x' });
      assert.equal(((await response.json()) as Echo).method, method);
    }
    // A Request-like input: its url, method and headers.
    const requestLike = await fetch({ url: `${base}/echo`, method: 'DELETE', headers: { 'x-from': 'request' } } as unknown as string);
    const fromRequest = (await requestLike.json()) as Echo;
    assert.equal(fromRequest.method, 'DELETE');
    assert.equal(fromRequest.headers['x-from'], 'request');
    // A POST without a body announces an empty one.
    const empty = (await (await fetch(`${base}/echo`, { method: 'POST' })).json()) as Echo;
    assert.equal(empty.headers['content-length'], '0');
  });

  test('request bodies: string, Uint8Array, Buffer, ArrayBuffer, URLSearchParams (form-encoded), async iterable', async () => {
    const send = async (body: unknown, headers?: Record<string, string>): Promise<Echo> =>
      (await (await fetch(`${base}/echo`, { method: 'POST', body: body as BodyInit, ...(headers ? { headers } : {}) })).json()) as Echo;

    const text = await send('plain');
    assert.equal(text.body, 'plain');
    assert.equal(text.headers['content-type'], 'text/plain;charset=UTF-8');
    assert.equal((await send(new TextEncoder().encode('bytes'))).body, 'bytes');
    assert.equal((await send(Buffer.from('buffer'))).body, 'buffer');
    assert.equal((await send(new TextEncoder().encode('xxslicexx').subarray(2, 7))).body, 'slice');
    assert.equal((await send(new TextEncoder().encode('array buffer').buffer)).body, 'array buffer');
    const form = await send(new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'a b&c' }));
    assert.equal(form.body, 'grant_type=refresh_token&refresh_token=a+b%26c');
    assert.equal(form.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    const explicit = await send(new URLSearchParams({ a: '1' }), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(explicit.headers['content-type'], 'application/x-www-form-urlencoded');
    const streamed = await send(
      (async function* () {
        yield new TextEncoder().encode('chunk 1, ');
        await delay(5);
        yield new TextEncoder().encode('chunk 2');
      })(),
    );
    assert.equal(streamed.body, 'chunk 1, chunk 2');
    assert.equal(streamed.headers['transfer-encoding'], 'chunked');
    await assert.rejects(fetch(`${base}/echo`, { method: 'GET', body: 'x' }), TypeError);
    await assert.rejects(fetch(`${base}/echo`, { method: 'HEAD', body: 'x' }), TypeError);
  });

  test('headers: HeadersLite, arrays and records in; repeated values and set-cookie out', async () => {
    const outgoing = new HeadersLite();
    outgoing.append('X-Multi', 'a');
    outgoing.append('x-multi', 'b');
    const viaHeaders = (await (await fetch(`${base}/echo`, { headers: outgoing })).json()) as Echo;
    assert.equal(viaHeaders.headers['x-multi'], 'a, b');
    const viaArray = (await (await fetch(`${base}/echo`, { headers: [['x-multi', 'c'], ['X-Multi', 'd']] })).json()) as Echo;
    assert.equal(viaArray.headers['x-multi'], 'c, d');
    const response = await fetch(`${base}/echo`, { headers: { 'User-Agent': 'custom/1', Accept: 'application/json' } });
    assert.equal(response.headers.get('x-multi'), '1, 2');
    assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/', 'b=2']);
    assert.ok(response.headers instanceof HeadersLite);
    const echoed = (await response.json()) as Echo;
    assert.equal(echoed.headers['user-agent'], 'custom/1');
    assert.equal(echoed.headers.accept, 'application/json');
    await assert.rejects(fetch(`${base}/echo`, { headers: { 'x-bad': 'a\r\nInjected: yes' } }), TypeError);
  });

  test('response bodies: arrayBuffer, bytes, blob, big bodies, gzip, BOM, null bodies for HEAD/204/304', async () => {
    const big = await fetch(`${base}/big`);
    const bytes = new Uint8Array(await big.arrayBuffer());
    assert.equal(bytes.byteLength, 1024 * 1024);
    assert.ok(bytes.every((b) => b === 7));
    assert.equal((await (await fetch(`${base}/big`)).bytes()).byteLength, 1024 * 1024);
    const blob = await (await fetch(`${base}/gzip`)).blob();
    assert.equal(await blob.text(), 'hello, compressed world');
    assert.equal(blob.type, 'text/plain');
    assert.equal(await (await fetch(`${base}/gzip`)).text(), 'hello, compressed world');
    const gzipStream = (await fetch(`${base}/gzip`)).body;
    assert.ok(gzipStream);
    assert.equal(await new Response(gzipStream).text(), 'hello, compressed world');
    assert.deepEqual(await (await fetch(`${base}/bom`)).json(), { bom: true });

    const head = await fetch(`${base}/echo`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
    assert.equal(await head.text(), '');
    const noContent = await fetch(`${base}/no-content`);
    assert.equal(noContent.status, 204);
    assert.equal(noContent.body, null);
    const notModified = await fetch(`${base}/status?code=304`);
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body, null);
    const notFound = await fetch(`${base}/status?code=404`);
    assert.equal(notFound.ok, false);
    assert.equal(await notFound.text(), 'status body');
  });

  test('clone(): both copies read the same body; not once the body was used', async () => {
    const response = await fetch(`${base}/status?code=400`);
    const copy = response.clone();
    assert.equal(copy.status, 400);
    assert.equal(await copy.text(), 'status body');
    assert.equal(await response.text(), 'status body');
    assert.throws(() => response.clone(), TypeError);
    await assert.rejects(response.body!.getReader().read(), TypeError, 'the body getter after text()');
    const streamed = await fetch(`${base}/echo`);
    assert.ok(streamed.body);
    assert.throws(() => streamed.clone(), TypeError);
    await streamed.body.cancel();
  });

  test('an SSE body streams chunk by chunk through body.pipeThrough(new TextDecoderStream())', async () => {
    releaseEvent = [];
    const response = await fetch(`${base}/sse`, { headers: { accept: 'text/event-stream' } });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.ok(response.body);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (let i = 0; i < 3; i++) {
      // The server writes event i only now; if the body were buffered this would hang.
      await within(
        (async () => {
          while (releaseEvent.length === 0) await delay(1);
        })(),
        2000,
        'server waiting for the next event',
      );
      releaseEvent.shift()?.();
      let text = '';
      while (!text.endsWith('\n\n')) {
        const { done, value } = await within(reader.read(), 2000, `event ${i}`);
        assert.equal(done, false);
        text += value;
      }
      assert.equal(text, `id: ${i}\ndata: event ${i}\n\n`);
    }
    assert.equal((await within(reader.read(), 2000, 'end of stream')).done, true);
  });

  test('a body read after it started arriving: text() waits for the rest', async () => {
    const response = await fetch(`${base}/slow-body`);
    assert.equal(await response.text(), 'part one;part two');
  });

  test('abort: before the answer, mid-stream, already aborted, timeout; the signal keeps no listeners', async () => {
    const controller = new AbortController();
    const pending = fetch(`${base}/hang`, { signal: controller.signal });
    await delay(30);
    controller.abort();
    await assert.rejects(pending, (error: Error) => error.name === 'AbortError' && error instanceof DOMException);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);

    const before = requests;
    await assert.rejects(fetch(`${base}/echo`, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal(requests, before, 'an aborted signal sends nothing');

    await assert.rejects(fetch(`${base}/hang`, { signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });

    // Mid-stream: the reader fails with the AbortError and the server sees the connection close.
    const streamController = new AbortController();
    const closedBefore = closed.filter((c) => c.path === '/endless').length;
    const response = await fetch(`${base}/endless`, { signal: streamController.signal });
    assert.ok(response.body);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await reader.read()).value, 'data: first\n\n');
    const read = reader.read();
    streamController.abort();
    await assert.rejects(read, { name: 'AbortError' });
    await within(
      (async () => {
        while (closed.filter((c) => c.path === '/endless').length === closedBefore) await delay(5);
      })(),
      2000,
      'server to see the aborted stream close',
    );

    // Aborting while text() waits for the body.
    const textController = new AbortController();
    const slow = await fetch(`${base}/slow-body`, { signal: textController.signal });
    const text = slow.text();
    textController.abort();
    await assert.rejects(text, { name: 'AbortError' });

    // One signal for many requests (as the SDK does): listeners are removed as bodies finish.
    const shared = new AbortController();
    for (let i = 0; i < 20; i++) await (await fetch(`${base}/echo`, { signal: shared.signal })).text();
    await (await fetch(`${base}/no-content`, { signal: shared.signal })).body?.cancel();
    await (await fetch(`${base}/accepted`, { method: 'POST', body: '{}', signal: shared.signal })).body?.cancel();
    assert.equal(getEventListeners(shared.signal, 'abort').length, 0);
  });

  test('redirects: manual returns the 3xx, error rejects, follow follows (303 and 301/302 POST become GET)', async () => {
    const manual = await fetch(`${base}/redirect/302`, { redirect: 'manual' });
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get('location'), '/echo');
    assert.equal(manual.redirected, false);
    assert.equal(await manual.text(), 'moved');

    await assert.rejects(fetch(`${base}/redirect/302`, { redirect: 'error' }), (error: Error) => error instanceof TypeError && error.message === 'fetch failed');

    const followed = await fetch(`${base}/redirect/302`);
    assert.equal(followed.status, 200);
    assert.equal(followed.redirected, true);
    assert.equal(followed.url, `${base}/echo`);

    for (const status of [301, 302, 303]) {
      const echo = (await (await fetch(`${base}/redirect/${status}`, { method: 'POST', body: 'payload', headers: { 'content-type': 'text/x' } })).json()) as Echo;
      assert.equal(echo.method, 'GET', `${status} after POST`);
      assert.equal(echo.body, '');
      assert.equal(echo.headers['content-type'], undefined);
    }
    for (const status of [307, 308]) {
      const echo = (await (await fetch(`${base}/redirect/${status}`, { method: 'POST', body: 'payload' })).json()) as Echo;
      assert.equal(echo.method, 'POST', `${status} keeps the method`);
      assert.equal(echo.body, 'payload');
    }
    const put303 = (await (await fetch(`${base}/redirect/303`, { method: 'PUT', body: 'x' })).json()) as Echo;
    assert.equal(put303.method, 'GET');

    const fiveHops = await fetch(`${base}/loop/0?stop=5`);
    assert.equal(await fiveHops.text(), 'stopped at 5');
    await assert.rejects(fetch(`${base}/loop/0?stop=6`), (error: Error) => error instanceof TypeError && /redirect count/.test(String((error.cause as Error).message)));

    // Same origin: followed with everything the request carried.
    const sameOrigin = (await (await fetch(`${base}/redirect/307`, { method: 'POST', body: 'payload', headers: { authorization: 'Bearer secret', 'x-api-key': 'k' } })).json()) as Echo;
    assert.equal(sameOrigin.headers.authorization, 'Bearer secret');
    assert.equal(sameOrigin.headers['x-api-key'], 'k');
    assert.equal(sameOrigin.body, 'payload');
  });

  test('redirects to another origin are never followed, with or without credentials; the error names the target origin', async () => {
    const seenBefore = otherRequests;
    for (const init of [{}, { headers: { 'x-api-key': 'key' } }, { method: 'POST', body: 'payload', headers: { authorization: 'Bearer secret' } }] as RequestInit[]) {
      await assert.rejects(
        fetch(`${base}/redirect/307?to=${encodeURIComponent(`${otherBase}/landing?token=t`)}`, init),
        (error: Error) => {
          const cause = error.cause as RedirectRefusedError;
          assert.ok(error instanceof TypeError && error.message === 'fetch failed');
          assert.equal(cause.code, 'ERR_REDIRECT_REFUSED');
          assert.equal(cause.reason, 'cross-origin');
          assert.match(cause.message, new RegExp(`^${base.replace(/[.]/g, '\\.')} redirected to ${otherBase.replace(/[.]/g, '\\.')}; not followed`));
          assert.doesNotMatch(cause.message, /token=t|landing/, 'the target path and query (which may hold secrets) are not repeated');
          return true;
        },
      );
    }
    // Another scheme is another origin; a non-http(s) target is refused as such.
    await assert.rejects(fetch(`${base}/redirect/302?to=${encodeURIComponent('file:///etc/passwd')}`), (error: Error) => (error.cause as RedirectRefusedError).reason === 'scheme');
    // manual still hands the 3xx to the caller, untouched.
    const manual = await fetch(`${base}/redirect/302?to=${encodeURIComponent(`${otherBase}/landing`)}`, { redirect: 'manual' });
    assert.equal(manual.status, 302);
    await manual.text();
    assert.equal(otherRequests, seenBefore, 'nothing reached the other origin');
  });

  test('connection refused, unknown host and bad URLs reject like undici: TypeError with a cause', async () => {
    const spare = http.createServer();
    const port = await listen(spare);
    await close(spare);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.equal(error.message, 'fetch failed');
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      return true;
    });
    await assert.rejects(fetch('http://does-not-exist.invalid/'), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.match(String((error.cause as NodeJS.ErrnoException).code), /^(ENOTFOUND|EAI_AGAIN)$/);
      return true;
    });
    await assert.rejects(fetch('not a url'), TypeError);
    await assert.rejects(fetch('ftp://example.com/'), TypeError);
    await assert.rejects(fetch('http://user:pw@127.0.0.1/'), TypeError);
  });

  test('keep-alive: sequential requests share one socket, also after body.cancel() and null bodies', async () => {
    const ids = new Set<number>();
    for (let i = 0; i < 5; i++) ids.add(((await (await fetch(`${base}/echo`)).json()) as Echo).socket);
    await (await fetch(`${base}/accepted`, { method: 'POST', body: '{}' })).body?.cancel(); // as the SDK does for 202
    await (await fetch(`${base}/no-content`)).text();
    await (await fetch(`${base}/redirect/302`)).text(); // the followed redirect's body is drained too
    const small = await fetch(`${base}/status?code=200`);
    await delay(20); // the whole body is in; cancelling now must drain it, not close the socket
    await small.body?.cancel();
    ids.add(((await (await fetch(`${base}/echo`)).json()) as Echo).socket);
    assert.equal(ids.size, 1, `sockets used: ${[...ids].join(', ')}`);
  });

  test('body.cancel() on an unread endless body closes the connection; the response is not leaked', async () => {
    const before = closed.filter((c) => c.path === '/endless').length;
    const response = await fetch(`${base}/endless`);
    await response.body?.cancel();
    assert.equal(response.bodyUsed, false);
    await within(
      (async () => {
        while (closed.filter((c) => c.path === '/endless').length === before) await delay(5);
      })(),
      2000,
      'server to see the cancelled stream close',
    );
    // Many unread-then-cancelled responses do not pile up sockets.
    const agentSockets = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${base}/echo`);
      await r.body?.cancel();
    }
    agentSockets.add(((await (await fetch(`${base}/echo`)).json()) as Echo).socket);
    assert.equal(agentSockets.size, 1);
  });

  test('a request lost on a reused keep-alive socket is sent once more; on a fresh socket it fails', async () => {
    const ids = socketIds();
    const seen: string[] = [];
    const flaky = http.createServer((req, res) => {
      const id = ids(req.socket);
      seen.push(`${req.method} ${req.url} on ${id}`);
      // The race this covers: the server closes an idle keep-alive connection just as the
      // client reuses it. Simulated by dropping the first /again on the reused socket 1.
      if ((req.url === '/again' && id === 1) || req.url === '/drop') {
        req.socket.destroy();
        return;
      }
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(String(id));
    });
    const flakyBase = `http://127.0.0.1:${await listen(flaky)}`;
    try {
      assert.equal(await (await fetch(`${flakyBase}/first`)).text(), '1');
      const again = await fetch(`${flakyBase}/again`, { method: 'POST', body: 'x' });
      assert.equal(await again.text(), '2');
      assert.deepEqual(seen, ['GET /first on 1', 'POST /again on 1', 'POST /again on 2']);
      // A fresh connection that breaks is not retried.
      const fresh = createNodeFetch({ env: {}, ca: 'unused' }); // its own agents: no pooled sockets
      await assert.rejects(fresh(`${flakyBase}/drop`), (error: Error) => {
        assert.equal(error.message, 'fetch failed');
        assert.equal((error.cause as NodeJS.ErrnoException).code, 'ECONNRESET');
        return true;
      });
      assert.equal(seen.filter((line) => line.startsWith('GET /drop')).length, 1);
    } finally {
      await close(flaky);
    }
  });
});

// ---------------------------------------------------------------------------
// https and proxies

describe('createNodeFetch with https and proxies', () => {
  let dir: string;
  let ca: string;
  let httpsServer: https.Server;
  let httpsPort: number;
  let httpServer: http.Server;
  let httpPort: number;
  let proxy: http.Server;
  let proxyPort: number;
  const proxyLog: Array<{ kind: 'forward' | 'connect'; target: string; auth: string | undefined }> = [];
  let requireProxyAuth: string | undefined;
  const socketId = socketIds();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'node-fetch-test-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-subj', '/CN=target.test', '-addext', 'subjectAltName=DNS:target.test,DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'ignore' });
    ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    const handler = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
      const echo: Echo = {
        method: req.method ?? '',
        url: req.url ?? '',
        body: await readBody(req),
        headers: req.headers,
        socket: socketId(req.socket),
        servername: (req.socket as { servername?: string }).servername,
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
    };
    httpsServer = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: ca }, (req, res) => void handler(req, res));
    httpsPort = await listen(httpsServer);
    httpServer = http.createServer((req, res) => void handler(req, res));
    httpPort = await listen(httpServer);

    // A forwarding proxy (absolute-form requests) with CONNECT tunnels; every host resolves to 127.0.0.1.
    proxy = http.createServer((req, res) => {
      const auth = req.headers['proxy-authorization'];
      proxyLog.push({ kind: 'forward', target: req.url ?? '', auth });
      if (requireProxyAuth && auth !== requireProxyAuth) {
        res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
        return;
      }
      const target = new URL(req.url ?? '');
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      const upstream = http.request(
        { host: '127.0.0.1', port: Number(target.port), path: `${target.pathname}${target.search}`, method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      const auth = req.headers['proxy-authorization'];
      proxyLog.push({ kind: 'connect', target: req.url ?? '', auth });
      if (requireProxyAuth && auth !== requireProxyAuth) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
        return;
      }
      const port = Number((req.url ?? '').split(':').pop());
      const upstream = net.connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    proxyPort = await listen(proxy);
  });

  after(async () => {
    await close(httpsServer);
    await close(httpServer);
    await close(proxy);
    rmSync(dir, { recursive: true, force: true });
  });

  test('https with a custom CA (servername sent); rejected without it', async () => {
    const fetch = createNodeFetch({ env: {}, ca });
    const echo = (await (await fetch(`https://localhost:${httpsPort}/secure`)).json()) as Echo;
    assert.equal(echo.url, '/secure');
    assert.equal(echo.servername, 'localhost');
    const again = (await (await fetch(`https://localhost:${httpsPort}/again`)).json()) as Echo;
    assert.equal(again.socket, echo.socket, 'https keep-alive');
    await assert.rejects(createNodeFetch({ env: {} })(`https://localhost:${httpsPort}/`), (error: Error) => {
      assert.equal(error.message, 'fetch failed');
      assert.match(String((error.cause as NodeJS.ErrnoException).code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
      return true;
    });
  });

  test('http target through HTTP_PROXY: absolute-form request with Proxy-Authorization', async () => {
    proxyLog.length = 0;
    requireProxyAuth = `Basic ${Buffer.from('us er:p@ss').toString('base64')}`;
    try {
      const fetch = createNodeFetch({ env: { HTTP_PROXY: `http://us%20er:p%40ss@127.0.0.1:${proxyPort}` } });
      const response = await fetch(`http://target.test:${httpPort}/via-proxy?x=1`, { method: 'POST', body: 'through' });
      const echo = (await response.json()) as Echo;
      assert.equal(echo.url, '/via-proxy?x=1');
      assert.equal(echo.body, 'through');
      assert.equal(echo.headers.host, `target.test:${httpPort}`);
      assert.equal(echo.headers['proxy-authorization'], undefined);
      assert.deepEqual(proxyLog, [{ kind: 'forward', target: `http://target.test:${httpPort}/via-proxy?x=1`, auth: requireProxyAuth }]);
      // Wrong credentials: the proxy's 407 comes back as the response.
      const denied = await createNodeFetch({ env: { http_proxy: `http://127.0.0.1:${proxyPort}` } })(`http://target.test:${httpPort}/`);
      assert.equal(denied.status, 407);
      await denied.text();
    } finally {
      requireProxyAuth = undefined;
    }
  });

  test('https target through HTTPS_PROXY: CONNECT tunnel, TLS to the target inside, kept alive', async () => {
    proxyLog.length = 0;
    requireProxyAuth = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
    try {
      const fetch = createNodeFetch({ env: { https_proxy: `http://alice:secret@127.0.0.1:${proxyPort}` }, ca });
      const first = (await (await fetch(`https://target.test:${httpsPort}/tunnel`, { headers: { authorization: 'Bearer t' } })).json()) as Echo;
      const second = (await (await fetch(`https://target.test:${httpsPort}/tunnel2`, { method: 'POST', body: 'b' })).json()) as Echo;
      assert.equal(first.url, '/tunnel');
      assert.equal(first.servername, 'target.test');
      assert.equal(first.headers.host, `target.test:${httpsPort}`);
      assert.equal(first.headers.authorization, 'Bearer t');
      assert.equal(first.headers['proxy-authorization'], undefined, 'proxy credentials never reach the target');
      assert.equal(second.body, 'b');
      assert.equal(second.socket, first.socket, 'the tunnel is reused');
      assert.deepEqual(proxyLog, [{ kind: 'connect', target: `target.test:${httpsPort}`, auth: requireProxyAuth }]);

      await assert.rejects(
        createNodeFetch({ env: { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` }, ca })(`https://target.test:${httpsPort}/`),
        (error: Error) => error.message === 'fetch failed' && (error.cause as { statusCode?: number }).statusCode === 407,
      );
    } finally {
      requireProxyAuth = undefined;
    }
  });

  test('https targets fall back to HTTP_PROXY; loopback and NO_PROXY matches go direct', async () => {
    proxyLog.length = 0;
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;
    const fallback = createNodeFetch({ env: { HTTP_PROXY: proxyUrl }, ca });
    assert.equal(((await (await fallback(`https://target.test:${httpsPort}/x`)).json()) as Echo).url, '/x');
    assert.equal(proxyLog.length, 1);
    assert.equal(proxyLog[0]?.kind, 'connect');

    // Loopback is never proxied, whatever the environment says.
    proxyLog.length = 0;
    const loopback = createNodeFetch({ env: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl }, ca });
    await (await loopback(`http://127.0.0.1:${httpPort}/direct`)).text();
    await (await loopback(`http://localhost:${httpPort}/direct`)).text();
    await (await loopback(`https://localhost:${httpsPort}/direct`)).text();
    assert.deepEqual(proxyLog, []);

    // NO_PROXY: target.test goes direct (and, not being a real name, fails DNS) instead of through the proxy.
    const bypass = createNodeFetch({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'other.example, .test' } });
    await assert.rejects(bypass(`http://target.test:${httpPort}/`), (error: Error) =>
      /^(ENOTFOUND|EAI_AGAIN)$/.test(String((error.cause as NodeJS.ErrnoException).code)),
    );
    assert.deepEqual(proxyLog, []);
    const notBypassed = createNodeFetch({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: `target.test:1` } });
    await (await notBypassed(`http://target.test:${httpPort}/`)).text();
    assert.equal(proxyLog.length, 1);
  });
});

// ---------------------------------------------------------------------------
// The MCP SDK over createNodeFetch

interface McpTestServer {
  url: string;
  sseUrl: string;
  close(): Promise<void>;
}

function echoServer(): McpServer {
  const mcp = new McpServer({ name: 'echo-server', version: '1.0.0' }, { capabilities: { logging: {} } });
  mcp.registerTool('echo', { description: 'Echoes its input', inputSchema: { text: z.string() } }, async ({ text }, extra) => {
    // A notification before the result: over Streamable HTTP it travels on the request's SSE stream.
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: `echoing ${text}` } });
    return { content: [{ type: 'text', text }] };
  });
  return mcp;
}

async function startMcpServer(): Promise<McpTestServer> {
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  const legacy = new Map<string, SSEServerTransport>();
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/mcp') {
        const sessionId = req.headers['mcp-session-id'];
        let transport = typeof sessionId === 'string' ? streamable.get(sessionId) : undefined;
        if (!transport) {
          if (sessionId !== undefined || req.method !== 'POST') {
            res.writeHead(404).end();
            return;
          }
          const created = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: (id) => void streamable.set(id, created),
          });
          created.onclose = () => {
            if (created.sessionId) streamable.delete(created.sessionId);
          };
          await echoServer().connect(created);
          transport = created;
        }
        await transport.handleRequest(req, res);
      } else if (url.pathname === '/sse' && req.method === 'GET') {
        const transport = new SSEServerTransport('/messages', res);
        legacy.set(transport.sessionId, transport);
        res.on('close', () => legacy.delete(transport.sessionId));
        await echoServer().connect(transport);
      } else if (url.pathname === '/messages' && req.method === 'POST') {
        const transport = legacy.get(url.searchParams.get('sessionId') ?? '');
        if (!transport) res.writeHead(404).end();
        else await transport.handlePostMessage(req, res);
      } else {
        res.writeHead(404).end();
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sseUrl: `http://127.0.0.1:${port}/sse`,
    close: () => close(server),
  };
}

describe('MCP SDK transports over createNodeFetch', () => {
  let mcp: McpTestServer;
  before(async () => {
    mcp = await startMcpServer();
  });
  after(async () => {
    await mcp.close();
  });

  test('Streamable HTTP: connect, listTools, callTool, a logging notification streamed over SSE, session DELETE', async () => {
    const fetch = createNodeFetch({ env: {} });
    const client = new Client({ name: 'node-fetch-test', version: '1.0.0' });
    const notes: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      notes.push(String(notification.params.data));
    });
    const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { fetch });
    const errors: unknown[] = [];
    await client.connect(transport);
    transport.onerror = (error) => errors.push(error);
    assert.ok(transport.sessionId);
    const tools = await client.listTools();
    assert.deepEqual(
      tools.tools.map((tool) => tool.name),
      ['echo'],
    );
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello over node:http' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'hello over node:http' }]);
    assert.deepEqual(notes, ['echoing hello over node:http']);
    for (let i = 0; i < 10; i++) await client.callTool({ name: 'echo', arguments: { text: `n${i}` } });
    assert.equal(notes.length, 11);
    await transport.terminateSession();
    assert.equal(transport.sessionId, undefined);
    await client.close();
    assert.deepEqual(errors.filter((e) => !/AbortError|aborted/i.test(String(e))), []);
  });

  test('legacy HTTP+SSE (SSEClientTransport with eventSourceInit.fetch)', async () => {
    const fetch = createNodeFetch({ env: {} });
    const client = new Client({ name: 'node-fetch-test', version: '1.0.0' });
    const notes: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      notes.push(String(notification.params.data));
    });
    await client.connect(new SSEClientTransport(new URL(mcp.sseUrl), { fetch, eventSourceInit: { fetch } }));
    const result = await client.callTool({ name: 'echo', arguments: { text: 'legacy' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'legacy' }]);
    assert.deepEqual(notes, ['echoing legacy']);
    await client.close();
  });

  test('in a fresh process with HeadersLite installed, 50 fetches and an SDK session never load undici', async () => {
    // First, the detection itself: touching the global Headers loads undici, and the check sees it.
    assert.equal(
      await runChild(`globalThis.Headers; console.log(process.moduleLoadList.some((m) => m.includes('undici')));`),
      'true',
    );
    assert.equal(await runChild(`console.log(process.moduleLoadList.some((m) => m.includes('undici')));`), 'false');

    const echo = http.createServer((req, res) => {
      void readBody(req).then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    });
    const echoPort = await listen(echo);
    try {
      const code = `
        const { HeadersLite, installHeadersLite } = await import(${JSON.stringify(headersLitePath)});
        const { createNodeFetch } = await import(${JSON.stringify(nodeFetchPath)});
        installHeadersLite();
        const fetch = createNodeFetch();
        let sum = 0;
        for (let i = 0; i < 50; i++) {
          const response = await fetch('http://127.0.0.1:${echoPort}/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i }) });
          sum += (await response.json()).i;
        }
        const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
        const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
        const client = new Client({ name: 'child', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(${JSON.stringify(mcp.url)}), { fetch }));
        const tools = await client.listTools();
        const result = await client.callTool({ name: 'echo', arguments: { text: 'from the child' } });
        await client.close();
        const undici = process.moduleLoadList.some((m) => m.includes('undici'));
        console.log(JSON.stringify({ undici, lite: globalThis.Headers === HeadersLite, sum, tools: tools.tools.map((t) => t.name), text: result.content[0].text }));
        process.exit(0);
      `;
      const report = JSON.parse(await runChild(code)) as { undici: boolean; lite: boolean; sum: number; tools: string[]; text: string };
      assert.deepEqual(report, { undici: false, lite: true, sum: 1225, tools: ['echo'], text: 'from the child' });
    } finally {
      await close(echo);
    }
  });

  test('installHeadersLite leaves undici alone once it is loaded', async () => {
    const afterRead = `
      const { HeadersLite, installHeadersLite } = await import(${JSON.stringify(headersLitePath)});
      const Undici = globalThis.Headers;
      installHeadersLite();
      console.log(globalThis.Headers === Undici && globalThis.Headers !== HeadersLite);
    `;
    assert.equal(await runChild(afterRead), 'true');
    const afterFetch = `
      const { HeadersLite, installHeadersLite } = await import(${JSON.stringify(headersLitePath)});
      await fetch('http://127.0.0.1:1/').catch(() => {});
      installHeadersLite();
      console.log(typeof Object.getOwnPropertyDescriptor(globalThis, 'Headers').get === 'function' && globalThis.Headers !== HeadersLite);
    `;
    assert.equal(await runChild(afterFetch), 'true');
    const fresh = `
      const { HeadersLite, installHeadersLite } = await import(${JSON.stringify(headersLitePath)});
      installHeadersLite();
      installHeadersLite();
      const d = Object.getOwnPropertyDescriptor(globalThis, 'Headers');
      console.log(d.value === HeadersLite && d.writable && d.configurable && !d.enumerable && !process.moduleLoadList.some((m) => m.includes('undici')));
    `;
    assert.equal(await runChild(fresh), 'true');
  });
});

// ---------------------------------------------------------------------------
// What a server may send back, and how long it may take

describe('createNodeFetch limits and deadlines', () => {
  let server: http.Server;
  let base: string;
  const MiB = 1024 * 1024;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const size = Number(url.searchParams.get('size') ?? 0);
      switch (url.pathname) {
        case '/sized': // a body of `size` bytes, with its length declared or not
          res.writeHead(200, { 'content-type': 'application/json', ...(url.searchParams.has('chunked') ? {} : { 'content-length': String(size) }) });
          res.end(Buffer.alloc(size, 0x20));
          return;
        case '/bomb': {
          // `size` bytes of zeros, gzipped (about 1000:1), streamed.
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          const gzip = zlib.createGzip();
          gzip.pipe(res);
          let left = size;
          const block = Buffer.alloc(64 * 1024);
          const pump = () => {
            while (left > 0) {
              left -= block.length;
              if (!gzip.write(block)) return void gzip.once('drain', pump);
            }
            gzip.end();
          };
          res.on('close', () => gzip.destroy());
          pump();
          return;
        }
        case '/gzip-json':
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(zlib.gzipSync(JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ i, name: `item ${i}` })) })));
          return;
        case '/events': // `size` small events, then a final one
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (let i = 0; i < size; i++) res.write(`data: ${'x'.repeat(1000)}\r\n\r\n`);
          res.end('data: last\n\n');
          return;
        case '/big-event': // one event that never ends, `size` bytes long
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: ');
          res.end(Buffer.alloc(size, 0x61));
          return;
        case '/hang':
          return; // never answers
        case '/trickle': { // a JSON body, one byte every 20 ms, for ever
          res.writeHead(200, { 'content-type': 'application/json' });
          const timer = setInterval(() => res.write(' '), 20);
          res.on('close', () => clearInterval(timer));
          return;
        }
        case '/sse-alive': { // a complete event every 50 ms
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const timer = setInterval(() => res.write(': keep-alive\n\n'), 50);
          res.on('close', () => clearInterval(timer));
          return;
        }
        case '/sse-quiet': { // one event, a silence longer than every deadline, another event
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: first\n\n');
          const timer = setTimeout(() => res.write('data: after a silence\n\n'), 1000);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        case '/sse-stuck': { // bytes keep coming, but the event never ends
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: {"jsonrpc":');
          const timer = setInterval(() => res.write(' '), 20);
          res.on('close', () => clearInterval(timer));
          return;
        }
        default:
          res.writeHead(404).end();
      }
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(async () => {
    await close(server);
  });

  const small = { maxBodyBytes: MiB, maxEventBytes: 64 * 1024, maxInflateRatio: 100, inflateGraceBytes: MiB };
  const tooLarge = (code: string) => (error: Error) => {
    assert.equal((error as { code?: string }).code, code, String(error));
    assert.match(error.message, new RegExp(`^${base.replace(/[.]/g, '\\.')} sent`), 'the message names the origin');
    return true;
  };

  test('a body over the limit is refused: at once when its length says so, else as soon as it goes over', async () => {
    const fetch = createNodeFetch({ env: {}, limits: small });
    assert.equal((await (await fetch(`${base}/sized?size=${MiB}`)).arrayBuffer()).byteLength, MiB, 'exactly the limit is fine');
    await assert.rejects((await fetch(`${base}/sized?size=${50 * MiB}`)).json(), tooLarge('ERR_RESPONSE_TOO_LARGE'));
    await assert.rejects((await fetch(`${base}/sized?size=${MiB + 1}&chunked`)).text(), tooLarge('ERR_RESPONSE_TOO_LARGE'));
    // Through the web stream too (how the SDK reads event streams, and the HTTP bridge everything).
    const reader = (await fetch(`${base}/sized?size=${3 * MiB}&chunked`)).body!.getReader();
    await assert.rejects(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
      tooLarge('ERR_RESPONSE_TOO_LARGE'),
    );
    assert.match((await (await fetch(`${base}/sized?size=10`)).text()), /^ {10}$/, 'the fetch still works');
  });

  test('compressed bodies: the inflated size counts, and a decompression bomb is refused by its ratio', async () => {
    const fetch = createNodeFetch({ env: {}, limits: { ...small, maxBodyBytes: 64 * MiB } });
    const json = (await (await fetch(`${base}/gzip-json`)).json()) as { items: unknown[] };
    assert.equal(json.items.length, 2000, 'ordinary compressed JSON is fine');
    await assert.rejects((await fetch(`${base}/bomb?size=${1024 * MiB}`)).arrayBuffer(), (error: Error) => {
      tooLarge('ERR_INFLATE_RATIO')(error);
      assert.match(error.message, /inflates more than 100 times/);
      return true;
    });
    // Without the ratio check the size limit still holds.
    const sizeOnly = createNodeFetch({ env: {}, limits: { ...small, maxInflateRatio: Infinity } });
    await assert.rejects((await sizeOnly(`${base}/bomb?size=${64 * MiB}`)).arrayBuffer(), tooLarge('ERR_RESPONSE_TOO_LARGE'));
  });

  test('event streams: any number of events, but not one event over the limit', async () => {
    const fetch = createNodeFetch({ env: {}, limits: small });
    const text = await (await fetch(`${base}/events?size=2000`)).text(); // ~2 MB in all, over maxBodyBytes, in 1 kB events
    assert.ok(text.endsWith('data: last\n\n'));
    const stream = (await fetch(`${base}/big-event?size=${MiB}`)).body!.pipeThrough(new TextDecoderStream()).getReader();
    await assert.rejects(
      (async () => {
        for (;;) if ((await stream.read()).done) return;
      })(),
      (error: Error) => tooLarge('ERR_RESPONSE_TOO_LARGE')(error) && /an event of more than 64 KiB/.test(error.message),
    );
  });

  test('deadlines: no answer, a trickled body, a stream stuck mid-event fail with a TimeoutError naming the origin; live and quiet streams stay', async () => {
    const fetch = createNodeFetch({ env: {}, deadlines: { responseMs: 400, eventIdleMs: 300 } });
    const isDeadline = (pattern: RegExp) => (error: Error) => {
      assert.equal(error.name, 'TimeoutError', String(error));
      assert.equal((error as { code?: string }).code, 'ERR_DEADLINE');
      assert.match(error.message, pattern);
      return true;
    };
    let started = Date.now();
    await assert.rejects(fetch(`${base}/hang`), isDeadline(/sent no complete answer within 0\.4 s/));
    assert.ok(Date.now() - started < 2000);
    started = Date.now();
    const trickle = await fetch(`${base}/trickle`);
    await assert.rejects(trickle.text(), isDeadline(/no complete answer within 0\.4 s/));
    assert.ok(Date.now() - started < 2000);
    const stuck = (await fetch(`${base}/sse-stuck`)).body!.getReader();
    await assert.rejects(
      (async () => {
        for (;;) if ((await stuck.read()).done) return;
      })(),
      isDeadline(/began an event on its event stream and did not finish it within 0\.3 s/),
    );
    // Silence between events is no reason to drop a stream: this one is quiet for 1 s, then sends an event.
    const quiet = (await fetch(`${base}/sse-quiet`)).body!.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await quiet.read()).value, 'data: first\n\n');
    assert.equal((await quiet.read()).value, 'data: after a silence\n\n');
    await quiet.cancel();
    // Keep-alive comments are complete events: a stream that sends them outlives both deadlines.
    const alive = (await fetch(`${base}/sse-alive`)).body!.getReader();
    const until = Date.now() + 1000;
    let events = 0;
    while (Date.now() < until) {
      const { done, value } = await alive.read();
      assert.equal(done, false);
      events += (Buffer.from(value!).toString().match(/\n\n/g) ?? []).length;
    }
    assert.ok(events >= 10, `${events} keep-alives`);
    await alive.cancel();
  });

  test('MCP_KEYRING_MCP_TIMEOUT sets the MCP deadlines; a bad value is a clear error', async () => {
    const fetch = createNodeFetch({ env: { MCP_KEYRING_MCP_TIMEOUT: '0.3' } });
    await assert.rejects(fetch(`${base}/hang`), /no complete answer within 0\.3 s/);
    assert.throws(() => createNodeFetch({ env: { MCP_KEYRING_MCP_TIMEOUT: 'soon' } }), /MCP_KEYRING_MCP_TIMEOUT="soon" is not a number of seconds/);
  });
});
