// Searching an MCP registry (the official one, or any sub-registry serving the
// same API) for remote servers to add. The response shape is the registry's
// published OpenAPI document (docs/reference/api/openapi.yaml): GET /v0/servers
// ?search=&cursor=&limit=&version=latest → { servers: ServerResponse[],
// metadata: { nextCursor, count } }, each ServerResponse { server: ServerDetail,
// _meta }, ServerDetail.remotes[] = { type: 'streamable-http' | 'sse', url,
// headers?: KeyValueInput[] } (name, description, isSecret, isRequired…).
//
// How each server signs in: an API key when a remote declares secret headers;
// otherwise the server is probed like `connect` does: a 401 naming resource
// metadata means OAuth; an answer without credentials means none.
// Everything the registry sends is untrusted: sizes capped, text stripped of
// control characters and capped, only https (or loopback http) URLs kept.
import * as z from 'zod';
import type { RegistryHit, RegistrySearchResult } from '../../../shared/registry-search';
import { probeServer } from '../discovery/discover';
import { KeyringError } from '../errors';
import { cleanText } from '../history/history';
import type { NodeFetch } from '../http/node-fetch';
import { request, transportRefusal, unreachable } from '../http/outbound';
import { canonicalServerUrl, requireSecureUrl } from '../url-policy';

export const DEFAULT_REGISTRY_URL = 'https://registry.modelcontextprotocol.io';
const PROBE_CONCURRENCY = 4;

const KeyValueInput = z.object({ name: z.string(), description: z.string().optional(), isSecret: z.boolean().optional(), isRequired: z.boolean().optional() }).passthrough();
const Remote = z.object({ type: z.string(), url: z.string(), headers: z.array(KeyValueInput).optional() }).passthrough();
const ServerDetail = z
  .object({ name: z.string(), title: z.string().optional(), description: z.string().optional(), version: z.string().optional(), remotes: z.array(Remote).optional() })
  .passthrough();
const ServerList = z.object({
  servers: z.array(z.object({ server: ServerDetail }).passthrough()),
  metadata: z.object({ nextCursor: z.string().nullish(), count: z.number().optional() }).passthrough().optional(),
});

/** The registry's base URL: the option, else MCP_KEYRING_REGISTRY_URL, else the official registry. */
export function registryBaseUrl(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = option || env.MCP_KEYRING_REGISTRY_URL || DEFAULT_REGISTRY_URL;
  const url = requireSecureUrl(value, 'registry URL');
  return url.href.replace(/\/+$/, '');
}

type Remote = z.infer<typeof Remote>;

function usableRemote(remote: Remote): { url: string; transport: 'streamable-http' | 'sse' } | undefined {
  if (remote.type !== 'streamable-http' && remote.type !== 'sse') return undefined;
  if (/[{}]/.test(remote.url)) return undefined; // a URL template needs values we cannot know
  try {
    return { url: canonicalServerUrl(remote.url), transport: remote.type };
  } catch {
    return undefined;
  }
}

async function signInOf(url: string, remote: Remote, fetch: NodeFetch): Promise<Pick<RegistryHit, 'signIn' | 'keyFields'>> {
  const secrets = (remote.headers ?? []).filter((header) => header.isSecret);
  if (secrets.length) {
    return {
      signIn: 'api-key',
      keyFields: secrets.map((header) => ({ header: cleanText(header.name, 100), label: cleanText(header.description || header.name, 200) })),
    };
  }
  try {
    const probe = await probeServer(url, fetch);
    if (probe.status === 401 && probe.challenge?.resourceMetadata) return { signIn: 'oauth' };
    if (probe.status >= 200 && probe.status < 300) return { signIn: 'none' };
    if (probe.status === 401) return { signIn: 'unknown' };
    return { signIn: 'unknown' };
  } catch {
    return { signIn: 'unreachable' };
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await fn(items[index]!);
      }
    }),
  );
  return out;
}

export interface RegistrySearchOptions {
  /** The fetch for the registry and the probes (the composition root's). */
  fetch: NodeFetch;
  baseUrl?: string;
  cursor?: string;
  limit?: number;
  /** Probe each server for how it signs in (default true). */
  probe?: boolean;
}

/** One page of servers matching `words` that MCP Keyring can add (they have a remote endpoint). */
export async function searchRegistry(words: string, options: RegistrySearchOptions): Promise<RegistrySearchResult> {
  const base = registryBaseUrl(options.baseUrl);
  const url = new URL(`${base}/v0/servers`);
  if (words.trim()) url.searchParams.set('search', words.trim().slice(0, 200));
  url.searchParams.set('version', 'latest');
  url.searchParams.set('limit', String(Math.min(Math.max(options.limit ?? 30, 1), 100)));
  if (options.cursor) url.searchParams.set('cursor', options.cursor.slice(0, 2000));
  const response = await request(options.fetch, url, { headers: { accept: 'application/json' } });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new KeyringError('server-unreachable', `The registry at ${base} answered HTTP ${response.status} to a search.`);
  }
  let parsed: z.infer<typeof ServerList>;
  try {
    // The core's fetch caps the body (1 MiB, as for every OAuth and discovery answer).
    const result = ServerList.safeParse(JSON.parse(await response.text()));
    if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'unexpected shape');
    parsed = result.data;
  } catch (error) {
    if (error instanceof KeyringError) throw error;
    if (transportRefusal(error)) throw unreachable(url, error);
    throw new KeyringError('bad-metadata', `The registry at ${base} sent an answer that is not a server list (${cleanText((error as Error).message, 120)}).`);
  }
  const candidates: Array<{ detail: z.infer<typeof ServerDetail>; remote: Remote; url: string; transport: 'streamable-http' | 'sse' }> = [];
  for (const { server } of parsed.servers) {
    // One entry per server: its first usable remote, preferring Streamable HTTP.
    const remotes = (server.remotes ?? []).map((remote) => ({ remote, usable: usableRemote(remote) })).filter((r) => r.usable);
    const chosen = remotes.find((r) => r.usable!.transport === 'streamable-http') ?? remotes[0];
    if (chosen) candidates.push({ detail: server, remote: chosen.remote, url: chosen.usable!.url, transport: chosen.usable!.transport });
  }
  const hits = await mapLimited(candidates, PROBE_CONCURRENCY, async (c): Promise<RegistryHit> => {
    const signIn = options.probe === false ? { signIn: c.remote.headers?.some((h) => h.isSecret) ? ('api-key' as const) : ('unknown' as const) } : await signInOf(c.url, c.remote, options.fetch);
    return {
      name: cleanText(c.detail.name, 200),
      ...(c.detail.title ? { title: cleanText(c.detail.title, 100) } : {}),
      description: cleanText(c.detail.description ?? '', 300),
      version: cleanText(c.detail.version ?? '', 60),
      url: c.url,
      transport: c.transport,
      ...signIn,
      ...(signIn.signIn === 'api-key' && !('keyFields' in signIn) ? { keyFields: (c.remote.headers ?? []).filter((h) => h.isSecret).map((h) => ({ header: cleanText(h.name, 100), label: cleanText(h.description || h.name, 200) })) } : {}),
    };
  });
  const nextCursor = parsed.metadata?.nextCursor;
  return { registry: base, servers: hits, ...(nextCursor ? { nextCursor: nextCursor.slice(0, 2000) } : {}) };
}
