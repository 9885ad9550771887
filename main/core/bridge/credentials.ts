// What a bridge adds to each request for one server: an OAuth bearer token that
// it keeps fresh through the token manager, a static key from the keychain, or nothing.
import type { ServerConfig } from '../../../shared/server-config';
import type { ServerState } from '../../../shared/server-state';
import { KeyringError } from '../errors';
import type { AccessToken, TokenManager } from '../tokens/token-manager';
import { recordHistory } from '../history/history';
import type { StateStore } from '../registry/state-store';
import { secretNames } from '../vault/secrets';
import type { Vault } from '../vault/vault';

export type AuthHeaders = Record<string, string>;

/** What a server's credentials work with, from the composition root (a Keyring fits). */
export interface CredentialDeps {
  tokens: TokenManager;
  vault: Vault;
  states: StateStore;
  /** Who is acting, for the history (../actor.ts). */
  actor: string;
}

export interface Credentials {
  /** Headers for the next request; may refresh first. Throws needs-sign-in when there is no usable credential. */
  headers(): Promise<AuthHeaders>;
  /** The server answered 401 to `rejected`: renew once, or throw needs-sign-in. */
  renew(rejected: AuthHeaders): Promise<AuthHeaders>;
  /** The server refused even the renewed credential. Returns the error to give the client. */
  refused(): Promise<KeyringError>;
  /** The server answered 403 insufficient_scope. Returns the error to give the client. */
  insufficientScope(scopes: string[]): Promise<KeyringError>;
  /** Secrets this source has handed out, for redaction. */
  readonly secrets: ReadonlySet<string>;
}

export class OAuthCredentials implements Credentials {
  private cached?: AccessToken;
  private pending?: Promise<AccessToken>;
  readonly secrets = new Set<string>();

  constructor(
    private readonly server: ServerConfig,
    private readonly tokens: TokenManager,
    private readonly states: StateStore,
    private readonly actor: string,
  ) {}

  /**
   * Another process changed this server's tokens (a sign-in, a disconnect, a refresh):
   * forget the cached token so the next request reads the keychain again.
   */
  invalidate(): void {
    this.cached = undefined;
  }

  /** Starts reading the token now, so the first request does not wait for the keychain. */
  preload(): void {
    this.load().catch(() => undefined);
  }

  async headers(): Promise<AuthHeaders> {
    const cached = this.cached;
    if (cached && (cached.refreshAt === null || Date.now() < cached.refreshAt)) return bearer(cached.token);
    return bearer((await this.load()).token);
  }

  async renew(rejected: AuthHeaders): Promise<AuthHeaders> {
    recordHistory(this.states.paths, this.server.id, { kind: 'bridge-401', by: this.actor });
    const token = rejected.Authorization?.replace(/^Bearer /, '');
    if (this.cached?.token === token) this.cached = undefined;
    return bearer((await this.load(token)).token);
  }

  refused(): Promise<KeyringError> {
    this.cached = undefined;
    return this.tokens.markNeedsSignIn(this.server, `${this.server.name} refused a freshly refreshed token.`);
  }

  insufficientScope(scopes: string[]): Promise<KeyringError> {
    return this.tokens.markNeedsMoreAccess(this.server, scopes);
  }

