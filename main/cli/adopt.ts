// `mcp-keyring adopt` and `mcp-keyring log`: taking over MCP setups that already
// exist in the clients' configs, and one server's history.
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AdoptionCandidate, AdoptResult, FoundEntry } from '../../shared/adopt';
import { HISTORY_EVENT_LABELS, type HistoryEvent } from '../../shared/history';
import type { ClientId } from '../../shared/ipc-contract';
import type { ServerConfig } from '../../shared/server-config';
import { adoptedForm, adoptServer, type AdoptContext } from '../core/adopt/apply';
import type { ClientEnvironment } from '../core/adopt/entries';
import { scanForAdoption } from '../core/adopt/scan';
import { bridgeLaunch, headersHelperLaunch } from '../core/clients/launch';
import { KeyringError } from '../core/errors';
import { cleanText, readHistory } from '../core/history/history';
import type { Keyring } from '../core/keyring';
import { shellCommandLine } from '../app/command-line';
import { formatDuration } from './format';

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Terminal-safe: server- or file-supplied text never carries control characters. */
const t = (text: string) => cleanText(text, 500);

/** The profile a bridge started by a client must use: the same as this CLI's. */
function profileEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  if (process.env.MCP_KEYRING_HOME) env.MCP_KEYRING_HOME = path.resolve(process.env.MCP_KEYRING_HOME);
  if (process.env.MCP_KEYRING_SERVICE) env.MCP_KEYRING_SERVICE = process.env.MCP_KEYRING_SERVICE;
  if (process.env.MCP_KEYRING_KEYTAR) env.MCP_KEYRING_KEYTAR = process.env.MCP_KEYRING_KEYTAR;
  return env;
}

/** Entries that start this install's bridge (next to this CLI bundle) with this process's runtime. */
export function cliAdoptContext(keyring: Keyring, where: ClientEnvironment): AdoptContext {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const packaged = process.env.ELECTRON_RUN_AS_NODE === '1';
  return {
    keyring,
    where,
    async launch(client: ClientId, server: ServerConfig, entry: FoundEntry) {
      const form = adoptedForm(client, true, entry);
      if (form === 'headers-helper') {
        const env = { ...(packaged ? { ELECTRON_RUN_AS_NODE: '1' } : {}), ...profileEnv() };
        const command = shellCommandLine({ command: process.execPath, args: [path.join(here, 'cli.mjs'), 'headers', server.id], ...(Object.keys(env).length ? { env } : {}) }, where.platform);
        return { launch: headersHelperLaunch(server.url, command), form };
      }
      const env = profileEnv();
      return {
        launch: bridgeLaunch({ serverId: server.id, mode: packaged ? 'packaged' : 'development', execPath: process.execPath, bridgeScript: path.join(here, 'bridge.cjs'), ...(Object.keys(env).length ? { env } : {}) }),
        form,
      };
    },
  };
}

export function clientEnvironment(): ClientEnvironment {
  return { platform: process.platform, env: process.env, homedir: process.env.HOME || process.env.USERPROFILE || os.homedir() };
}

function describeAuth(candidate: AdoptionCandidate): string {
  switch (candidate.authKind) {
    case 'oauth': {
      const cached = candidate.cachedTokens;
      if (!cached) return 'OAuth (sign in once after adopting: mcp-remote has no tokens cached)';
      const expiry = cached.expiresAt === null ? '' : cached.expiresAt > Date.now() ? `, valid for ${formatDuration(cached.expiresAt - Date.now())}` : ', expired';
      return `OAuth, mcp-remote's tokens imported (no new sign-in${expiry}${cached.refreshable ? ', renewable' : ''})`;
    }
    case 'header':
      return `API key in ${candidate.headerName}, moved into the keychain`;
    case 'none':
      return 'no credentials';
    default:
      return 'found out when adopting (the server is asked)';
  }
}

export function formatCandidate(candidate: AdoptionCandidate, index: number): string {
  const lines = [`${index + 1}. ${t(candidate.name)} — ${t(candidate.url)}${candidate.existingServerId ? ` (already in MCP Keyring as ${candidate.existingServerId})` : ''}`];
  lines.push(`   sign-in: ${describeAuth(candidate)}`);
  for (const entry of candidate.entries) {
    const flags = entry.flags.length ? ` ${entry.flags.map(t).join(' ')}` : '';
    const headers = entry.headerNames.length ? ` headers: ${entry.headerNames.map(t).join(', ')}` : '';
    lines.push(`   ${entry.clientLabel} "${t(entry.name)}" (${entry.kind}${flags}${headers}) in ${t(entry.path)}`);
  }
  for (const copy of candidate.plaintext) lines.push(`   plaintext secret: ${t(copy)}`);
  for (const note of candidate.notes) lines.push(`   note: ${t(note)}`);
  for (const problem of candidate.problems) lines.push(`   cannot adopt: ${t(problem)}`);
  return lines.join('\n');
}

