// The per-install secret of the local HTTP bridge: 32 random bytes (base64url),
// made on first use and kept in the keychain like every other secret. Clients
// send it as `Authorization: Bearer <secret>`; the client config writers put it
// in the entries they write, so they read it through here too.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { withFileLock } from '../../fs/file-lock';
import type { KeyringPaths } from '../../paths';
import { secretNames } from '../../vault/secrets';
import type { Vault } from '../../vault/vault';

export function newHttpBridgeSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The stored secret, created and stored first if there is none. Creation runs
 * under a file lock and re-reads after taking it, so two processes starting at
 * once (the app and `mcp-keyring serve`, a config writer) agree on one secret.
 */
export async function getOrCreateHttpBridgeSecret(vault: Vault, paths: Pick<KeyringPaths, 'lockDir'>): Promise<string> {
  const name = secretNames.httpBridgeSecret();
  const existing = await vault.get(name);
  if (existing) return existing;
  return withFileLock(path.join(paths.lockDir, 'http-bridge-secret'), async () => {
    const stored = await vault.get(name);
    if (stored) return stored;
    const secret = newHttpBridgeSecret();
    await vault.set(name, secret);
    return secret;
  });
}
