// Adopting one server found by the scan, in an order that never loses anything:
// 1. add it to MCP Keyring with the same options, its key (if any) into the keychain;
// 2. import mcp-remote's cached tokens and client registration (no new sign-in);
// 3. rewrite each client's entry, in place under its own name, to use MCP Keyring
//    (the config writer keeps comments and other entries, backs up 0600);
// 4. only if every entry was rewritten and the user asked: delete mcp-remote's
//    cache files and take the moved secrets out of our config backups.
// A failure in 1–2 undoes the addition; a file that cannot be rewritten is left as
// it was, with a warning, and then no plaintext copy is deleted.
import fs from 'node:fs/promises';
import type * as oauth from 'oauth4webapi';
import type { AdoptRequest, AdoptResult, FoundEntry } from '../../../shared/adopt';
import type { ClientId, ClientTransport } from '../../../shared/ipc-contract';
import type { ServerAuth, ServerConfig } from '../../../shared/server-config';
import { listBackups, writeClientEntry } from '../clients/config-writer';
import type { BridgeLaunch } from '../clients/launch';
import { CLIENT_TARGETS } from '../clients/targets';
import { discover } from '../discovery/discover';
import { KeyringError, errorMessage } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { recordHistory } from '../history/history';
import type { Keyring } from '../keyring';
import { secretNames } from '../vault/secrets';
import type { ClientEnvironment } from './entries';
import type { McpRemoteCache } from './mcp-remote';
import { scanForAdoption, type ScannedServer } from './scan';

export interface AdoptContext {
  keyring: Keyring;
  where: ClientEnvironment;
  /** The entry a client gets for a server, in the form that fits it (see adoptedForm). */
  launch(client: ClientId, server: ServerConfig, entry: FoundEntry): Promise<{ launch: BridgeLaunch; form: ClientTransport }>;
}

/**
 * The form an adopted entry takes: Claude Code connects itself with our headers helper;
 * the others, and any server on the old SSE transport (which the bridge falls back to by
 * itself, but a headers-helper entry would not), start the stdio bridge.
 */
export function adoptedForm(client: ClientId, headersHelperAvailable: boolean, entry?: Pick<FoundEntry, 'sse'>): ClientTransport {
  return client === 'claude-code' && headersHelperAvailable && !entry?.sse ? 'headers-helper' : 'stdio';
}

export const SCRUBBED_MARKER = '[moved to the keychain by MCP Keyring]';

async function decideAuth(scanned: ScannedServer, keyring: Keyring): Promise<ServerAuth> {
  if (scanned.auth) return scanned.auth;
  const preview = await keyring.preview(scanned.candidate.url);
  if (preview.protection === 'oauth') return { kind: 'oauth', sendResource: true };
  if (preview.protection === 'none') return { kind: 'none' };
  throw new KeyringError(
    'invalid-input',
    `${scanned.candidate.url} refuses requests without credentials but names no authorization server, and its entries hold no key: add it with \`mcp-keyring add ${scanned.candidate.url} --header NAME\` (key on standard input).`,
  );
}

/** Imports mcp-remote's tokens; returns a warning instead of failing when they cannot be used. */
async function importTokens(keyring: Keyring, server: ServerConfig, cache: McpRemoteCache): Promise<string | undefined> {
  const tokens = cache.tokens;
  if (!tokens || server.auth.kind !== 'oauth') return undefined;
  const now = keyring.clock();
  if (!tokens.refresh_token && typeof tokens.expires_at === 'number' && tokens.expires_at <= now) {
    return "mcp-remote's token has expired and has no refresh token: sign in once.";
  }
  if (tokens.token_type && tokens.token_type.toLowerCase() !== 'bearer') return `mcp-remote's token is a "${tokens.token_type}" token; sign in once.`;
  const found = await discover(server.url, keyring.fetch);
  const as: oauth.AuthorizationServer | undefined = found.authorizationServer;
  if (!as) return `${server.url} names no authorization server any more; sign in once.`;
  const info = cache.clientInfo;
  if (info?.issuer && info.issuer !== as.issuer) {
    return `mcp-remote signed in at ${info.issuer}, but the server now names ${as.issuer}; sign in once.`;
  }
  const auth = server.auth;
  await keyring.clients.saveMetadata(as);
  let clientId: string;
  if (auth.clientId) {
    clientId = auth.clientId;
  } else if (auth.clientMetadataUrl && (!info || info.client_id === auth.clientMetadataUrl)) {
    clientId = auth.clientMetadataUrl;
  } else if (info) {
    clientId = info.client_id;
    if (info.client_secret) await keyring.vault.set(secretNames.clientSecret(as.issuer, info.client_id), info.client_secret);
    // Kept for refreshing these tokens; new sign-ins still register MCP Keyring's own client.
    await keyring.clients.saveRegistration(
      as.issuer,
      {
        clientId: info.client_id,
        method: 'dynamic',
        redirectUris: info.redirect_uris,
        tokenEndpointAuthMethod: info.token_endpoint_auth_method ?? (info.client_secret ? 'client_secret_basic' : 'none'),
        hasSecret: Boolean(info.client_secret),
        registeredAt: new Date((info.client_id_issued_at ?? now / 1000) * 1000).toISOString(),
      },
      { makeCurrent: false },
    );
  } else {
    return "mcp-remote's client registration is missing, so its tokens cannot be renewed: sign in once.";
  }
  const response = {
    access_token: tokens.access_token,
    token_type: 'bearer',
    ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
    ...(tokens.scope ? { scope: tokens.scope } : {}),
    ...(typeof tokens.expires_at === 'number' ? { expires_in: Math.floor((tokens.expires_at - now) / 1000) } : {}),
  } as unknown as oauth.TokenEndpointResponse;
  await keyring.tokens.save(server, response, { issuer: as.issuer, clientId });
  return undefined;
}

