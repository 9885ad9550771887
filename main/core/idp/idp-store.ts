// identity-providers.json: the company identity providers the user added, and the
// public state of each one's sign-in (no secrets: the ID token, refresh token and
// client secret are in the keychain).
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { IdentityProviderConfigSchema, SERVER_ID_PATTERN, type IdentityProviderConfig } from '../../../shared/server-config';
import { KeyringError } from '../errors';
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-write';
import { withFileLock } from '../fs/file-lock';
import type { KeyringPaths } from '../paths';
import path from 'node:path';

export const IdpSessionSchema = z.object({
  status: z.enum(['signed-out', 'signed-in', 'needs-sign-in']),
  /** The signed-in user (`sub`, and `email` where the ID token has one). */
  subject: z.string().nullable().default(null),
  email: z.string().nullable().default(null),
  /** ID token expiry, ms since epoch. */
  expiresAt: z.number().nullable().default(null),
  hasRefreshToken: z.boolean().default(false),
  signedInAt: z.number().nullable().default(null),
  lastError: z.string().nullable().default(null),
});
export type IdpSession = z.infer<typeof IdpSessionSchema>;

const FileSchema = z.object({
  version: z.literal(1),
  providers: z.array(IdentityProviderConfigSchema),
  sessions: z.record(z.string(), IdpSessionSchema).default({}),
});
type IdpFile = z.infer<typeof FileSchema>;

export const SIGNED_OUT: IdpSession = { status: 'signed-out', subject: null, email: null, expiresAt: null, hasRefreshToken: false, signedInAt: null, lastError: null };

export const idpSecretNames = {
  clientSecret: (id: string) => `idp/${id}/client-secret`,
  idToken: (id: string) => `idp/${id}/id-token`,
  refreshToken: (id: string) => `idp/${id}/refresh-token`,
} as const;

export class IdpStore {
  readonly file: string;
  constructor(readonly paths: KeyringPaths) {
    this.file = path.join(paths.home, 'identity-providers.json');
  }

  async list(): Promise<Array<{ config: IdentityProviderConfig; session: IdpSession }>> {
    const file = await this.read();
    return file.providers.map((config) => ({ config, session: file.sessions[config.id] ?? SIGNED_OUT }));
  }

  async get(id: string): Promise<{ config: IdentityProviderConfig; session: IdpSession }> {
    const found = (await this.list()).find((p) => p.config.id === id);
    if (!found) throw new KeyringError('unknown-server', `No identity provider with id "${id}"; run \`mcp-keyring idp status\` to list them.`);
    return found;
  }

  async add(input: { issuer: string; clientId: string; id?: string; name?: string }): Promise<IdentityProviderConfig> {
    return this.update((file) => {
      const name = (input.name ?? new URL(input.issuer).hostname).trim();
      const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'idp';
      const taken = (id: string) => file.providers.some((p) => p.id === id);
      let id = input.id ?? base;
      if (!input.id) for (let i = 2; taken(id); i++) id = i < 100 ? `${base}-${i}` : `${base}-${randomBytes(3).toString('hex')}`;
      if (!SERVER_ID_PATTERN.test(id)) throw new KeyringError('invalid-input', `"${id}" is not a valid identity provider id: use lowercase letters, digits and dashes.`);
      if (taken(id)) throw new KeyringError('invalid-input', `An identity provider with id "${id}" already exists.`);
      if (file.providers.some((p) => p.issuer === input.issuer && p.clientId === input.clientId)) {
        throw new KeyringError('invalid-input', `${input.issuer} is already added with client id ${input.clientId}.`);
      }
      const config = IdentityProviderConfigSchema.parse({ id, name, issuer: input.issuer, clientId: input.clientId, createdAt: new Date().toISOString() });
      file.providers.push(config);
      return config;
    });
  }

  async remove(id: string): Promise<void> {
    await this.update((file) => {
      file.providers = file.providers.filter((p) => p.id !== id);
      delete file.sessions[id];
    });
  }

  async setSession(id: string, session: IdpSession): Promise<IdpSession> {
    return this.update((file) => {
      if (!file.providers.some((p) => p.id === id)) throw new KeyringError('unknown-server', `No identity provider with id "${id}".`);
      file.sessions[id] = session;
      return session;
    });
  }

  private async read(): Promise<IdpFile> {
    const text = await readFileIfExists(this.file);
    if (text === undefined) return { version: 1, providers: [], sessions: {} };
    try {
      return FileSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new KeyringError('config-malformed', `${this.file} is damaged (${error instanceof SyntaxError ? error.message : 'unexpected shape'}); fix or remove it.`, { cause: error });
    }
  }

  private async update<T>(change: (file: IdpFile) => T): Promise<T> {
    return withFileLock(this.file, async () => {
      const file = await this.read();
      const result = change(file);
      await writeFileAtomic(this.file, `${JSON.stringify(file, null, 2)}\n`);
      return result;
    });
  }
}
