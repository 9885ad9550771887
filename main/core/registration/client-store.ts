// clients.json: what MCP Keyring knows about each authorization server — its
// metadata (so a refresh needs no discovery) and the clients registered with it.
// Every registration is kept by client id, because tokens stay bound to the
// client they were issued to even after a newer registration (another redirect
// port, say) becomes the one new sign-ins use. Client secrets, where an AS hands
// one out, go to the keychain, not here.
import type * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-write';
import { withFileLock } from '../fs/file-lock';
import { keyringPaths, type KeyringPaths } from '../paths';

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
    await this.update((file) => {
      const previous = file.authorizationServers[metadata.issuer];
      file.authorizationServers[metadata.issuer] = { registrations: {}, ...previous, metadata: { ...metadata }, fetchedAt: new Date().toISOString() };
    });
  }

  /** Adds a registration and (unless makeCurrent is false) makes it the one new sign-ins use. */
  async saveRegistration(issuer: string, registration: Registration, options: { makeCurrent?: boolean } = {}): Promise<void> {
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
      return FileSchema.parse(JSON.parse(text));
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
