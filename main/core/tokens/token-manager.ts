// Hands out access tokens and keeps them fresh. Any process may refresh (the app,
// the CLI, any number of bridges), so a refresh happens under a per-server file
// lock and re-reads the keychain after taking it: if another process already
// refreshed, its token is used and the (rotating) refresh token is never sent twice.
import path from 'node:path';
import * as oauth from 'oauth4webapi';
import type { OAuthOptions, ServerConfig } from '../../../shared/server-config';
import type { ServerState } from '../../../shared/server-state';
import { KeyringError, describeOAuthError, isKeyringError } from '../errors';
import { withFileLock } from '../fs/file-lock';
import { oauthCall, oauthHttpOptions } from '../http/outbound';
import { ClientRegistrar } from '../registration/register';
import { StateStore } from '../registry/state-store';
import { secretNames } from '../vault/secrets';
import type { Vault } from '../vault/vault';
import { isBrowserless, renewBrowserlessToken } from './grants/browserless';

/** Who is acting, for the "last refreshed by" column. */
let processRole = 'mcp-keyring';
export function setProcessRole(role: string): void {
  processRole = role;
}
export function processLabel(): string {
  return `${processRole} (pid ${process.pid})`;
}

/** Refresh this long before expiry: 60 s, or a fifth of a short lifetime. */
export function refreshMargin(state: Pick<ServerState, 'expiresAt' | 'lastRefreshAt'>): number {
  if (state.expiresAt === null) return 0;
  const lifetime = state.lastRefreshAt === null ? Infinity : state.expiresAt - state.lastRefreshAt;
  return Math.min(60_000, Math.max(0, lifetime * 0.2));
}

export function needsRefresh(state: Pick<ServerState, 'expiresAt' | 'lastRefreshAt'>, now = Date.now(), minValidityMs = 0): boolean {
  return state.expiresAt !== null && state.expiresAt - now <= Math.max(refreshMargin(state), minValidityMs);
}

export function signInHint(server: Pick<ServerConfig, 'id' | 'name'>): string {
  return `Sign in to ${server.name} again: run \`mcp-keyring connect ${server.id}\` or click Connect in MCP Keyring.`;
}

export interface AccessToken {
  token: string;
  expiresAt: number | null;
  /** When to ask again (ms since epoch): the refresh point, or null for never. */
  refreshAt: number | null;
}

export class TokenManager {
  readonly registrar: ClientRegistrar;
  constructor(
    readonly vault: Vault,
    readonly states = new StateStore(),
    registrar?: ClientRegistrar,
  ) {
    this.registrar = registrar ?? new ClientRegistrar(vault);
  }

  private lockFile(serverId: string): string {
    return path.join(this.states.paths.lockDir, `${serverId}.refresh`);
  }

  /** Stores a token response (from a sign-in or a refresh) in the keychain and the state record. */
  async save(server: ServerConfig, response: oauth.TokenEndpointResponse, details: { issuer: string; clientId: string; requestedScopes?: string[]; previous?: ServerState; refresh?: boolean }): Promise<ServerState> {
    const now = Date.now();
    // The refresh token first: after a rotation the old one is dead, so the new one must not be lost.
    if (response.refresh_token) await this.vault.set(secretNames.refreshToken(server.id), response.refresh_token);
    await this.vault.set(secretNames.accessToken(server.id), response.access_token);
    const granted = response.scope?.split(/\s+/).filter(Boolean) ?? details.previous?.scopes ?? details.requestedScopes ?? [];
    const previous = details.previous ?? (await this.states.read(server.id));
    // A refresh keeps a pending step-up (the new token has no more scopes than the old one).
    const stepUpPending = details.refresh === true && previous.status === 'needs-more-access';
    return this.states.write({
      ...previous,
      status: stepUpPending ? 'needs-more-access' : 'connected',
      expiresAt: typeof response.expires_in === 'number' ? now + response.expires_in * 1000 : null,
      scopes: granted,
      requestedScopes: stepUpPending ? previous.requestedScopes : [],
      hasRefreshToken: Boolean(response.refresh_token) || (previous.hasRefreshToken && Boolean(details.previous)),
      authorizationServer: details.issuer,
      clientId: details.clientId,
      lastRefreshAt: now,
      lastRefreshBy: processLabel(),
      lastError: null,
    });
  }

  /**
   * A usable access token for the server. `rejected` is a token the server just
   * answered 401 to: it is never handed out again, and a refresh is forced.
   */
  async getAccessToken(server: ServerConfig, options: { rejected?: string; minValidityMs?: number } = {}): Promise<AccessToken> {
    const state = await this.states.read(server.id);
    const token = await this.vault.get(secretNames.accessToken(server.id));
    if (token && token !== options.rejected && !needsRefresh(state, Date.now(), options.minValidityMs)) return this.describe(token, state);
    return withFileLock(this.lockFile(server.id), () => this.refreshLocked(server, options.rejected, options.minValidityMs));
  }

  private describe(token: string, state: ServerState): AccessToken {
    return { token, expiresAt: state.expiresAt, refreshAt: state.expiresAt === null ? null : state.expiresAt - refreshMargin(state) };
  }

