// Hostile input to the browserless commands: a runaway pipe where a PEM key or an
// ID token belongs ends quickly with a clear error and bounded memory, nothing is
// stored; an ID token whose claims carry terminal escapes is shown without them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { assertBounded, assertNoLeak, canary, runMeasured, startMeasured } from './harness';

const ISSUER = 'https://idp.hostile.example';
let profile: KeyringEnv;

before(async () => {
  profile = await createKeyringEnv('hostile-browserless');
  const added = await runMeasured(['idp', 'add', ISSUER, '--client-id', 'keyring', '--id', 'corp'], { env: profile.env, timeoutMs: 30_000 });
  assert.equal(added.code, 0, added.stderr);
});
after(async () => {
  await profile?.cleanup();
});

/** Like runMeasured, for input the CLI stops reading early (its closed stdin is expected, not an error here). */
function flooded(args: string[], input: string) {
  const run = startMeasured(args, { env: profile.env, input, timeoutMs: 30_000 });
  run.child.stdin?.on('error', () => undefined);
  return run.done;
}

const unsignedJwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

test('64 MB on stdin instead of an ID token or a PEM key: a clear error, bounded memory, nothing stored', async () => {
  const flood = `${canary('flood')}${'A'.repeat(64 * 1024 * 1024)}`;
  const token = await flooded(['idp', 'import-id-token', 'corp'], flood);
  assertBounded(token, { maxRssMb: 150, maxMs: 20_000 });
  assert.equal(token.code, 1);
  assert.match(token.stderr, /The ID token on standard input is larger than 16 KiB/);
  const key = await flooded(['add', 'https://mcp.hostile.example/mcp', '--client-credentials', '--client-id', 'x', '--private-key', '--id', 'flooded'], flood);
  assertBounded(key, { maxRssMb: 150, maxMs: 20_000 });
  assert.equal(key.code, 1);
  assert.match(key.stderr, /The PEM private key on standard input is larger than 16 KiB/);
  assert.deepEqual((await profile.secrets()).map((s) => s.account), []);
  const status = await runMeasured(['status', '--json'], { env: profile.env, timeoutMs: 30_000 });
  assert.deepEqual(JSON.parse(status.stdout), []);
});

test('an ID token whose claims carry terminal escapes: stored, shown without them, never printed itself', async () => {
  const idToken = unsignedJwt({ iss: ISSUER, aud: 'keyring', sub: 'mallory\u001b]0;pwned\u0007', email: '\u001b[2J\u001b[31mroot@example.com\u202e', exp: Math.floor(Date.now() / 1000) + 600 });
  const imported = await runMeasured(['idp', 'import-id-token', 'corp'], { env: profile.env, input: idToken, timeoutMs: 30_000 });
  assertBounded(imported, { maxRssMb: 150 });
  assert.equal(imported.code, 0, imported.stderr);
  const status = await runMeasured(['idp', 'status'], { env: profile.env, timeoutMs: 30_000 });
  assert.equal(status.code, 0, status.stderr);
  for (const output of [imported.stderr, status.stdout, status.stderr]) {
    assert.doesNotMatch(output, /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/, 'no control or bidi characters reach the terminal');
  }
  assert.match(status.stdout, /signed-in as \[2J\[31mroot@example\.com/);
  await assertNoLeak([idToken.split('.')[1]!], { dirs: [profile.home], outputs: [imported.stdout, imported.stderr, status.stdout, status.stderr] });
  // Another issuer's token is refused with what was wrong, and its text is shown clean.
  const foreign = await runMeasured(['idp', 'import-id-token', 'corp'], { env: profile.env, input: unsignedJwt({ iss: 'https://evil.example/\u001b[31m', aud: 'keyring', exp: 9999999999 }), timeoutMs: 30_000 });
  assert.equal(foreign.code, 1);
  assert.match(foreign.stderr, /issued by https:\/\/evil\.example\/\[31m, not by https:\/\/idp\.hostile\.example/);
});
