// servers.json: the list of servers the user added. No secrets in it.
import { randomBytes } from 'node:crypto';
import { ServersFileSchema, ServerConfigSchema, SERVER_ID_PATTERN, type ServerAuth, type ServerConfig, type ServersFile } from '../../../shared/server-config';
import { KeyringError } from '../errors';
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-write';
import { withFileLock } from '../fs/file-lock';
import { keyringPaths, type KeyringPaths } from '../paths';
import { canonicalServerUrl } from '../url-policy';

export class ServerRegistry {
  constructor(readonly paths: KeyringPaths = keyringPaths()) {}

  async list(): Promise<ServerConfig[]> {
    return (await this.read()).servers;
  }

  async get(id: string): Promise<ServerConfig> {
    const server = (await this.list()).find((s) => s.id === id);
    if (!server) {
      throw new KeyringError('unknown-server', `No server with id "${id}"; run \`mcp-keyring status\` to list them.`);
    }
    return server;
  }

  async add(input: { url: string; name?: string; id?: string; auth?: ServerAuth }): Promise<ServerConfig> {
    const url = canonicalServerUrl(input.url);
    return this.update(async (file) => {
      const name = (input.name ?? new URL(url).hostname).trim();
      if (!name) throw new KeyringError('invalid-input', 'A server name cannot be empty.');
      const id = input.id ?? uniqueId(slug(name), file.servers);
      if (!SERVER_ID_PATTERN.test(id)) {
        throw new KeyringError('invalid-input', `"${id}" is not a valid server id: use lowercase letters, digits and dashes.`);
      }
      if (file.servers.some((s) => s.id === id)) throw new KeyringError('invalid-input', `A server with id "${id}" already exists.`);
      const server = ServerConfigSchema.parse({
        id,
        name,
        url,
        auth: input.auth ?? { kind: 'oauth', sendResource: true },
        createdAt: new Date().toISOString(),
      });
      file.servers.push(server);
      return server;
    });
  }

  async replace(server: ServerConfig): Promise<void> {
    const valid = ServerConfigSchema.parse(server);
    await this.update(async (file) => {
      const index = file.servers.findIndex((s) => s.id === valid.id);
      if (index < 0) throw new KeyringError('unknown-server', `No server with id "${valid.id}".`);
      file.servers[index] = valid;
    });
  }

  async remove(id: string): Promise<void> {
    await this.update(async (file) => {
      const index = file.servers.findIndex((s) => s.id === id);
      if (index < 0) throw new KeyringError('unknown-server', `No server with id "${id}".`);
      file.servers.splice(index, 1);
    });
  }

  private async read(): Promise<ServersFile> {
    const text = await readFileIfExists(this.paths.serversFile);
    if (text === undefined) return { version: 1, servers: [] };
    try {
      return ServersFileSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new KeyringError('config-malformed', `${this.paths.serversFile} is damaged (${error instanceof SyntaxError ? error.message : 'unexpected shape'}); fix or remove it.`, { cause: error });
    }
  }

  /** Read-modify-write under a lock, so two processes adding servers never lose one. */
  private async update<T>(change: (file: ServersFile) => Promise<T>): Promise<T> {
    return withFileLock(this.paths.serversFile, async () => {
      const file = await this.read();
      const result = await change(file);
      await writeFileAtomic(this.paths.serversFile, `${JSON.stringify(file, null, 2)}\n`);
      return result;
    });
  }
}

function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return s || 'server';
}

function uniqueId(base: string, servers: ServerConfig[]): string {
  if (!servers.some((s) => s.id === base)) return base;
  for (let i = 2; i < 100; i++) if (!servers.some((s) => s.id === `${base}-${i}`)) return `${base}-${i}`;
  return `${base}-${randomBytes(3).toString('hex')}`;
}
