// What an `mcp-remote` entry in a client's config means, read the way mcp-remote
// 0.15.1 reads it (src/lib/utils.ts parseCommandLineArgs, src/lib/mcp-auth-config.ts):
// its flags, the server URL, and where its OAuth cache is — files named
// `<md5 hash>_<name>` in $MCP_REMOTE_CONFIG_DIR/mcp-remote-v1 (default ~/.mcp-auth),
// the hash taken over the URL, --resource, --authorize-param, the raw --header
// values, --client-metadata-url and --token-endpoint.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';

/** Flags that take a value (mcp-remote 0.15.1). */
const VALUE_FLAGS = new Set([
  '--transport',
  '--protocol',
  '--host',
  '--callback-path',
  '--auth-success-url',
  '--static-oauth-client-metadata',
  '--static-oauth-client-info',
  '--client-metadata-url',
  '--token-endpoint',
  '--resource',
  '--authorize-param',
  '--ignore-tool',
  '--auth-timeout',
  '--connect-timeout',
  '--body-timeout',
  '--headers-timeout',
  '--ping-interval',
]);

export interface McpRemoteArgs {
  serverUrl: string;
  /** The callback port given as the second positional argument. */
  callbackPort?: number;
  /** Headers as written (placeholders like ${AUTH} not yet expanded). */
  rawHeaders: Record<string, string>;
  /** Every flag, with its value where it takes one (secrets included: never show these). */
  flags: Array<{ name: string; value?: string }>;
  resource?: string;
  skipResource: boolean;
  authorizeParams: Record<string, string>;
  clientMetadataUrl?: string;
  tokenEndpoint?: string;
  headerFile?: string;
}

/** Index of the mcp-remote program in a command line, or -1. */
export function mcpRemoteIndex(commandLine: string[]): number {
  return commandLine.findIndex((part) => {
    const base = part.replace(/\\/g, '/');
    return /(^|\/)mcp-remote(@[\w.^~<>=*-]+)?$/.test(base) || /(^|\/)mcp-remote\/dist\/proxy\.js$/.test(base);
  });
}

/** Parses mcp-remote's arguments (everything after the program). Undefined when there is no URL. */
export function parseMcpRemoteArgs(input: string[]): McpRemoteArgs | undefined {
  const args = [...input];
  const rawHeaders: Record<string, string> = {};
  let headerFile: string | undefined;
  for (let i = 0; i < args.length; ) {
    if (args[i] === '--header' && i < args.length - 1) {
      const match = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(args[i + 1]!);
      if (match) rawHeaders[match[1]!] = match[2]!;
      args.splice(i, 2);
      continue;
    }
    if (args[i] === '--header-file' && i < args.length - 1) {
      headerFile = args[i + 1];
      args.splice(i, 2);
      continue;
    }
    i++;
  }
  const serverUrl = args[0];
  if (!serverUrl || serverUrl.startsWith('--')) return undefined;
  const port = args[1] && /^\d+$/.test(args[1]) ? Number(args[1]) : undefined;
  const flags: McpRemoteArgs['flags'] = [];
  for (let i = 1; i < args.length; i++) {
    const name = args[i]!;
    if (!name.startsWith('--')) continue;
    if (VALUE_FLAGS.has(name) && i < args.length - 1) {
      flags.push({ name, value: args[i + 1]! });
      i++;
    } else {
      flags.push({ name });
    }
  }
  const first = (name: string) => flags.find((flag) => flag.name === name)?.value;
  const authorizeParams: Record<string, string> = {};
  for (const flag of flags) {
    if (flag.name !== '--authorize-param' || !flag.value) continue;
    const at = flag.value.indexOf('=');
    if (at > 0) authorizeParams[flag.value.slice(0, at).trim()] = flag.value.slice(at + 1);
  }
  const resourceValue = first('--resource')?.trim();
  const skipResource = flags.some((flag) => flag.name === '--disable-resource-parameter') || resourceValue === '';
  const clientMetadataUrl = first('--client-metadata-url')?.trim();
  return {
    serverUrl,
    ...(port ? { callbackPort: port } : {}),
    rawHeaders,
    flags,
    ...(resourceValue && !skipResource ? { resource: resourceValue } : {}),
    skipResource,
    authorizeParams,
    ...(clientMetadataUrl ? { clientMetadataUrl } : {}),
    ...(first('--token-endpoint') ? { tokenEndpoint: first('--token-endpoint')!.trim() } : {}),
    ...(headerFile ? { headerFile } : {}),
  };
}

