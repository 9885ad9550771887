// The registry as the HTTP bridge needs it on every request: read once, re-read
// when servers.json changes (or when an id is not found: it may have been added a
// moment ago), with one Credentials and auth fetch per server, kept as long as the
// server's URL and auth stay the same.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig } from '../../../../shared/server-config';
import { createNodeFetch } from '../../http/node-fetch';
import type { Keyring } from '../../keyring';
import { watchRegistry, type RegistrySubscription } from '../../registry/registry-watcher';
import { createAuthFetch } from '../auth-fetch';
import { credentialsFor, OAuthCredentials, type Credentials } from '../credentials';


export interface Upstream {
  readonly server: ServerConfig;
  readonly key: string;
  readonly credentials: Credentials;
  readonly fetch: FetchLike;
}

function serverKey(server: ServerConfig): string {
  return `${server.url}\n${JSON.stringify(server.auth)}`;
}

export class Upstreams {
  #servers: Promise<Map<string, ServerConfig>> | undefined;
  readonly #upstreams = new Map<string, Upstream>();
  readonly #baseFetch = createNodeFetch();
  #subscription: RegistrySubscription | undefined;

  constructor(private readonly keyring: Keyring) {}

  /** Follows servers.json and the state files; without file watching (inotify exhausted, say) the bridge still works, only later to notice changes. */
  watch(log: (line: string) => void): void {
    if (this.#subscription) return;
    this.#subscription = watchRegistry(this.keyring, {
      onServersChanged: () => this.reload(),
      // Another process signed in, refreshed or disconnected: read the keychain again on the next request.
      onStateChanged: (id) => {
        const credentials = this.#upstreams.get(id)?.credentials;
        if (credentials instanceof OAuthCredentials) credentials.invalidate();
      },
    });
    for (const problem of this.#subscription.problems) log(`${problem}; changes are noticed when an unknown id is asked for or the cached token is due for refresh`);
  }

  close(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  reload(): void {
    this.#servers = undefined;
  }

  /** Secrets handed out so far, for redaction. */
  secrets(): string[] {
    const out: string[] = [];
    for (const upstream of this.#upstreams.values()) out.push(...upstream.credentials.secrets);
    return out;
  }

  async get(id: string): Promise<Upstream | undefined> {
    let servers = await this.#load();
    if (!servers.has(id)) {
      this.reload();
      servers = await this.#load();
    }
    const server = servers.get(id);
    if (!server) return undefined;
    const cached = this.#upstreams.get(id);
    if (cached && cached.server === server) return cached;
    const key = serverKey(server);
    if (cached && cached.key === key) {
      // servers.json was re-read but this server did not change: keep its credentials (and cached token).
      const same = { ...cached, server };
      this.#upstreams.set(id, same);
      return same;
    }
    const credentials = credentialsFor(server, this.keyring);
    if (credentials instanceof OAuthCredentials) credentials.preload();
    const upstream: Upstream = { server, key, credentials, fetch: createAuthFetch(this.#baseFetch as FetchLike, credentials) };
    this.#upstreams.set(id, upstream);
    return upstream;
  }

  #load(): Promise<Map<string, ServerConfig>> {
    if (!this.#servers) {
      const loading = this.keyring.registry.list().then((list) => new Map(list.map((server) => [server.id, server])));
      this.#servers = loading;
      // A failed read (a damaged servers.json) is not cached: the next request tries again.
      loading.catch(() => {
        if (this.#servers === loading) this.#servers = undefined;
      });
    }
    return this.#servers;
  }
}
