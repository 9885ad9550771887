// Finds the remote MCP servers the user already set up in their clients and
// works out, per server, how MCP Keyring would take it over: the sign-in settings
// (from mcp-remote's flags or the entry's headers), the secret to move into the
// keychain, mcp-remote's cached tokens to import. Reads only; changes nothing.
// The plan it returns to front ends holds no secret; `secrets` stays in the core.
import fs from 'node:fs/promises';
import os from 'node:os';
import type { AdoptionCandidate, AdoptionScan, FoundEntry } from '../../../shared/adopt';
import type { ServerAuth, ServerConfig } from '../../../shared/server-config';
import { CLIENT_TARGETS } from '../clients/targets';
import { errorMessage } from '../errors';
import { canonicalServerUrl } from '../url-policy';
import { keyringServerOf, readAllClientEntries, type ClientEntry, type ClientEnvironment } from './entries';
import { expandPlaceholders, mcpRemoteCacheDir, mcpRemoteHash, mcpRemoteIndex, parseMcpRemoteArgs, readMcpRemoteCache, type McpRemoteArgs, type McpRemoteCache } from './mcp-remote';

/** One entry, understood. */
export interface ScannedEntry {
  found: FoundEntry;
  url: string;
  /** Header values with placeholders expanded (secret). */
  headers: Record<string, string>;
  mcpRemote?: McpRemoteArgs;
  /** mcp-remote's static client, parsed (may hold a client secret). */
  staticClient?: { client_id?: string; client_secret?: string };
  staticMetadata?: { scope?: string };
  cache?: McpRemoteCache;
  problems: string[];
  notes: string[];
}

/** A candidate with what only the core may see. */
export interface ScannedServer {
  candidate: AdoptionCandidate;
  entries: ScannedEntry[];
  auth?: ServerAuth;
  /** The API key to move into the keychain (header auth). */
  secret?: string;
  clientSecret?: string;
  /** mcp-remote caches to import from (the one with tokens first). */
  caches: McpRemoteCache[];
  /** Every secret value found, for scrubbing backups. */
  secrets: string[];
}

const SECRET_FLAGS = new Set(['--static-oauth-client-info']);
const UNSUPPORTED_FLAGS: Record<string, string> = {
  '--device-code': 'signs in with the device grant',
  '--client-credentials': 'signs in with the client_credentials grant',
  '--use-id-token': 'sends the ID token instead of the access token',
  '--token-endpoint': 'names its own token endpoint',
};

function parseJsonArg(value: string, env: Record<string, string | undefined>): Record<string, unknown> | undefined {
  if (value.startsWith('@')) return undefined; // a file: read by readJsonFileArg
  try {
    const parsed = JSON.parse(value.includes('${') ? expandPlaceholders(value, env) : value) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readJsonFileArg(value: string, env: Record<string, string | undefined>): Promise<Record<string, unknown> | undefined> {
  if (!value.startsWith('@')) return parseJsonArg(value, env);
  try {
    const file = value.slice(1);
    if ((await fs.stat(file)).size > 1024 * 1024) return undefined;
    return parseJsonArg(await fs.readFile(file, 'utf8'), env);
  } catch {
    return undefined;
  }
}

function entryEnv(value: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  if (value.env && typeof value.env === 'object' && !Array.isArray(value.env)) {
    for (const [key, item] of Object.entries(value.env as Record<string, unknown>)) if (typeof item === 'string') env[key] = item;
  }
  return env;
}

function headerRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) if (typeof item === 'string') out[key] = item;
  }
  return out;
}

function canonical(url: string, problems: string[]): string {
  try {
    return canonicalServerUrl(url);
  } catch (error) {
    problems.push(errorMessage(error));
    return url;
  }
}