function formatResult(result: AdoptResult): string {
  const lines = [`Adopted ${t(result.name)} as "${result.serverId}".`];
  const credentials = {
    tokens: "mcp-remote's tokens are in the keychain now; no new sign-in needed.",
    'sign-in': `Sign in once: mcp-keyring connect ${result.serverId}`,
    key: 'Its key is in the keychain now.',
    none: 'It needs no credentials.',
    existing: 'It was already in MCP Keyring; only the client entries changed.',
  }[result.credentials];
  lines.push(`  ${credentials}`);
  for (const r of result.rewritten) lines.push(`  ${t(r.path)}: "${t(r.name)}" now uses MCP Keyring (${r.form})${r.backupPath ? `; backup ${t(r.backupPath)}` : ''}`);
  for (const file of result.deleted) lines.push(`  deleted ${t(file)}`);
  for (const file of result.scrubbed) lines.push(`  removed the secret from the backup ${t(file)}`);
  for (const warning of result.warnings) lines.push(`  warning: ${t(warning)}`);
  return lines.join('\n');
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** mcp-keyring adopt [<name or url>...] [--dry-run] [--yes] [--keep-plaintext] [--json] */
export async function adoptCommand(keyring: Keyring, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, 'keep-plaintext': { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const where = clientEnvironment();
  const { scan } = await scanForAdoption(where, await keyring.registry.list());
  const chosen = positionals.length
    ? scan.candidates.filter((c) => positionals.some((p) => c.url === p || c.key === p || c.name === p || c.entries.some((e) => e.name === p)))
    : scan.candidates;
  if (positionals.length && !chosen.length) throw new KeyringError('invalid-input', `No client config has a server matching ${positionals.map((p) => `"${p}"`).join(', ')}; run \`mcp-keyring adopt --dry-run\` to list them.`);
  const adoptable = chosen.filter((c) => !c.problems.length);

  if (values['dry-run'] || (!values.yes && !process.stdin.isTTY)) {
    if (values.json) process.stdout.write(`${JSON.stringify({ candidates: chosen, skipped: scan.skipped }, null, 2)}\n`);
    else {
      for (const skipped of scan.skipped) say(`Left alone: ${t(skipped.message)}`);
      say(chosen.length ? chosen.map(formatCandidate).join('\n') : 'No remote MCP servers found in the clients\' configs.');
      if (adoptable.length && !values['dry-run']) say('\nNothing was changed. Run `mcp-keyring adopt --yes` to adopt them.');
      else if (adoptable.length) say('\nDry run: nothing was changed.');
    }
    return;
  }
  if (!values.json) {
    for (const skipped of scan.skipped) say(`Left alone: ${t(skipped.message)}`);
    if (chosen.length) say(chosen.map(formatCandidate).join('\n'));
  }
  if (!adoptable.length) {
    if (!values.json) say(chosen.length ? 'Nothing can be adopted as it is (see above).' : "No remote MCP servers found in the clients' configs.");
    else process.stdout.write(`${JSON.stringify({ adopted: [], failed: [] }, null, 2)}\n`);
    return;
  }
  if (!values.yes && !(await confirm(`Adopt ${adoptable.length} server${adoptable.length > 1 ? 's' : ''}?`))) {
    say('Nothing was changed.');
    return;
  }
  const deletePlaintext = !values['keep-plaintext'] && (values.yes || (await confirm('Delete the plaintext copies of their secrets (mcp-remote\'s token cache, keys in config backups)?')));
  const context = cliAdoptContext(keyring, where);
  const adopted: AdoptResult[] = [];
  const failed: Array<{ url: string; message: string }> = [];
  for (const candidate of adoptable) {
    try {
      const result = await adoptServer(context, { key: candidate.key, deletePlaintext });
      adopted.push(result);
      if (!values.json) say(formatResult(result));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failed.push({ url: candidate.url, message });
      if (!values.json) say(`Could not adopt ${t(candidate.url)}: ${t(message)}`);
    }
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ adopted, failed }, null, 2)}\n`);
  if (failed.length) process.exitCode = 1;
}

export function formatHistory(events: HistoryEvent[]): string {
  if (!events.length) return 'No history yet.';
  return events
    .map((event) => {
      const parts = [new Date(event.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'), HISTORY_EVENT_LABELS[event.kind] ?? t(event.kind)];
      if (event.scopes?.length) parts.push(`scopes: ${event.scopes.map(t).join(' ')}`);
      if (event.client) parts.push(t(event.client));
      if (event.path) parts.push(t(event.path));
      if (event.message) parts.push(`— ${t(event.message)}`);
      parts.push(`(${t(event.by)})`);
      return parts.join('  ');
    })
    .join('\n');
}

/** mcp-keyring log <id> [--json] */
export async function logCommand(keyring: Keyring, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, limit: { type: 'string' } } });
  const id = positionals[0];
  if (!id) throw new KeyringError('invalid-input', 'log needs a server id: mcp-keyring log <id>');
  await keyring.registry.get(id); // the unknown-server error
  const limit = values.limit ? Number(values.limit) : 500;
  const events = readHistory(keyring.registry.paths, id, Number.isInteger(limit) && limit > 0 ? limit : 500);
  process.stdout.write(values.json ? `${JSON.stringify(events, null, 2)}\n` : `${formatHistory(events)}\n`);
}
