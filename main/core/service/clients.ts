// The "Use in…" part of the window contract: which MCP clients exist here, and
// putting our bridge entry into one of them (via the core's config writers).
import type { ClientId, ClientTargetInfo, InstallResult } from '../../../shared/ipc-contract';
import { listClients, readClientEntry, writeClientEntry } from '../clients/config-writer';
import type { BridgeLaunch } from '../clients/launch';
import { CLIENT_IDS, CLIENT_TARGETS } from '../clients/targets';
import { KeyringError } from '../errors';

/** Where client config files are looked up (tests point this at a temp directory). */
export interface ClientEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
}

/** The name of our entry in a client's config: one per server. */
export function clientEntryName(serverId: string): string {
  return `mcp-keyring-${serverId}`;
}

export function checkClientId(value: unknown): ClientId {
  if (typeof value !== 'string' || !(CLIENT_IDS as readonly string[]).includes(value)) {
    throw new KeyringError('invalid-input', `Unknown MCP client "${String(value)}"; known clients: ${CLIENT_IDS.join(', ')}.`);
  }
  return value as ClientId;
}

export async function listClientTargets(where: ClientEnvironment, serverId?: string): Promise<ClientTargetInfo[]> {
  const clients = await listClients(where.platform, where.env, where.homedir);
  return Promise.all(
    clients.map(async (client): Promise<ClientTargetInfo> => {
      const info: ClientTargetInfo = { id: client.id, label: client.label, path: client.path, exists: client.exists, supports: [...CLIENT_TARGETS[client.id].supports] };
      if (serverId !== undefined) {
        // A file we cannot read counts as "not installed"; installing then reports why.
        const entry = client.exists
          ? await readClientEntry({ client: client.id, name: clientEntryName(serverId), ...where }).catch(() => undefined)
          : undefined;
        info.installed = entry !== undefined;
      }
      return info;
    }),
  );
}

export async function installClient(where: ClientEnvironment, client: ClientId, serverId: string, launch: BridgeLaunch): Promise<InstallResult> {
  const id = checkClientId(client);
  const result = await writeClientEntry({ client: id, name: clientEntryName(serverId), launch, ...where });
  return {
    client: id,
    path: result.path,
    backupPath: result.backupPath,
    created: result.created,
    changed: result.changed,
    snippet: result.snippet,
    restartHint: result.restartHint,
  };
}
