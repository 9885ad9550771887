// The vault against the real OS keychain (gnome-keyring in the test session).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { MAX_SECRET_CHARS, MAX_SHARDS, SHARD_CHARS } from '../../../../main/core/vault/vault';
import { createKeyringEnv } from '../../../helpers/keyring-env';

const env = await createKeyringEnv('vault');
after(() => env.cleanup());

test('stores, reads and deletes a secret', async () => {
  const vault = env.keyring.vault;
  assert.equal(await vault.get('server/a/access-token'), null);
  await vault.set('server/a/access-token', 'short-value');
  assert.equal(await vault.get('server/a/access-token'), 'short-value');
  await vault.delete('server/a/access-token');
  assert.equal(await vault.get('server/a/access-token'), null);
});

test('a value too large for one Windows credential is sharded, each entry under 2,560 bytes', async () => {
  const vault = env.keyring.vault;
  const big = 'x'.repeat(SHARD_CHARS * 3 + 17);
  await vault.set('server/b/access-token', big);
  assert.equal(await vault.get('server/b/access-token'), big);
  const entries = (await env.secrets()).filter((e) => e.account.startsWith('server/b/access-token'));
  assert.equal(entries.length, 4);
  for (const entry of entries) assert.ok(Buffer.byteLength(entry.password, 'utf16le') <= 2560, `${entry.account} is too large`);
  // Shrinking removes the extra shards.
  await vault.set('server/b/access-token', 'small');
  assert.equal(await vault.get('server/b/access-token'), 'small');
  assert.equal((await env.secrets()).filter((e) => e.account.startsWith('server/b/access-token')).length, 1);
  assert.deepEqual(await vault.list(), ['server/b/access-token']);
  await vault.delete('server/b/access-token');
  assert.equal((await env.secrets()).length, 0);
});

test('a torn read (shard rewritten underneath) is detected, not returned', async () => {
  const vault = env.keyring.vault;
  await vault.set('server/c/access-token', 'a'.repeat(SHARD_CHARS * 2));
  const { keychainCall } = await import('../../../../main/core/vault/keychain');
  await keychainCall((k) => k.setPassword(env.service, 'server/c/access-token#1', 'b'.repeat(SHARD_CHARS)));
  assert.equal(await vault.get('server/c/access-token'), null);
});

test('every value is framed: one that looks like a frame or a v1 header is stored and read back as it is', async () => {
  const vault = env.keyring.vault;
  for (const value of ['mkv1:99999999:deadbeef:x', 'mkv2:99999999:deadbeef:x', 'mkv2:1:00000000:x', '', 'mkv2:2:00000000:' + 'y'.repeat(SHARD_CHARS)]) {
    await vault.set('server/d/access-token', value);
    assert.equal(await vault.get('server/d/access-token'), value);
  }
  const entries = (await env.secrets()).filter((e) => e.account.startsWith('server/d/access-token'));
  assert.equal(entries.length, 2, 'the last value needed two shards and nothing more');
  await vault.delete('server/d/access-token');
});

test('values written by the previous format (bare, or mkv1 shards) stay readable; a hostile shard count is not followed', async () => {
  const { keychainCall } = await import('../../../../main/core/vault/keychain');
  const raw = (account: string, password: string) => keychainCall((k) => k.setPassword(env.service, account, password));
  const vault = env.keyring.vault;
  // v1 stored short values bare, whatever they looked like.
  await raw('server/e/access-token', 'mkv1:99999999:deadbeef:bare');
  assert.equal(await vault.get('server/e/access-token'), 'mkv1:99999999:deadbeef:bare');
  // v1 shards: header + full first shard, then the rest.
  const { createHash } = await import('node:crypto');
  const long = 'L'.repeat(SHARD_CHARS) + 'tail';
  const sum = createHash('sha256').update(long).digest('hex').slice(0, 8);
  await raw('server/e/refresh-token', `mkv1:2:${sum}:${long.slice(0, SHARD_CHARS)}`);
  await raw('server/e/refresh-token#1', 'tail');
  assert.equal(await vault.get('server/e/refresh-token'), long);
  // A long entry claiming 99,999,999 shards is nothing we wrote: absent, read at once.
  await raw('server/e/api-key', `mkv1:99999999:${sum}:${'z'.repeat(SHARD_CHARS)}`);
  const started = Date.now();
  assert.equal(await vault.get('server/e/api-key'), null);
  assert.ok(Date.now() - started < 2_000);
  for (const name of ['server/e/access-token', 'server/e/refresh-token', 'server/e/api-key']) await vault.delete(name);
});

test(`a secret over ${MAX_SECRET_CHARS} characters is refused before anything is written`, async () => {
  const vault = env.keyring.vault;
  await vault.set('server/f/access-token', 'old');
  await assert.rejects(vault.set('server/f/access-token', 'x'.repeat(MAX_SECRET_CHARS + 1)), (error: Error) => {
    assert.match(error.message, /is 32,769 characters long; MCP Keyring stores at most 32,768 \(32 KiB\) per secret/);
    return true;
  });
  assert.equal(await vault.get('server/f/access-token'), 'old');
  assert.equal((await env.secrets()).filter((e) => e.account.startsWith('server/f/')).length, 1);
  // The largest allowed value fits in MAX_SHARDS entries, each under the Windows limit.
  await vault.set('server/f/access-token', 'm'.repeat(MAX_SECRET_CHARS));
  const entries = (await env.secrets()).filter((e) => e.account.startsWith('server/f/'));
  assert.equal(entries.length, MAX_SHARDS);
  for (const entry of entries) assert.ok(Buffer.byteLength(entry.password, 'utf16le') <= 2560);
  assert.equal((await vault.get('server/f/access-token'))?.length, MAX_SECRET_CHARS);
  await vault.delete('server/f/access-token');
});
