// The HTTP bridge's pure parts: port choice, Host/Origin checks (DNS rebinding),
// the secret check, paths, and how errors become answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HTTP_BRIDGE_ERROR, classifyError, jsonRpcErrors, requestIds } from '../../../../../main/core/bridge/http/errors';
import { DEFAULT_HTTP_BRIDGE_PORT, checkBearer, httpBridgeUrl, isAllowedHost, isAllowedOrigin, resolveHttpBridgePort, serverIdFromPath } from '../../../../../main/core/bridge/http/guard';
import { KeyringError, isKeyringError } from '../../../../../main/core/errors';

test('port: option, else MCP_KEYRING_HTTP_PORT, else 8737', () => {
  assert.equal(DEFAULT_HTTP_BRIDGE_PORT, 8737);
  assert.equal(resolveHttpBridgePort(undefined, {}), 8737);
  assert.equal(resolveHttpBridgePort(undefined, { MCP_KEYRING_HTTP_PORT: '' }), 8737);
  assert.equal(resolveHttpBridgePort(undefined, { MCP_KEYRING_HTTP_PORT: ' 9100 ' }), 9100);
  assert.equal(resolveHttpBridgePort(9200, { MCP_KEYRING_HTTP_PORT: '9100' }), 9200);
  assert.equal(resolveHttpBridgePort('9300', {}), 9300);
  assert.equal(resolveHttpBridgePort(0, {}), 0);
  for (const bad of ['http', '80x', '65536', '-1', '1.5']) {
    assert.throws(() => resolveHttpBridgePort(undefined, { MCP_KEYRING_HTTP_PORT: bad }), (error: unknown) => isKeyringError(error, 'invalid-input') && /MCP_KEYRING_HTTP_PORT/.test(error.message));
  }
  assert.throws(() => resolveHttpBridgePort(70000, {}), /not a port number/);
});

test('urls', () => {
  assert.equal(httpBridgeUrl(8737, 'linear'), 'http://127.0.0.1:8737/servers/linear/mcp');
});

test('Host must be this listener, by IP or localhost', () => {
  assert.ok(isAllowedHost('127.0.0.1:8737', 8737));
  assert.ok(isAllowedHost('localhost:8737', 8737));
  assert.ok(isAllowedHost('LocalHost:8737', 8737));
  for (const host of [undefined, '', '127.0.0.1', 'localhost', '127.0.0.1:8738', 'evil.example:8737', 'localhost.evil.example:8737', '127.0.0.2:8737', '[::1]:8737', '127.0.0.1:8737.evil', 'user@127.0.0.1:8737']) {
    assert.equal(isAllowedHost(host, 8737), false, String(host));
  }
});

test('Origin: absent, or the bridge itself', () => {
  assert.ok(isAllowedOrigin(undefined, 8737));
  assert.ok(isAllowedOrigin('http://127.0.0.1:8737', 8737));
  assert.ok(isAllowedOrigin('http://localhost:8737', 8737));
  for (const origin of ['null', '', 'https://127.0.0.1:8737', 'http://127.0.0.1:8738', 'http://evil.example:8737', 'http://localhost:8737/', 'http://127.0.0.1']) {
    assert.equal(isAllowedOrigin(origin, 8737), false, origin);
  }
});

test('the secret: missing, wrong or ok', () => {
  const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA';
  assert.equal(checkBearer(undefined, secret), 'missing');
  assert.equal(checkBearer('', secret), 'missing');
  assert.equal(checkBearer(`Basic ${secret}`, secret), 'missing');
  assert.equal(checkBearer('Bearer', secret), 'missing');
  assert.equal(checkBearer(`Bearer ${secret}`, secret), 'ok');
  assert.equal(checkBearer(`bearer  ${secret} `, secret), 'ok');
  assert.equal(checkBearer(`Bearer ${secret}x`, secret), 'wrong');
  assert.equal(checkBearer(`Bearer ${secret.slice(0, -1)}`, secret), 'wrong');
  assert.equal(checkBearer('Bearer x', secret), 'wrong');
  assert.equal(checkBearer(`Bearer ${secret} extra`, secret), 'missing');
});

test('paths name a server', () => {
  assert.equal(serverIdFromPath('/servers/linear/mcp'), 'linear');
  assert.equal(serverIdFromPath('/servers/my-server-2/mcp/'), 'my-server-2');
  assert.equal(serverIdFromPath('/servers/linear/mcp?x=1'), 'linear');
  for (const path of [undefined, '/', '/servers/linear', '/servers/linear/mcp/x', '/servers/Linear/mcp', '/servers/../mcp', '/servers/%2e%2e/mcp', '//servers/linear/mcp', '/servers/-x/mcp']) {
    assert.equal(serverIdFromPath(path), undefined, String(path));
  }
});

test('errors: JSON-RPC codes by failure; requests get JSON-RPC errors', () => {
  assert.deepEqual(classifyError(new KeyringError('needs-sign-in', 'x')), { status: 503, code: -32001 });
  assert.deepEqual(classifyError(new KeyringError('insufficient-scope', 'x')), { status: 503, code: -32003 });
  assert.deepEqual(classifyError(new TypeError('fetch failed')), { status: 502, code: -32002 });
  assert.deepEqual(requestIds(Buffer.from('{"jsonrpc":"2.0","id":3,"method":"tools/list"}')), { ids: [3], batch: false });
  assert.deepEqual(requestIds(Buffer.from('{"jsonrpc":"2.0","method":"notifications/initialized"}')), { ids: [], batch: false });
  assert.deepEqual(requestIds(Buffer.from('{"jsonrpc":"2.0","id":3,"result":{}}')), { ids: [], batch: false });
  assert.deepEqual(requestIds(Buffer.from('[{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","method":"n"}]')), { ids: ['a'], batch: true });
  assert.deepEqual(requestIds(Buffer.from('not json')), { ids: [], batch: false });
  assert.deepEqual(JSON.parse(jsonRpcErrors([3], -32001, 'Sign in', false)), { jsonrpc: '2.0', id: 3, error: { code: -32001, message: 'Sign in' } });
  assert.equal((JSON.parse(jsonRpcErrors(['a', 1], -32001, 'Sign in', true)) as unknown[]).length, 2);
});
