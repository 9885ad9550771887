import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBearerChallenge, parseWwwAuthenticate } from '../../../../main/core/discovery/www-authenticate';

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

test('challenge text is safe to show: escape sequences stripped, description capped, non-scope tokens dropped', () => {
  const header = `Bearer error="invalid_token\u001b[2J", error_description="\u001b]0;x\u0007Fake \u202eConnected ${'y'.repeat(5000)}", scope="mcp:tools \u001b[31mred \u0085x mcp:admin"`;
  const challenge = parseBearerChallenge(header)!;
  assert.equal(challenge.error, 'invalid_token');
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/.test(challenge.errorDescription!));
  assert.ok(challenge.errorDescription!.startsWith('Fake Connected y'));
  assert.ok(challenge.errorDescription!.length <= 300);
  assert.deepEqual(challenge.scope, ['mcp:tools', 'mcp:admin']);
});