/** Replaces every moved secret in a backup file by a marker; returns whether it changed. */
async function scrubFile(file: string, secrets: string[]): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return false;
  }
  let out = text;
  // Longest first, so a "Bearer <key>" value goes whole before its key alone.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) out = out.split(form).join(SCRUBBED_MARKER);
  }
  if (out === text) return false;
  const mode = (await fs.stat(file)).mode & 0o777;
  await writeFileAtomic(file, out, { mode: mode & 0o600 || 0o600 });
  return true;
}

export async function adoptServer(context: AdoptContext, request: AdoptRequest): Promise<AdoptResult> {
  const { keyring } = context;
  if (!request || typeof request.key !== 'string' || !request.key) throw new KeyringError('invalid-input', 'Say which server to adopt (its URL).');
  const { servers } = await scanForAdoption(context.where, await keyring.registry.list());
  const scanned = servers.find((server) => server.candidate.key === request.key);
  if (!scanned) throw new KeyringError('invalid-input', `No client config points at ${request.key} (any more); scan again.`);
  const candidate = scanned.candidate;
  if (candidate.problems.length) throw new KeyringError('invalid-input', `${candidate.url} cannot be adopted as it is: ${candidate.problems.join(' ')}`);
  const warnings: string[] = [];

  // 1–2: the server and its credentials.
  let server: ServerConfig;
  let credentials: AdoptResult['credentials'];
  if (candidate.existingServerId) {
    server = await keyring.registry.get(candidate.existingServerId);
    credentials = 'existing';
  } else {
    const auth = await decideAuth(scanned, keyring);
    server = await keyring.add({
      url: candidate.url,
      name: candidate.name,
      auth,
      ...(auth.kind === 'header' && scanned.secret ? { secret: scanned.secret } : {}),
      ...(auth.kind === 'oauth' && auth.clientId && scanned.clientSecret ? { clientSecret: scanned.clientSecret } : {}),
    });
    credentials = auth.kind === 'header' ? 'key' : auth.kind === 'none' ? 'none' : 'sign-in';
    if (auth.kind === 'oauth' && scanned.caches[0]?.tokens) {
      try {
        const warning = await importTokens(keyring, server, scanned.caches[0]);
        if (warning) warnings.push(warning);
        else credentials = 'tokens';
      } catch (error) {
        // Nothing half-done: the server goes again, the plaintext stays where it was.
        await keyring.remove(server.id).catch(() => undefined);
        throw new KeyringError('invalid-input', `Could not import mcp-remote's tokens for ${candidate.url}: ${errorMessage(error)}`, { cause: error });
      }
    }
  }
  recordHistory(keyring.registry.paths, server.id, { kind: 'adopted', by: keyring.actor, client: [...new Set(candidate.entries.map((e) => e.clientLabel))].join(', ') });

  // 3: the client entries, each under its own name.
  const rewritten: AdoptResult['rewritten'] = [];
  let allRewritten = true;
  for (const entry of scanned.entries) {
    try {
      const { launch, form } = await context.launch(entry.found.client, server, entry.found);
      const result = await writeClientEntry({ client: entry.found.client, name: entry.found.name, launch, configPath: entry.found.path });
      // The backup may hold the very secret just moved: only the user may read it.
      if (result.backupPath) await fs.chmod(result.backupPath, 0o600).catch(() => undefined);
      rewritten.push({ client: entry.found.client, path: result.path, name: entry.found.name, backupPath: result.backupPath, form });
      recordHistory(keyring.registry.paths, server.id, { kind: 'config-written', by: keyring.actor, client: CLIENT_TARGETS[entry.found.client].label, path: result.path });
    } catch (error) {
      allRewritten = false;
      warnings.push(`${entry.found.clientLabel} (${entry.found.path}) was left as it was: ${errorMessage(error)}`);
    }
  }

  // 4: the plaintext copies.
  const deleted: string[] = [];
  const scrubbed: string[] = [];
  if (request.deletePlaintext) {
    if (!allRewritten) {
      warnings.push('Not every client entry could be rewritten, so the plaintext copies were kept (those clients still need them).');
    } else {
      for (const cache of scanned.caches) {
        for (const file of cache.files) {
          try {
            await fs.rm(file, { force: true });
            deleted.push(file);
          } catch (error) {
            warnings.push(`Could not delete ${file}: ${errorMessage(error)}`);
          }
        }
      }
      if (scanned.secrets.length) {
        for (const file of new Set(rewritten.map((r) => r.path))) {
          for (const backup of await listBackups(file)) {
            if (await scrubFile(backup, scanned.secrets).catch(() => false)) scrubbed.push(backup);
          }
        }
      }
    }
  }
  return { serverId: server.id, name: server.name, credentials, rewritten, deleted, scrubbed, warnings };
}
