// clients.json: what MCP Keyring knows about each authorization server — its
// metadata (so a refresh needs no discovery) and the client registered with it.
// Client secrets, where an AS hands one out, go to the keychain, not here.
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
  registration: RegistrationSchema.optional(),
});
export type AuthorizationServerEntry = { metadata: oauth.AuthorizationServer; fetchedAt: string; registration?: Registration };

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
      file.authorizationServers[metadata.issuer] = { ...previous, metadata: { ...metadata }, fetchedAt: new Date().toISOString() };
    });
  }

  async saveRegistration(issuer: string, registration: Registration | undefined): Promise<void> {
    await this.update((file) => {
      const entry = file.authorizationServers[issuer];
      if (!entry) return;
      if (registration) entry.registration = registration;
      else delete entry.registration;
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