  private async refreshLocked(server: ServerConfig, rejected: string | undefined, minValidityMs = 0): Promise<AccessToken> {
    // Re-read: another process may have refreshed while we waited for the lock.
    const state = await this.states.read(server.id);
    const current = await this.vault.get(secretNames.accessToken(server.id));
    if (current && current !== rejected && !needsRefresh(state, Date.now(), minValidityMs)) return this.describe(current, state);
    // Machine-to-machine and enterprise-managed servers have no refresh token: ask again.
    if (isBrowserless(server)) {
      const renewed = await renewBrowserlessToken(server, this, state, current, rejected);
      return this.describe(renewed.token, renewed.state);
    }

    const refreshToken = await this.vault.get(secretNames.refreshToken(server.id));
    const stillValid = current && current !== rejected && (state.expiresAt === null || state.expiresAt > Date.now());
    if (!refreshToken || server.auth.kind !== 'oauth' || state.authorizationServer === null) {
      if (stillValid) return this.describe(current, state);
      throw await this.markNeedsSignIn(server, current ? 'The access token expired and there is no refresh token.' : 'Not signed in.');
    }

    await this.states.write({ ...state, status: 'refreshing' });
    try {
      const issuer = state.authorizationServer;
      const { response, clientId } = await this.refreshGrant(server, server.auth, issuer, state.clientId, refreshToken);
      const saved = await this.save(server, response, { issuer, clientId, previous: { ...state, hasRefreshToken: true }, refresh: true });
      return this.describe(response.access_token, saved);
    } catch (error) {
      if (isKeyringError(error, 'needs-sign-in')) {
        throw await this.markNeedsSignIn(server, error.message);
      }
      const message = error instanceof Error ? error.message : String(error);
      await this.states.write({ ...state, status: stillValid ? 'connected' : 'error', lastError: message });
      if (stillValid) return this.describe(current, state);
      throw error;
    }
  }

  private async refreshGrant(
    server: ServerConfig,
    options: OAuthOptions,
    issuer: string,
    tokenClientId: string | null,
    refreshToken: string,
  ): Promise<{ response: oauth.TokenEndpointResponse; clientId: string }> {
    const entry = await this.registrar.store.get(issuer);
    if (!entry) throw new KeyringError('needs-sign-in', `MCP Keyring has no metadata for ${issuer} any more.`);
    const as = entry.metadata;
    const { client, auth } = await this.registrar.forTokens(server.id, options, issuer, tokenClientId);
    const additionalParameters: Record<string, string> = {};
    if (options.sendResource) additionalParameters.resource = server.url;
    if (options.audience) additionalParameters.audience = options.audience;
    try {
      const response = await oauthCall(as.token_endpoint!, async () =>
        oauth.processRefreshTokenResponse(
          as,
          client,
          await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, { ...oauthHttpOptions(as.token_endpoint!), additionalParameters }),
        ),
      );
      return { response, clientId: client.client_id };
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) {
        if (error.error === 'invalid_client' && !options.clientId) await this.registrar.forget(issuer, client.client_id);
        if (error.error === 'invalid_grant' || error.error === 'invalid_client' || error.error === 'unauthorized_client') {
          throw new KeyringError('needs-sign-in', `The authorization server refused the refresh token (${describeOAuthError(error)}).`, { cause: error });
        }
        throw new KeyringError('token-request-failed', `Refreshing the token at ${as.token_endpoint} failed (${describeOAuthError(error)}).`, { cause: error });
      }
      throw error;
    }
  }

  /** Forgets the unusable tokens and records that the user must sign in. */
  async markNeedsSignIn(server: ServerConfig, reason: string): Promise<KeyringError> {
    await this.vault.delete(secretNames.accessToken(server.id));
    await this.vault.delete(secretNames.refreshToken(server.id));
    const state = await this.states.read(server.id);
    await this.states.write({ ...state, status: 'needs-sign-in', expiresAt: null, hasRefreshToken: false, lastError: reason });
    return new KeyringError('needs-sign-in', `${reason} ${signInHint(server)}`);
  }

  /** Records a 403 insufficient_scope: the server wants scopes the token does not have. */
  async markNeedsMoreAccess(server: ServerConfig, scopes: string[]): Promise<KeyringError> {
    const state = await this.states.read(server.id);
    if (scopes.length && scopes.every((scope) => state.scopes.includes(scope))) {
      // Signing in again for scopes the token already has would loop: one step-up per scope set.
      return new KeyringError(
        'insufficient-scope',
        `${server.name} refused the request although the token already has ${scopes.join(' ')}; signing in again will not help — ask the server's administrator for access.`,
      );
    }
    const requested = [...new Set([...state.requestedScopes, ...scopes])];
    await this.states.write({ ...state, status: 'needs-more-access', requestedScopes: requested, lastError: `The server asked for more access (${requested.join(' ')}).` });
    return new KeyringError(
      'insufficient-scope',
      `${server.name} needs more access (${requested.join(' ')}): run \`mcp-keyring connect ${server.id}\` or click Reconnect in MCP Keyring to grant it.`,
    );
  }
}