  /** One keychain read or refresh at a time per process; concurrent requests share it. */
  private load(rejected?: string): Promise<AccessToken> {
    if (!this.pending) {
      this.pending = this.tokens
        .getAccessToken(this.server, rejected ? { rejected } : {})
        .then((token) => {
          this.cached = token;
          this.secrets.add(token.token);
          return token;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }
}

function bearer(token: string): AuthHeaders {
  return { Authorization: `Bearer ${token}` };
}

export class HeaderCredentials implements Credentials {
  private value?: string;
  readonly secrets = new Set<string>();

  constructor(
    private readonly server: ServerConfig & { auth: { kind: 'header'; headerName: string; scheme?: string } },
    private readonly vault: Vault,
  ) {}

  async headers(): Promise<AuthHeaders> {
    this.value ??= await this.read();
    return this.format(this.value);
  }

  async renew(rejected: AuthHeaders): Promise<AuthHeaders> {
    const fresh = await this.read();
    if (this.format(fresh)[this.server.auth.headerName] === rejected[this.server.auth.headerName]) {
      throw new KeyringError('needs-sign-in', `${this.server.name} refused the stored key (${this.server.auth.headerName}); update it in MCP Keyring or with \`mcp-keyring add\`.`);
    }
    this.value = fresh;
    return this.format(fresh);
  }

  async refused(): Promise<KeyringError> {
    return new KeyringError('needs-sign-in', `${this.server.name} refused the stored key (${this.server.auth.headerName}); update it in MCP Keyring.`);
  }

  async insufficientScope(): Promise<KeyringError> {
    return new KeyringError('insufficient-scope', `${this.server.name} refused the request: the stored key does not allow it.`);
  }

  private async read(): Promise<string> {
    const key = await this.vault.get(secretNames.apiKey(this.server.id));
    if (!key) throw new KeyringError('needs-sign-in', `No key is stored for ${this.server.name}; add it again in MCP Keyring.`);
    this.secrets.add(key);
    return key;
  }

  private format(key: string): AuthHeaders {
    return { [this.server.auth.headerName]: this.server.auth.scheme ? `${this.server.auth.scheme} ${key}` : key };
  }
}

export class NoCredentials implements Credentials {
  readonly secrets = new Set<string>();
  async headers(): Promise<AuthHeaders> {
    return {};
  }
  async renew(): Promise<AuthHeaders> {
    throw await this.refused();
  }
  async refused(): Promise<KeyringError> {
    return new KeyringError('needs-sign-in', 'The server asked for credentials, but it was added as needing none; remove it and add it again.');
  }
  async insufficientScope(): Promise<KeyringError> {
    return new KeyringError('insufficient-scope', 'The server refused the request (insufficient scope).');
  }
}

export function credentialsFor(server: ServerConfig, deps: CredentialDeps): Credentials {
  if (server.auth.kind === 'oauth') return new OAuthCredentials(server, deps.tokens, deps.states, deps.actor);
  if (server.auth.kind === 'header') return new HeaderCredentials(server as ServerConfig & { auth: typeof server.auth }, deps.vault);
  return new NoCredentials();
}


/** What a headers helper's token should still be good for, at most (the client keeps the headers a while). */
export const HELPER_MAX_VALIDITY_MS = 5 * 60_000;

/**
 * The validity a headers helper asks for: up to 5 minutes, but never more than half
 * the token's lifetime. Asking for more than the server grants would refresh on
 * every call (Claude Code runs the helper on every connect) and spend a rotating
 * refresh token each time; the client re-runs the helper on a 401 anyway.
 */
export function helperMinValidityMs(state: Pick<ServerState, 'expiresAt' | 'lastRefreshAt'>): number {
  if (state.expiresAt === null || state.lastRefreshAt === null) return 0;
  const lifetime = state.expiresAt - state.lastRefreshAt;
  return Math.max(0, Math.min(HELPER_MAX_VALIDITY_MS, lifetime / 2));
}

/** The headers a headers helper prints for one server. Throws needs-sign-in when there is no usable credential. */
export async function helperHeaders(server: ServerConfig, deps: CredentialDeps): Promise<AuthHeaders> {
  if (server.auth.kind !== 'oauth') return credentialsFor(server, deps).headers();
  const minValidityMs = helperMinValidityMs(await deps.states.read(server.id));
  return bearer((await deps.tokens.getAccessToken(server, { minValidityMs })).token);
}

/**
 * What a headers helper prints when the user must sign in again: not a secret,
 * just a bearer the server refuses. Claude Code then says the helper's credential
 * was refused instead of starting an OAuth sign-in of its own (see `headers` in the CLI).
 */
export const SIGNED_OUT_HEADERS: Readonly<AuthHeaders> = Object.freeze({ Authorization: 'Bearer mcp-keyring-sign-in-required' });
