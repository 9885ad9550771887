// Names of the secrets MCP Keyring keeps, one keychain entry (or shard set) each.
import { createHash } from 'node:crypto';
import type { Vault } from './vault';

export const secretNames = {
  accessToken: (serverId: string) => `server/${serverId}/access-token`,
  refreshToken: (serverId: string) => `server/${serverId}/refresh-token`,
  apiKey: (serverId: string) => `server/${serverId}/api-key`,
  /** The secret of a client the user registered themselves (per server, like its client id). */
  userClientSecret: (serverId: string) => `server/${serverId}/client-secret`,
  /** The secret of a client MCP Keyring registered itself, per authorization server and client id. */
  clientSecret: (issuer: string, clientId: string) => `client/${createHash('sha256').update(`${issuer}\n${clientId}`).digest('hex').slice(0, 16)}/secret`,
  httpBridgeSecret: () => 'local/http-bridge-secret',
} as const;

/** Removes every secret that belongs to one server. */
export async function deleteServerSecrets(vault: Vault, serverId: string): Promise<void> {
  await vault.delete(secretNames.accessToken(serverId));
  await vault.delete(secretNames.refreshToken(serverId));
  await vault.delete(secretNames.apiKey(serverId));
  await vault.delete(secretNames.userClientSecret(serverId));
}
