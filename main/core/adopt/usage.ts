// Where each MCP Keyring server is used: the client config entries that point at
// it (our stdio bridge, HTTP bridge or headers helper, under any entry name), and
// taking those entries out when the server goes.
import type { ServerUsage } from '../../../shared/ipc-contract';
import { removeClientEntry } from '../clients/config-writer';
import { CLIENT_TARGETS } from '../clients/targets';
import { errorMessage } from '../errors';
import { recordHistory } from '../history/history';
import type { KeyringPaths } from '../paths';
import { keyringServerOf, readAllClientEntries, type ClientEnvironment } from './entries';

/** Server id → the entries that use it. Unreadable config files count as using nothing. */
export async function serverUsage(where: ClientEnvironment): Promise<Record<string, ServerUsage[]>> {
  const usage: Record<string, ServerUsage[]> = {};
  for (const file of await readAllClientEntries(where)) {
    for (const entry of file.entries) {
      const id = keyringServerOf(entry.value);
      if (!id) continue;
      (usage[id] ??= []).push({ client: entry.client, label: CLIENT_TARGETS[entry.client].label, path: entry.path, name: entry.name });
    }
  }
  return usage;
}

export interface RemovedEntries {
  removed: ServerUsage[];
  /** Entries that could not be removed, and why (their files are left as they were). */
  failed: Array<ServerUsage & { message: string }>;
}

/** Removes every client entry that points at the server (each file edited in place, backed up). */
export async function removeServerEntries(where: ClientEnvironment, paths: Pick<KeyringPaths, 'home'>, serverId: string, actor: string): Promise<RemovedEntries> {
  const entries = (await serverUsage(where))[serverId] ?? [];
  const result: RemovedEntries = { removed: [], failed: [] };
  for (const entry of entries) {
    try {
      const done = await removeClientEntry({ client: entry.client, name: entry.name, configPath: entry.path });
      if (done.changed) {
        result.removed.push(entry);
        recordHistory(paths, serverId, { kind: 'config-removed', by: actor, client: entry.label, path: entry.path });
      }
    } catch (error) {
      result.failed.push({ ...entry, message: errorMessage(error) });
    }
  }
  return result;
}
