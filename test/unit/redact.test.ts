import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from '../../main/core/redact';

test('bearer values, JWTs, token parameters and known secrets are removed', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl';
  const line = `Authorization: Bearer abc.def-123 token ${jwt} refresh_token=r3fr3sh&x=1 {"access_token":"s3cr3t"} key SUPERSECRETKEY`;
  const out = redact(line, ['SUPERSECRETKEY']);
  for (const secret of ['abc.def-123', jwt, 'r3fr3sh', 's3cr3t', 'SUPERSECRETKEY']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.match(out, /Bearer \[redacted\]/);
  assert.match(out, /x=1/);
});
