// The "Use in…" part of the window contract: which MCP clients exist here, and
// putting our entry into one of them (via the core's config writers), in one of
// three forms: the stdio bridge, the app's local HTTP bridge, or (Claude Code
// only) a headers helper that runs our CLI.
import type { ClientId, ClientTargetInfo, ClientTransport, InstallResult } from '../../../shared/ipc-contract';
import type { ServerConfig } from '../../../shared/server-config';
import { listClients, readClientEntry, writeClientEntry } from '../clients/config-writer';
import { headersHelperLaunch, httpLaunch, type BridgeLaunch } from '../clients/launch';
import { CLIENT_IDS, CLIENT_TARGETS } from '../clients/targets';
import { KeyringError } from '../errors';

export const CLIENT_TRANSPORTS: readonly ClientTransport[] = ['stdio', 'http', 'headers-helper'];

/** The words the window shows for each form (kept here too, for error messages). */
const TRANSPORT_NAMES: Record<ClientTransport, string> = {
  stdio: 'the stdio bridge',
  http: 'the local HTTP bridge',
  'headers-helper': 'a headers helper',
};

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

/** The form to write; undefined (not given) means stdio. */
export function checkTransport(value: unknown): ClientTransport {
  if (value === undefined || value === null) return 'stdio';
  if (typeof value !== 'string' || !(CLIENT_TRANSPORTS as readonly string[]).includes(value)) {
    throw new KeyringError('invalid-input', `Unknown entry form "${String(value)}"; known forms: ${CLIENT_TRANSPORTS.join(', ')}.`);
  }
  return value as ClientTransport;
}

/** Which form an entry we wrote has, judged by its keys (any client's dialect). */
export function entryForm(entry: unknown): ClientTransport | undefined {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const keys = entry as Record<string, unknown>;
  if (typeof keys.headersHelper === 'string') return 'headers-helper';
  if (typeof keys.command === 'string') return 'stdio';
  if (typeof keys.url === 'string' || typeof keys.serverUrl === 'string') return 'http';
  return undefined;
}

/** What the host offers for building entries (see KeyringPlatform). */
export interface LaunchSources {
  /** The stdio bridge's launch for one server. */
  bridgeLaunch(serverId: string): BridgeLaunch;
  /** The running app's local HTTP bridge, if any. */
  httpBridge?: () => Promise<{ url(id: string): string; secret: string } | undefined>;
  /** A shell command line that runs our CLI with these arguments. */
  cliCommand?: (args: string[]) => string;
}

function clientLabel(client: ClientId): string {
  return CLIENT_TARGETS[client].label;
}

/** Refuses a form the client cannot hold, saying which forms it can. */
export function checkSupported(client: ClientId, transport: ClientTransport): void {
  const supports = CLIENT_TARGETS[client].supports;
  if (supports.includes(transport)) return;
  const label = clientLabel(client);
  const alternatives = supports.map((kind) => TRANSPORT_NAMES[kind]).join(' or ');
  const why =
    transport === 'http'
      ? `${label} cannot connect to a URL from its config file; it only starts local commands`
      : transport === 'headers-helper'
        ? `${label} has no headers-helper setting (only Claude Code has)`
        : `${label} cannot start a local command`;
  throw new KeyringError('invalid-input', `${why}. Use ${alternatives} for ${label}.`);
}

/**
 * The launch for one form. Throws KeyringError('invalid-input') when the client
 * does not take that form or the host cannot provide it (no HTTP bridge running).
 */
export async function clientLaunch(client: ClientId, transport: ClientTransport, server: ServerConfig, sources: LaunchSources): Promise<BridgeLaunch> {
  checkSupported(client, transport);
  switch (transport) {
    case 'stdio':
      return sources.bridgeLaunch(server.id);
    case 'http': {
      const bridge = await sources.httpBridge?.();
      if (!bridge) {
        throw new KeyringError(
          'invalid-input',
          `MCP Keyring's local HTTP bridge is not running (its port may be taken by another program; the app's log says why), so there is no URL to give ${clientLabel(client)}. Use the stdio bridge instead, or free the port and restart MCP Keyring.`,
        );
      }
      // The secret goes into the entry (and the snippet the window shows); never into a log.
      return httpLaunch(bridge.url(server.id), { name: 'Authorization', value: `Bearer ${bridge.secret}` });
    }
    case 'headers-helper': {
      if (!sources.cliCommand) {
        throw new KeyringError('invalid-input', `This MCP Keyring cannot name its command-line tool, so it cannot write a headers helper for ${clientLabel(client)}; use the stdio bridge instead.`);
      }
      return headersHelperLaunch(server.url, sources.cliCommand(['headers', server.id]));
    }
  }
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
        const form = entry === undefined ? undefined : entryForm(entry);
        if (form) info.installedAs = form;
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
