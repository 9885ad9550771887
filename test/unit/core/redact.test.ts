import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from '../../../main/core/redact';

test('bearer values, JWTs, token parameters and known secrets are removed', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl';
  const line = `Authorization: Bearer abc.def-123 token ${jwt} refresh_token=r3fr3sh&x=1 {"access_token":"s3cr3t"} key SUPERSECRETKEY`;
  const out = redact(line, ['SUPERSECRETKEY']);
  for (const secret of ['abc.def-123', jwt, 'r3fr3sh', 's3cr3t', 'SUPERSECRETKEY']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.match(out, /Bearer \[redacted\]/);
  assert.match(out, /x=1/);
});

test('words next to a token-ish word are prose, not secrets', () => {
  for (const prose of [
    'the server only supports the jwt-bearer grant',
    'grant_type urn:ietf:params:oauth:grant-type:jwt-bearer is not allowed',
    'a Bearer token is required; use Basic authentication or Bearer tokens',
    'send the access token as a bearer credential',
    'invalid_client: client authentication failed (client_secret_basic)',
  ]) {
    assert.equal(redact(prose), prose);
  }
});

test('credential values after a scheme are removed wherever they are', () => {
  const cases: Array<[string, string]> = [
    ['Authorization: Bearer grant', 'Authorization: Bearer [redacted]'], // a header value is always a credential
    ['authorization="Basic dXNlcjpwYXNz"', 'authorization="Basic [redacted]"'],
    ['sent Bearer kX9fQ2mPz7', 'sent Bearer [redacted]'],
    ['sent Bearer OpaqueTokenValue', 'sent Bearer [redacted]'],
    ['sent Bearer abcdefghijklmnopqrstuvwxyz', 'sent Bearer [redacted]'],
    ['DPoP eyJ0eXAiOiJKV1QifQ.payloadpart.signature', 'DPoP [redacted]'],
    ['client_assertion=eyJhbGciOiJFUzI1NiJ9.e30.sig&x=1', 'client_assertion=[redacted]&x=1'],
  ];
  for (const [input, expected] of cases) assert.equal(redact(input), expected);
});
