// A private MCP Keyring profile for one test: its own data directory and its own
// keychain service, both removed afterwards. The keychain itself is real.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keyring } from '../../main/core/keyring';
import { keychainCall } from '../../main/core/vault/keychain';
import { parseFirstEntry } from '../../main/core/vault/vault';

export interface KeyringEnv {
  home: string;
  service: string;
  /** Environment for child processes (CLI, bridges) that must use this profile. */
  env: NodeJS.ProcessEnv;
  keyring: Keyring;
  /**
   * Every secret stored under this profile's service, for leak scans and checks of
   * what is stored: a whole value as the vault reads it (without its framing), the
   * head and further shards of a sharded one as they are in the keychain.
   */
  secrets(): Promise<Array<{ account: string; password: string }>>;
  cleanup(): Promise<void>;
}

export async function createKeyringEnv(label = 'test'): Promise<KeyringEnv> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), `mcp-keyring-${label}-`));
  const service = `mcp-keyring-test-${label}-${randomBytes(4).toString('hex')}`;
  const env = { ...process.env, MCP_KEYRING_HOME: home, MCP_KEYRING_SERVICE: service };
  return {
    home,
    service,
    env,
    keyring: new Keyring({ home, service }),
    secrets: async () =>
      (await keychainCall((k) => k.findCredentials(service))).map(({ account, password }) => {
        const first = account.includes('#') ? null : parseFirstEntry(password);
        return { account, password: first && 'value' in first ? first.value : password };
      }),
    async cleanup() {
      const all = await keychainCall((k) => k.findCredentials(service)).catch(() => []);
      for (const { account } of all) await keychainCall((k) => k.deletePassword(service, account)).catch(() => undefined);
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'); // fileURLToPath: a drive letter and spaces on Windows
export const cliPath = path.join(repoRoot, 'dist', 'cli.mjs');
export const bridgePath = path.join(repoRoot, 'dist', 'bridge.cjs');