async function understand(entry: ClientEntry, processEnv: NodeJS.ProcessEnv, homedir: string): Promise<ScannedEntry | undefined> {
  if (keyringServerOf(entry.value) !== undefined) return undefined; // already ours
  const label = CLIENT_TARGETS[entry.client].label;
  const problems: string[] = [];
  const notes: string[] = [];
  const value = entry.value;
  const base = { client: entry.client, clientLabel: label, path: entry.path, name: entry.name };
  if (typeof value.command === 'string') {
    const commandLine = [value.command, ...(Array.isArray(value.args) ? value.args.filter((a): a is string => typeof a === 'string') : [])];
    const at = mcpRemoteIndex(commandLine);
    if (at < 0) return undefined; // a local server: not ours to adopt
    const args = parseMcpRemoteArgs(commandLine.slice(at + 1));
    if (!args) return undefined;
    const env = entryEnv(value);
    const lookup = { ...processEnv, ...env };
    const headers: Record<string, string> = {};
    for (const [name, raw] of Object.entries(args.rawHeaders)) headers[name] = expandPlaceholders(raw, lookup);
    for (const flag of args.flags) {
      const why = UNSUPPORTED_FLAGS[flag.name];
      if (why) problems.push(`${label}'s "${entry.name}" ${why} (${flag.name}), which MCP Keyring does not do.`);
    }
    if (args.headerFile) problems.push(`${label}'s "${entry.name}" reads headers from ${args.headerFile} (--header-file); add its key with \`mcp-keyring add --header\` instead.`);
    const url = canonical(args.serverUrl, problems);
    if (args.resource && args.resource !== url && args.resource !== args.serverUrl) {
      problems.push(`${label}'s "${entry.name}" asks for the resource ${args.resource}, not the server's own URL; MCP Keyring always uses the server URL.`);
    }
    const transport = args.flags.find((flag) => flag.name === '--transport')?.value;
    if (transport) notes.push(`--transport ${transport}: the bridge tries Streamable HTTP and falls back to SSE by itself.`);
    const staticInfo = args.flags.find((flag) => flag.name === '--static-oauth-client-info')?.value;
    const staticMeta = args.flags.find((flag) => flag.name === '--static-oauth-client-metadata')?.value;
    const staticClient = staticInfo ? await readJsonFileArg(staticInfo, lookup) : undefined;
    if (staticInfo && !staticClient) problems.push(`${label}'s "${entry.name}" has --static-oauth-client-info that could not be read as JSON.`);
    const staticMetadata = staticMeta ? await readJsonFileArg(staticMeta, lookup) : undefined;
    if (staticMeta && !staticMetadata) problems.push(`${label}'s "${entry.name}" has --static-oauth-client-metadata that could not be read as JSON.`);
    const cache = await readMcpRemoteCache(mcpRemoteCacheDir(lookup, homedir), mcpRemoteHash(args));
    return {
      found: {
        ...base,
        kind: 'mcp-remote',
        ...(transport === 'sse-only' ? { sse: true } : {}),
        flags: args.flags.map((flag) => (flag.value === undefined ? flag.name : SECRET_FLAGS.has(flag.name) ? `${flag.name} …` : `${flag.name} ${flag.value}`)),
        headerNames: Object.keys(headers),
      },
      url,
      headers,
      mcpRemote: args,
      ...(staticClient ? { staticClient: staticClient as ScannedEntry['staticClient'] } : {}),
      ...(staticMetadata ? { staticMetadata: staticMetadata as ScannedEntry['staticMetadata'] } : {}),
      ...(cache ? { cache } : {}),
      problems,
      notes,
    };
  }
  const rawUrl = typeof value.url === 'string' ? value.url : typeof value.serverUrl === 'string' ? value.serverUrl : undefined;
  if (!rawUrl) return undefined;
  const url = canonical(rawUrl, problems);
  const headers = headerRecord(value.headers);
  if (typeof value.headersHelper === 'string') notes.push(`"${entry.name}" in ${label} runs its own headers helper; adopting replaces it with MCP Keyring's.`);
  for (const [name, header] of Object.entries(headers)) {
    if (/\$\{(input|env):/.test(header) || /\$\{[^}]+}/.test(header)) {
      problems.push(`${label}'s "${entry.name}" takes its ${name} header from a placeholder (${/\$\{[^}]+}/.exec(header)![0]}); add the key with \`mcp-keyring add --header ${name}\` yourself.`);
    }
  }
  const sse = value.type === 'sse' || value.transport === 'sse';
  return { found: { ...base, kind: 'url', flags: [], headerNames: Object.keys(headers), ...(sse ? { sse: true } : {}) }, url, headers, problems, notes };
}

function splitScheme(value: string): { scheme?: string; key: string } {
  const match = /^(Bearer|Token|Basic)\s+(\S.*)$/i.exec(value.trim());
  return match ? { scheme: match[1]!, key: match[2]! } : { key: value.trim() };
}

