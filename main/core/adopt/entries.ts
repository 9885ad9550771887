// Reading the server entries of every MCP client's config file, without changing
// anything: which entries are remote servers (mcp-remote or URL entries), and
// which are MCP Keyring's own (they point at our bridge or headers helper).
import fs from 'node:fs/promises';
import type { ClientId } from '../../../shared/ipc-contract';
import { parseDocument, nodeValue, propertiesNamed } from '../clients/json-edit';
import { CLIENT_IDS, CLIENT_TARGETS } from '../clients/targets';

/** Where client config files are looked up (the same shape as the service's ClientEnvironment). */
export interface ClientEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
}

export interface ClientEntry {
  client: ClientId;
  path: string;
  name: string;
  value: Record<string, unknown>;
}

export interface ClientFileEntries {
  client: ClientId;
  path: string;
  exists: boolean;
  entries: ClientEntry[];
  /** Why the file was left alone (does not parse, wrong shape). */
  problem?: string;
}

const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Every server entry in one client's config file. */
export async function readClientEntries(client: ClientId, where: ClientEnvironment): Promise<ClientFileEntries> {
  const target = CLIENT_TARGETS[client];
  const file = target.configPath(where.platform, where.env, where.homedir);
  let raw: string;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { client, path: file, exists: false, entries: [] };
    if (stat.size > MAX_CONFIG_BYTES) return { client, path: file, exists: true, entries: [], problem: `${file} is larger than 16 MB; left it alone.` };
    raw = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { client, path: file, exists: false, entries: [] };
    return { client, path: file, exists: true, entries: [], problem: `Could not read ${file} (${code ?? 'error'}); left it alone.` };
  }
  const { root, problems } = parseDocument(raw.replace(/^\uFEFF/, ''), target.format);
  const first = problems[0];
  if (first) return { client, path: file, exists: true, entries: [], problem: `${file} is not valid JSON (line ${first.line}, column ${first.column}: ${first.message}); left it alone.` };
  if (!root) return { client, path: file, exists: true, entries: [] };
  if (root.type !== 'object') return { client, path: file, exists: true, entries: [], problem: `${file} does not hold a JSON object; left it alone.` };
  const containers = propertiesNamed(root, target.container);
  const container = containers[0]?.children?.[1];
  if (containers.length > 1 || (container && container.type !== 'object')) {
    return { client, path: file, exists: true, entries: [], problem: `${file} has an unexpected "${target.container}"; left it alone.` };
  }
  const entries: ClientEntry[] = [];
  const names = new Set<string>();
  for (const property of container?.children ?? []) {
    const [key, value] = property.children ?? [];
    if (!key || !value || value.type !== 'object') continue;
    const name = String(key.value);
    if (names.has(name)) continue; // a duplicated name: the writer refuses to touch it, so do we
    names.add(name);
    entries.push({ client, path: file, name, value: nodeValue(value) as Record<string, unknown> });
  }
  return { client, path: file, exists: true, entries };
}

export async function readAllClientEntries(where: ClientEnvironment): Promise<ClientFileEntries[]> {
  return Promise.all(CLIENT_IDS.map((client) => readClientEntries(client, where)));
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The MCP Keyring server an entry points at (our stdio bridge, HTTP bridge or headers helper), if any. */
export function keyringServerOf(entry: Record<string, unknown>): string | undefined {
  const args = strings(entry.args);
  // bridge.cjs since 0.2, bridge.mjs in configs written by 0.1.
  const bridgeAt = args.findIndex((arg) => /(^|[\\/])bridge\.(c|m)js$/.test(arg));
  if (bridgeAt >= 0 && args[bridgeAt + 1]) return args[bridgeAt + 1];
  const cliAt = args.findIndex((arg) => /(^|[\\/])cli\.mjs$/.test(arg));
  if (cliAt >= 0 && args[cliAt + 1] === 'bridge' && args[cliAt + 2]) return args[cliAt + 2];
  if (typeof entry.command === 'string' && /(^|[\\/])mcp-keyring(\.cmd)?$/.test(entry.command) && args[0] === 'bridge' && args[1]) return args[1];
  const binAt = args.findIndex((arg) => /(^|[\\/])mcp-keyring\.cjs$/.test(arg));
  if (binAt >= 0 && args[binAt + 1] === 'bridge' && args[binAt + 2]) return args[binAt + 2];
  const url = typeof entry.url === 'string' ? entry.url : typeof entry.serverUrl === 'string' ? entry.serverUrl : undefined;
  const http = url ? /^http:\/\/127\.0\.0\.1:\d+\/servers\/([a-z0-9][a-z0-9-]*)\/mcp$/.exec(url) : null;
  if (http) return http[1];
  if (typeof entry.headersHelper === 'string') {
    const helper = /(?:cli\.mjs|mcp-keyring)['"]?\s+['"]?headers['"]?\s+['"]?([a-z0-9][a-z0-9-]*)/.exec(entry.headersHelper);
    if (helper) return helper[1];
  }
  return undefined;
}
