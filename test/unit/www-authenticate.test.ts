import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBearerChallenge, parseWwwAuthenticate } from '../../main/core/discovery/www-authenticate';

test('reads resource_metadata, scope and error from a Bearer challenge', () => {
  const challenge = parseBearerChallenge(
    'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools files:read", error="insufficient_scope"',
  );
  assert.deepEqual(challenge, {
    resourceMetadata: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
    scope: ['mcp:tools', 'files:read'],
    error: 'insufficient_scope',
  });
});

test('finds the Bearer challenge among several, with token params and escapes', () => {
  const header = 'Basic realm="x, y", Bearer realm="a \\"b\\"", error=invalid_token, error_description="expired, sorry"';
  const all = parseWwwAuthenticate(header);
  assert.deepEqual(all.map((c) => c.scheme), ['basic', 'bearer']);
  assert.equal(all[1]!.params.realm, 'a "b"');
  assert.deepEqual(parseBearerChallenge(header), { error: 'invalid_token', errorDescription: 'expired, sorry' });
});

test('a bare scheme, a token68 and garbage do not throw', () => {
  assert.deepEqual(parseBearerChallenge('Bearer'), {});
  assert.deepEqual(parseWwwAuthenticate('Negotiate abc123==, Bearer scope="a"').map((c) => c.scheme), ['negotiate', 'bearer']);
  assert.equal(parseBearerChallenge('Basic realm="x"'), undefined);
  assert.equal(parseBearerChallenge(null), undefined);
  assert.doesNotThrow(() => parseWwwAuthenticate('"""=,,,=Bearer'));
});