function plan(url: string, entries: ScannedEntry[], existing: ServerConfig | undefined, now: number): ScannedServer {
  const problems = [...new Set(entries.flatMap((entry) => entry.problems))];
  const notes = [...new Set(entries.flatMap((entry) => entry.notes))];
  const plaintext: string[] = [];
  const secrets = new Set<string>();
  const withHeaders = entries.filter((entry) => Object.keys(entry.headers).length > 0);
  const candidate: AdoptionCandidate = {
    key: url,
    url,
    name: entries[0]!.found.name,
    authKind: 'probe',
    entries: entries.map((entry) => entry.found),
    plaintext,
    problems,
    notes,
  };
  if (existing) candidate.existingServerId = existing.id;
  const scanned: ScannedServer = { candidate, entries, caches: [], secrets: [] };

  if (withHeaders.length) {
    const first = withHeaders[0]!;
    const names = Object.keys(first.headers);
    if (names.length > 1) {
      problems.push(`"${first.found.name}" in ${first.found.clientLabel} sends ${names.length} headers (${names.join(', ')}); MCP Keyring keeps one key per server.`);
    }
    const headerName = names[0]!;
    const value = first.headers[headerName]!;
    for (const other of withHeaders.slice(1)) {
      if (other.headers[headerName] !== value) problems.push(`The entries for ${url} send different ${headerName} values; adopt them one at a time.`);
    }
    if (entries.some((entry) => Object.keys(entry.headers).length === 0)) notes.push('Some entries send no key; all of them will use the key from the others.');
    if (!value.trim() || /\$\{[^}]+}/.test(value)) {
      if (!problems.some((p) => p.includes(headerName))) problems.push(`The ${headerName} header of "${first.found.name}" is empty or an unset placeholder; there is no key to move.`);
    } else {
      const { scheme, key } = headerName.toLowerCase() === 'authorization' ? splitScheme(value) : { key: value.trim() };
      scanned.auth = { kind: 'header', headerName, ...(scheme ? { scheme } : {}) };
      scanned.secret = key;
      secrets.add(key);
      secrets.add(value);
      candidate.authKind = 'header';
      candidate.headerName = headerName;
      for (const entry of withHeaders) plaintext.push(`${entry.found.headerNames.join(', ')} in ${entry.found.path} ("${entry.found.name}")`);
    }
    // A secret placed in the entry's env (for ${VAR} headers) is a plaintext copy too.
  } else if (entries.some((entry) => entry.mcpRemote)) {
    const remote = entries.find((entry) => entry.mcpRemote)!;
    const args = remote.mcpRemote!;
    const clientId = typeof remote.staticClient?.client_id === 'string' ? remote.staticClient.client_id : undefined;
    const clientSecret = typeof remote.staticClient?.client_secret === 'string' ? remote.staticClient.client_secret : undefined;
    const scope = typeof remote.staticMetadata?.scope === 'string' ? remote.staticMetadata.scope : undefined;
    const audience = args.authorizeParams.audience;
    scanned.auth = {
      kind: 'oauth',
      sendResource: !args.skipResource,
      ...(clientId ? { clientId } : {}),
      ...(args.clientMetadataUrl ? { clientMetadataUrl: args.clientMetadataUrl } : {}),
      ...(scope ? { scopes: scope.split(/\s+/).filter(Boolean) } : {}),
      ...(audience ? { audience } : {}),
      ...(clientId && args.callbackPort && args.callbackPort >= 1024 ? { callbackPort: args.callbackPort } : {}),
    };
    if (clientSecret) {
      scanned.clientSecret = clientSecret;
      secrets.add(clientSecret);
      plaintext.push(`the client secret in --static-oauth-client-info of "${remote.found.name}" (${remote.found.path})`);
    }
    candidate.authKind = 'oauth';
    const caches = entries.map((entry) => entry.cache).filter((cache): cache is McpRemoteCache => Boolean(cache));
    caches.sort((a, b) => Number(Boolean(b.tokens)) - Number(Boolean(a.tokens)));
    scanned.caches = caches;
    for (const cache of caches) {
      for (const file of cache.files) if (/_(tokens|client_info)\.json$/.test(file)) plaintext.push(file);
      if (cache.tokens) {
        secrets.add(cache.tokens.access_token);
        if (cache.tokens.refresh_token) secrets.add(cache.tokens.refresh_token);
      }
      if (cache.clientInfo?.client_secret) secrets.add(cache.clientInfo.client_secret);
      if (cache.unreadable.length) notes.push(`mcp-remote's ${cache.unreadable.join(', ')} could not be read; it is left alone.`);
    }
    const tokens = caches[0]?.tokens;
    if (tokens) {
      candidate.cachedTokens = {
        refreshable: Boolean(tokens.refresh_token),
        expiresAt: typeof tokens.expires_at === 'number' ? tokens.expires_at : null,
        scopes: tokens.scope?.split(/\s+/).filter(Boolean) ?? [],
      };
      if (!tokens.refresh_token && typeof tokens.expires_at === 'number' && tokens.expires_at <= now) {
        notes.push("mcp-remote's cached token has expired and cannot be renewed: sign in once after adopting.");
      }
    }
  } else {
    notes.push('How it signs in is found out when adopting (OAuth, no credentials, or a key you then add).');
  }
  scanned.secrets = [...secrets].filter((s) => s.length >= 8);
  return scanned;
}

/** Scans every client's config. `existing` is what MCP Keyring already has. */
export async function scanForAdoption(where: ClientEnvironment, existing: ServerConfig[], options: { now?: number } = {}): Promise<{ scan: AdoptionScan; servers: ScannedServer[] }> {
  const files = await readAllClientEntries(where);
  const skipped: AdoptionScan['skipped'] = [];
  const byUrl = new Map<string, ScannedEntry[]>();
  const homedir = where.homedir || os.homedir();
  for (const file of files) {
    if (file.problem) {
      skipped.push({ client: file.client, path: file.path, message: file.problem });
      continue;
    }
    for (const entry of file.entries) {
      const scanned = await understand(entry, where.env, homedir);
      if (!scanned) continue;
      const list = byUrl.get(scanned.url) ?? [];
      list.push(scanned);
      byUrl.set(scanned.url, list);
    }
  }
  const now = options.now ?? Date.now();
  const servers = [...byUrl.entries()].map(([url, entries]) => plan(url, entries, existing.find((server) => server.url === url), now));
  return { scan: { candidates: servers.map((server) => server.candidate), skipped }, servers };
}