/** mcp-remote's getServerUrlHash, byte for byte. */
export function mcpRemoteHash(args: McpRemoteArgs): string {
  const parts = [args.serverUrl];
  if (args.resource) parts.push(args.resource);
  if (Object.keys(args.authorizeParams).length > 0) parts.push(JSON.stringify(args.authorizeParams, Object.keys(args.authorizeParams).sort()));
  if (Object.keys(args.rawHeaders).length > 0) parts.push(JSON.stringify(args.rawHeaders, Object.keys(args.rawHeaders).sort()));
  if (args.clientMetadataUrl) parts.push(args.clientMetadataUrl);
  if (args.tokenEndpoint) parts.push(args.tokenEndpoint);
  return createHash('md5').update(parts.join('|')).digest('hex');
}

/** ${VAR} placeholders as mcp-remote expands them: from the entry's env, then ours; unknown ones stay. */
export function expandPlaceholders(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{([^}]+)}/g, (match, name: string) => (Object.hasOwn(env, name) && env[name] !== undefined ? env[name]! : match));
}

/** The directory mcp-remote keeps its cache in for an entry with this environment. */
export function mcpRemoteCacheDir(entryEnv: Record<string, string | undefined>, homedir = os.homedir()): string {
  const base = entryEnv.MCP_REMOTE_CONFIG_DIR || path.join(homedir, '.mcp-auth');
  return path.join(base, 'mcp-remote-v1');
}

const TokensSchema = z
  .object({
    access_token: z.string().min(1),
    token_type: z.string().optional(),
    refresh_token: z.string().min(1).optional(),
    scope: z.string().optional(),
    expires_in: z.number().optional(),
    expires_at: z.coerce.number().optional(),
  })
  .passthrough();
export type McpRemoteTokens = z.infer<typeof TokensSchema>;

const ClientInfoSchema = z
  .object({
    client_id: z.string().min(1),
    client_secret: z.string().min(1).optional(),
    redirect_uris: z.array(z.string()).default([]),
    token_endpoint_auth_method: z.string().optional(),
    issuer: z.string().optional(),
    client_id_issued_at: z.number().optional(),
  })
  .passthrough();
export type McpRemoteClientInfo = z.infer<typeof ClientInfoSchema>;

export interface McpRemoteCache {
  dir: string;
  hash: string;
  /** Every file of this cache (tokens, client, code verifiers, discovery state, lease). */
  files: string[];
  tokens?: McpRemoteTokens;
  clientInfo?: McpRemoteClientInfo;
  /** Files that exist but could not be read as mcp-remote's format. */
  unreadable: string[];
}

async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<{ value?: T; unreadable?: boolean }> {
  let text: string;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile() || stat.size > 1024 * 1024) return { unreadable: true };
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? {} : { unreadable: true };
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? { value: parsed.data } : { unreadable: true };
  } catch {
    return { unreadable: true };
  }
}

/** Reads mcp-remote's cache for one hash; undefined when it holds nothing for it. */
export async function readMcpRemoteCache(dir: string, hash: string): Promise<McpRemoteCache | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return undefined;
  }
  const files = names.filter((name) => name.startsWith(`${hash}_`)).map((name) => path.join(dir, name));
  if (!files.length) return undefined;
  const unreadable: string[] = [];
  const tokens = await readJson(path.join(dir, `${hash}_tokens.json`), TokensSchema);
  if (tokens.unreadable) unreadable.push(path.join(dir, `${hash}_tokens.json`));
  const clientInfo = await readJson(path.join(dir, `${hash}_client_info.json`), ClientInfoSchema);
  if (clientInfo.unreadable) unreadable.push(path.join(dir, `${hash}_client_info.json`));
  return {
    dir,
    hash,
    files,
    ...(tokens.value ? { tokens: tokens.value } : {}),
    ...(clientInfo.value ? { clientInfo: clientInfo.value } : {}),
    unreadable,
  };
}
