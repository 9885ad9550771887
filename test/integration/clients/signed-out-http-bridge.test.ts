// The local HTTP bridge, when the *upstream* needs a sign-in: every method gets an
// answer that carries our message and is never 401/403 (clients take those as
// "start your own OAuth here"); 401/403 stay reserved for a missing or wrong bridge secret.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';
import { startHttpBridge, type HttpBridge } from '../../../main/core/bridge/http-bridge';
import { useStack } from '../../helpers/stack';

const stack = useStack('signed-out-http');
let bridge: HttpBridge | undefined;
after(async () => bridge?.close());

function request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: bridge!.port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('signed out: POST, GET and DELETE all answer without 401/403 and name the fix', async () => {
  await stack.profile.keyring.add({ url: stack.mcp.url, name: 'Out', id: 'out' });
  bridge = await startHttpBridge(stack.profile.keyring, { port: 0, log: () => undefined });
  const auth = { authorization: `Bearer ${bridge.secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const path = '/servers/out/mcp';
  const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  const answers = {
    'POST request': await request('POST', path, auth, initialize),
    'POST notification': await request('POST', path, auth, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })),
    GET: await request('GET', path, { authorization: auth.authorization, accept: 'text/event-stream' }),
    DELETE: await request('DELETE', path, { authorization: auth.authorization, 'mcp-session-id': 'gone' }),
  };
  for (const [what, answer] of Object.entries(answers)) {
    assert.ok(answer.status !== 401 && answer.status !== 403, `${what}: ${answer.status}`);
    assert.equal(answer.headers['www-authenticate'], undefined, what);
    const error = (JSON.parse(answer.body) as { error: { code: number; message: string } }).error;
    assert.equal(error.code, -32001, what);
    assert.match(error.message, /Sign in to Out again: run `mcp-keyring connect out`/, what);
  }
  assert.equal(answers['POST request'].status, 200, 'a request gets its JSON-RPC error as the answer');
  for (const what of ['POST notification', 'GET', 'DELETE'] as const) assert.equal(answers[what].status, 503, what);
  assert.equal(stack.mcp.stats.requests, 0, 'no token, no request upstream');
});

test('401 and 403 stay for the bridge secret: missing (401 + challenge) and wrong (403)', async () => {
  const path = '/servers/out/mcp';
  const missing = await request('GET', path, { accept: 'text/event-stream' });
  assert.equal(missing.status, 401);
  assert.match(String(missing.headers['www-authenticate']), /mcp-keyring-bridge/);
  const wrong = await request('GET', path, { authorization: 'Bearer not-the-secret', accept: 'text/event-stream' });
  assert.equal(wrong.status, 403);
});
