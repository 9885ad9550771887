import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultEndpointsFallback } from '../../main/core/discovery/discover';
import { isKeyringError } from '../../main/core/errors';

const bearer401 = { status: 401, challenge: { error: 'invalid_token' } };

test('2025-03-26 fallback: /authorize, /token and /register at the origin, the server path dropped', () => {
  const as = defaultEndpointsFallback(new URL('http://127.0.0.1:8123/v1/mcp'), bearer401);
  assert.ok(as);
  assert.equal(as.issuer, 'http://127.0.0.1:8123');
  assert.equal(as.authorization_endpoint, 'http://127.0.0.1:8123/authorize');
  assert.equal(as.token_endpoint, 'http://127.0.0.1:8123/token');
  assert.equal(as.registration_endpoint, 'http://127.0.0.1:8123/register');
  assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
});

test('no fallback without a Bearer challenge on a 401 (an API-key server), and none to plain http off loopback', () => {
  assert.equal(defaultEndpointsFallback(new URL('https://mcp.example/mcp'), { status: 401 }), undefined);
  assert.equal(defaultEndpointsFallback(new URL('https://mcp.example/mcp'), { ...bearer401, status: 403 }), undefined);
  assert.throws(() => defaultEndpointsFallback(new URL('http://mcp.example/mcp'), bearer401), (error) => isKeyringError(error, 'insecure-endpoint'));
});
