// clients.json: what MCP Keyring knows about each authorization server — its
// metadata (so a refresh needs no discovery) and the clients registered with it.
// Every registration is kept by client id, because tokens stay bound to the
// client they were issued to even after a newer registration (another redirect
// port, say) becomes the one new sign-ins use. Client secrets, where an AS hands
// one out, go to the keychain, not here.
//
// Only the metadata fields MCP Keyring (and oauth4webapi on its behalf) uses are
// kept, each within a size bound: the file is re-read on every refresh, and an
// authorization server must not be able to grow it (or what is parsed from it)
// at will. Files written before this are read as they are and trimmed the same
// way; the next write stores the trimmed form.
import type * as oauth from 'oauth4webapi';
import * as z from 'zod';
import { KeyringError } from '../errors';
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-write';
import { withFileLock } from '../fs/file-lock';
import { keyringPaths, type KeyringPaths } from '../paths';

/** RFC 8414 / OIDC metadata fields used when signing in, refreshing, registering and revoking. */
const KEPT_STRINGS = ['issuer', 'authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'jwks_uri'] as const;
const KEPT_LISTS = [
  'scopes_supported',
  'response_types_supported',
  'grant_types_supported',
  'token_endpoint_auth_methods_supported',
  'code_challenge_methods_supported',
  'id_token_signing_alg_values_supported',
] as const;
const KEPT_FLAGS = ['authorization_response_iss_parameter_supported', 'client_id_metadata_document_supported'] as const;
const MAX_URL_LENGTH = 2048;
const MAX_LIST_ITEMS = 100;
const MAX_ITEM_LENGTH = 256;
/** Longest client id stored; real ones are a UUID or a URL (Client ID Metadata Documents). */
export const MAX_CLIENT_ID_LENGTH = 2048;

/** The metadata as stored: the fields above, within their bounds; anything else, or out of bounds, is left out. */
export function trimMetadata(metadata: Record<string, unknown>): oauth.AuthorizationServer {
  const out: Record<string, unknown> = {};
  for (const key of KEPT_STRINGS) {
    const value = metadata[key];
    if (typeof value === 'string' && value.length <= MAX_URL_LENGTH) out[key] = value;
  }
  for (const key of KEPT_LISTS) {
    const value = metadata[key];
    if (Array.isArray(value)) {
      out[key] = value.filter((item): item is string => typeof item === 'string' && item.length <= MAX_ITEM_LENGTH).slice(0, MAX_LIST_ITEMS);
    }
  }
  for (const key of KEPT_FLAGS) {
    if (typeof metadata[key] === 'boolean') out[key] = metadata[key];
  }
  return out as oauth.AuthorizationServer;
}

const RegistrationSchema = z.object({
  clientId: z.string(),
  method: z.enum(['dynamic', 'metadata-document']),
  redirectUris: z.array(z.string()),
  tokenEndpointAuthMethod: z.string(),
  hasSecret: z.boolean(),
  registeredAt: z.string(),
});
export type Registration = z.infer<typeof RegistrationSchema>;

const EntrySchema = z.object({
  metadata: z.record(z.string(), z.unknown()),
  fetchedAt: z.string(),
  /** Every client registered here, by client id. */
  registrations: z.record(z.string(), RegistrationSchema).default({}),
  /** The client id new sign-ins use. */
  current: z.string().optional(),
});
export type AuthorizationServerEntry = {
  metadata: oauth.AuthorizationServer;
  fetchedAt: string;
  registrations: Record<string, Registration>;
  current?: string;
};

const FileSchema = z.object({ version: z.literal(1), authorizationServers: z.record(z.string(), EntrySchema) });
type ClientsFile = z.infer<typeof FileSchema>;

export class ClientStore {
  constructor(readonly paths: KeyringPaths = keyringPaths()) {}

  async get(issuer: string): Promise<AuthorizationServerEntry | undefined> {
    return (await this.read()).authorizationServers[issuer] as AuthorizationServerEntry | undefined;
  }

  async saveMetadata(metadata: oauth.AuthorizationServer): Promise<void> {
    const trimmed = trimMetadata(metadata as unknown as Record<string, unknown>);
    if (trimmed.issuer !== metadata.issuer) {
      throw new KeyringError('bad-metadata', `The authorization server's issuer is longer than ${MAX_URL_LENGTH} characters; refusing its metadata.`);
    }
    await this.update((file) => {
      const previous = file.authorizationServers[metadata.issuer];
      file.authorizationServers[metadata.issuer] = { registrations: {}, ...previous, metadata: trimmed, fetchedAt: new Date().toISOString() };
    });
  }

  /** Adds a registration and (unless makeCurrent is false) makes it the one new sign-ins use. */
  async saveRegistration(issuer: string, registration: Registration, options: { makeCurrent?: boolean } = {}): Promise<void> {
    if (registration.clientId.length > MAX_CLIENT_ID_LENGTH || registration.redirectUris.some((uri) => uri.length > MAX_URL_LENGTH) || registration.tokenEndpointAuthMethod.length > MAX_ITEM_LENGTH) {
      throw new KeyringError('registration-failed', `${issuer} registered a client whose id or settings are implausibly long (over ${MAX_CLIENT_ID_LENGTH} characters); refusing it.`);
    }
    await this.update((file) => {
      const entry = file.authorizationServers[issuer];
      if (!entry) return;
      entry.registrations[registration.clientId] = registration;
      if (options.makeCurrent !== false) entry.current = registration.clientId;
    });
  }

  /** Forgets one registration (the AS no longer knows it). */
  async removeRegistration(issuer: string, clientId: string): Promise<void> {
    await this.update((file) => {
      const entry = file.authorizationServers[issuer];
      if (!entry) return;
      delete entry.registrations[clientId];
      if (entry.current === clientId) delete entry.current;
    });
  }

  private async read(): Promise<ClientsFile> {
    const text = await readFileIfExists(this.paths.clientsFile);
    if (text === undefined) return { version: 1, authorizationServers: {} };
    try {
      const file = FileSchema.parse(JSON.parse(text));
      // Files from before trimming may hold whatever a server sent.
      for (const entry of Object.values(file.authorizationServers)) entry.metadata = trimMetadata(entry.metadata) as unknown as Record<string, unknown>;
      return file;
    } catch {
      // A cache: a damaged file is rebuilt by the next sign-in.
      return { version: 1, authorizationServers: {} };
    }
  }

  private async update(change: (file: ClientsFile) => void): Promise<void> {
    await withFileLock(this.paths.clientsFile, async () => {
      const file = await this.read();
      change(file);
      await writeFileAtomic(this.paths.clientsFile, `${JSON.stringify(file, null, 2)}\n`);
    });
  }
}
