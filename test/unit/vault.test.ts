// The vault against the real OS keychain (gnome-keyring in the test session).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SHARD_CHARS } from '../../main/core/vault/vault';
import { createKeyringEnv } from '../helpers/keyring-env';

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
  const { keychainCall } = await import('../../main/core/vault/keychain');
  await keychainCall((k) => k.setPassword(env.service, 'server/c/access-token#1', 'b'.repeat(SHARD_CHARS)));
  assert.equal(await vault.get('server/c/access-token'), null);
});
