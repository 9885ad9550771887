// The core's front door: what the CLI, the app and the tests call. Each method
// is one user action; the modules behind it do one thing each.
import type { DiscoveryPreview } from '../../shared/ipc-contract';
import type { ServerAuth, ServerConfig } from '../../shared/server-config';
import { displayStatus, type ServerState, type ServerView } from '../../shared/server-state';
import { DEFAULT_ACTOR } from './actor';
import { systemClock, type Clock } from './clock';
import { signIn, type SignInOptions } from './authorize/sign-in';
import { discover } from './discovery/discover';
import { KeyringError } from './errors';
import type { NodeFetch } from './http/node-fetch';
import { lazyOutboundFetch } from './http/outbound';
import { keyringPaths, serviceName, dataDir, type KeyringPaths } from './paths';
import { recordHistory } from './history/history';
import { ClientStore } from './registration/client-store';
import { ClientRegistrar, registrationPlan } from './registration/register';
import { ServerRegistry } from './registry/servers';
import { StateStore } from './registry/state-store';
import { disconnect, type DisconnectResult } from './tokens/revoke';
import { deleteBrowserlessSecrets, isBrowserless, obtainBrowserlessToken } from './tokens/grants/browserless';
import { TokenManager } from './tokens/token-manager';
import { deleteServerSecrets, secretNames } from './vault/secrets';
import { KeychainVault, type Vault } from './vault/vault';

export interface KeyringOptions {
  /** The data directory (default: MCP_KEYRING_HOME, else the platform's); ignored when `paths` is given. */
  home?: string;
  /** Where every non-secret file lives (default: keyringPaths(home)). */
  paths?: KeyringPaths;
  /** The keychain service (default: MCP_KEYRING_SERVICE, else "mcp-keyring"); ignored when `vault` is given. */
  service?: string;
  vault?: Vault;
  /** Who is acting, e.g. actorLabel('cli') (./actor.ts); recorded in history and "last refreshed by". */
  actor?: string;
  /**
   * The fetch for every outbound request of the core (discovery, registration, token,
   * revocation, browserless grants, identity providers, registry search); default: one node:http
   * fetch of this Keyring, created on first use (the app may pass another, e.g. Electron's net.fetch).
   */
  fetch?: NodeFetch;
  /** What time it is, for everything that decides expiry (default: the system clock; tests move it). */
  clock?: Clock;
}

/**
 * The composition root: builds the core's object graph once per process, and
 * hands each flow only the pieces it uses (no process-wide settings).
 */
export class Keyring {
  readonly paths: KeyringPaths;
  readonly registry: ServerRegistry;
  readonly states: StateStore;
  readonly vault: Vault;
  readonly tokens: TokenManager;
  readonly actor: string;
  readonly fetch: NodeFetch;
  readonly clock: Clock;
  private readonly registrar: ClientRegistrar;
  /** The authorization servers' metadata and our registrations there (clients.json). */
  readonly clients: ClientStore;

  constructor(options: KeyringOptions = {}) {
    const paths = (this.paths = options.paths ?? keyringPaths(options.home ?? dataDir()));
    this.actor = options.actor ?? DEFAULT_ACTOR;
    this.fetch = options.fetch ?? lazyOutboundFetch();
    this.clock = options.clock ?? systemClock;
    this.registry = new ServerRegistry(paths);
    this.states = new StateStore(paths, this.clock);
    this.vault = options.vault ?? new KeychainVault(options.service ?? serviceName());
    this.clients = new ClientStore(paths);
    this.registrar = new ClientRegistrar(this.vault, this.clients, this.fetch);
    this.tokens = new TokenManager({ vault: this.vault, states: this.states, registrar: this.registrar, actor: this.actor, fetch: this.fetch, clock: this.clock });
  }

  private get flowDeps() {
    return { vault: this.vault, states: this.states, registrar: this.registrar, tokens: this.tokens, actor: this.actor, fetch: this.fetch };
  }

  /** Adds a server. A static key (for `header` servers) goes straight to the keychain. */
  async add(input: { url: string; name?: string; id?: string; auth?: ServerAuth; secret?: string; clientSecret?: string }): Promise<ServerConfig> {
    if (input.auth?.kind === 'header' && !input.secret) {
      throw new KeyringError('invalid-input', `A key is needed for the ${input.auth.headerName} header; it is read from standard input, never from the command line.`);
    }
    if (input.clientSecret && !(input.auth?.kind === 'oauth' && input.auth.clientId)) {
      throw new KeyringError('invalid-input', 'A client secret goes with a client id (--client-id).');
    }
    const server = await this.registry.add(input);
    try {
      if (input.secret) await this.vault.set(secretNames.apiKey(server.id), input.secret);
      if (input.clientSecret) await this.vault.set(secretNames.userClientSecret(server.id), input.clientSecret);
      await this.states.write({
        ...(await this.states.read(server.id)),
        status: server.auth.kind === 'oauth' ? 'not-connected' : 'connected',
      });
    } catch (error) {
      // Nothing half-stored: without its key the entry is useless.
      await this.registry.remove(server.id).catch(() => undefined);
      throw error;
    }
    recordHistory(this.registry.paths, server.id, { kind: 'added', by: this.actor });
    return server;
  }

  /** What discovery finds, without storing anything (the window's "Add server" preview). */
  async preview(url: string, auth?: ServerAuth): Promise<DiscoveryPreview> {
    const found = await discover(url, this.fetch);
    const as = found.authorizationServer;
    return {
      url: found.resource,
      protection: found.protection,
      scopes: found.scopes,
      ...(as ? { authorizationServer: as.issuer, registration: registrationPlan(auth?.kind === 'oauth' ? auth : { kind: 'oauth', sendResource: true }, as) } : {}),
      ...(found.resourceMetadata?.resource_name ? { resourceName: String(found.resourceMetadata.resource_name) } : {}),
    };
  }

  async connect(id: string, options: SignInOptions): Promise<ServerState> {
    const server = await this.registry.get(id);
    if (isBrowserless(server)) {
      const deps = { vault: this.vault, states: this.states, clients: this.clients, fetch: this.fetch, clock: this.clock, tokens: this.tokens };
      return (await obtainBrowserlessToken(server, deps, { fresh: true })).state;
    }
    return signIn(server, this.flowDeps, options);
  }

  async disconnect(id: string): Promise<DisconnectResult> {
    return disconnect(await this.registry.get(id), this.flowDeps);
  }

  async remove(id: string): Promise<DisconnectResult> {
    const server = await this.registry.get(id);
    const result = await disconnect(server, this.flowDeps);
    await deleteServerSecrets(this.vault, id);
    await deleteBrowserlessSecrets(this.vault, id);
    await this.registry.remove(id);
    await this.states.remove(id);
    recordHistory(this.registry.paths, id, { kind: 'removed', by: this.actor });
    return result;
  }

  async view(server: ServerConfig, now = this.clock()): Promise<ServerView> {
    const state = await this.states.read(server.id);
    return { id: server.id, name: server.name, url: server.url, authKind: server.auth.kind, status: displayStatus(state, now), state };
  }

  async list(): Promise<ServerView[]> {
    const servers = await this.registry.list();
    return Promise.all(servers.map((server) => this.view(server)));
  }
}
