// `mcp-keyring search <words>`: servers with a remote endpoint in the MCP registry,
// how each signs in, and the command that adds it.
import { parseArgs } from 'node:util';
import type { RegistryHit } from '../../shared/registry-search';
import { KeyringError } from '../core/errors';
import type { NodeFetch } from '../core/http/node-fetch';
import { searchRegistry } from '../core/registry-search/registry-search';
import { shQuote } from '../app/command-line';

const SIGN_IN: Record<RegistryHit['signIn'], string> = {
  oauth: 'OAuth sign-in',
  'api-key': 'API key',
  none: 'no sign-in needed',
  unknown: 'refuses without credentials, names no sign-in server',
  unreachable: 'did not answer',
};

function addCommand(hit: RegistryHit): string {
  const name = (hit.title || hit.name.split('/').pop() || hit.name).slice(0, 60);
  const base = `mcp-keyring add ${shQuote(hit.url)} --name ${shQuote(name)}`;
  if (hit.signIn === 'api-key' && hit.keyFields?.[0]) return `${base} --header ${shQuote(hit.keyFields[0].header)}   # key on standard input`;
  if (hit.signIn === 'none') return `${base} --no-auth`;
  // `add` prints the new id on standard output: connect straight after it.
  return hit.signIn === 'oauth' ? `mcp-keyring connect "$(${base})"` : base;
}

export function formatHits(hits: RegistryHit[]): string {
  return hits
    .map((hit, i) => {
      const lines = [`${i + 1}. ${hit.title ? `${hit.title} (${hit.name})` : hit.name}${hit.version ? ` ${hit.version}` : ''} — ${SIGN_IN[hit.signIn]}`];
      if (hit.description) lines.push(`   ${hit.description}`);
      lines.push(`   ${hit.url}${hit.transport === 'sse' ? ' (SSE)' : ''}`);
      for (const field of hit.keyFields ?? []) lines.push(`   key: ${field.header} — ${field.label}`);
      lines.push(`   ${addCommand(hit)}`);
      return lines.join('\n');
    })
    .join('\n');
}

/** mcp-keyring search <words> [--registry URL] [--cursor C] [--json] */
export async function searchCommand(args: string[], fetch: NodeFetch): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { registry: { type: 'string' }, cursor: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } } });
  const words = positionals.join(' ');
  if (!words.trim()) throw new KeyringError('invalid-input', 'search needs words to look for: mcp-keyring search <words>');
  const limit = values.limit ? Number(values.limit) : undefined;
  const result = await searchRegistry(words, { fetch, ...(values.registry ? { baseUrl: values.registry } : {}), ...(values.cursor ? { cursor: values.cursor } : {}), ...(limit && Number.isInteger(limit) ? { limit } : {}) });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  process.stdout.write(result.servers.length ? `${formatHits(result.servers)}\n` : `No remote servers matching "${words}" in ${result.registry}.\n`);
  if (result.nextCursor) process.stderr.write(`More: mcp-keyring search ${shQuote(words)} --cursor ${shQuote(result.nextCursor)}\n`);
}
