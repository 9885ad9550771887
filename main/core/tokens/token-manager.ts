// Hands out access tokens and keeps them fresh. Any process may refresh (the app,
// the CLI, any number of bridges), so a refresh happens under a per-server file
// lock and re-reads the keychain after taking it: if another process already
// refreshed, its token is used and the (rotating) refresh token is never sent twice.
import { createHash } from 'node:crypto';
import path from 'node:path';
import * as oauth from 'oauth4webapi';
import type { OAuthOptions, ServerConfig } from '../../../shared/server-config';
import type { ServerState } from '../../../shared/server-state';
import type { Clock } from '../clock';
import { KeyringError, describeOAuthError, isKeyringError } from '../errors';
import { withFileLock, type HeldLock } from '../fs/file-lock';
import type { NodeFetch } from '../http/node-fetch';
import { oauthCall, oauthHttpOptions, REQUEST_TIMEOUT_MS } from '../http/outbound';
import type { ClientRegistrar } from '../registration/register';
import type { StateStore } from '../registry/state-store';
import { recordHistory } from '../history/history';
import { secretNames } from '../vault/secrets';
import { assertStorable, type Vault } from '../vault/vault';
import { isBrowserless, renewBrowserlessToken, type BrowserlessDeps } from './grants/browserless';

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

/** Assumed lifetime of an access token that comes without a usable one (a 401 still triggers a refresh). */
export const DEFAULT_LIFETIME_S = 60 * 60;
/** Longest lifetime believed: a larger one (1e300 = never refresh) is clamped to this. */
export const MAX_LIFETIME_S = 365 * 24 * 60 * 60;

/**
 * The lifetime to plan with, in seconds, or null for "unknown, use until a 401".
 * oauth4webapi has already parsed numeric strings and refused negative or non-numeric
 * ones. Missing or 0 (expired on arrival) means unknown: with a refresh token we renew
 * after DEFAULT_LIFETIME_S; without one there is nothing to renew with, so the token is
 * used until the server refuses it.
 */
export function plannedLifetime(expiresIn: unknown, canRefresh: boolean): number | null {
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) return canRefresh ? DEFAULT_LIFETIME_S : null;
  return Math.min(expiresIn, MAX_LIFETIME_S);
}

/** A failed refresh blocks resending the same refresh token for this long (doubling per failure, up to RETRY_MAX_MS). */
export const RETRY_INITIAL_MS = 30_000;
const RETRY_MAX_MS = 10 * 60_000;

/** A short, one-way name for a refresh token, so the state file can say which one failed without holding it. */
// Errors that mean the request was never delivered to the authorization server.
const UNSENT_CODES = /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ERR_PROXY_TUNNEL|ERR_TLS_.*|.*CERT.*|SELF_SIGNED.*|UNABLE_TO_(GET|VERIFY).*)$/;

function neverSent(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && UNSENT_CODES.test(code)) return true;
  }
  return false;
}

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 12);
}

export interface AccessToken {
  token: string;
  expiresAt: number | null;
  /** When to ask again (ms since epoch): the refresh point, or null for never. */
  refreshAt: number | null;
}

/** What the token manager works with; the composition root (../keyring.ts) builds them once. */
export interface TokenManagerDeps {
  vault: Vault;
  states: StateStore;
  registrar: ClientRegistrar;
  /** Who is acting, for history and the "last refreshed by" column (../actor.ts). */
  actor: string;
  /** The fetch for the token endpoint. */
  fetch: NodeFetch;
  /** What time it is: decides expiry, refresh points and backoff (../clock.ts). */
  clock: Clock;
}

export class TokenManager {
  private readonly vault: Vault;
  private readonly states: StateStore;
  private readonly registrar: ClientRegistrar;
  private readonly actor: string;
  private readonly fetch: NodeFetch;
  private readonly clock: Clock;
  /** What renewing a machine-to-machine or enterprise-managed token needs (./grants/browserless.ts). */
  private readonly browserless: BrowserlessDeps;
  constructor(deps: TokenManagerDeps) {
    ({ vault: this.vault, states: this.states, registrar: this.registrar, actor: this.actor, fetch: this.fetch, clock: this.clock } = deps);
    this.browserless = { vault: this.vault, states: this.states, clients: this.registrar.store, fetch: this.fetch, clock: this.clock, tokens: this };
  }

  private lockFile(serverId: string): string {
    return path.join(this.states.paths.lockDir, `${serverId}.refresh`);
  }

  /** Stores a token response (from a sign-in or a refresh) in the keychain and the state record. */
  async save(server: ServerConfig, response: oauth.TokenEndpointResponse, details: { issuer: string; clientId: string; requestedScopes?: string[]; previous?: ServerState; refresh?: boolean; lock?: HeldLock }): Promise<ServerState> {
    const now = this.clock();
    // Refuse an absurd token before writing anything, so nothing is half-stored.
    assertStorable(`access token from ${details.issuer}`, response.access_token);
    if (response.refresh_token) assertStorable(`refresh token from ${details.issuer}`, response.refresh_token);
    await details.lock?.assertHeld();
    // The refresh token first: after a rotation the old one is dead, so the new one must not be lost.
    if (response.refresh_token) await this.vault.set(secretNames.refreshToken(server.id), response.refresh_token);
    await this.vault.set(secretNames.accessToken(server.id), response.access_token);
    const granted = response.scope?.split(/\s+/).filter(Boolean) ?? details.previous?.scopes ?? details.requestedScopes ?? [];
    const previous = details.previous ?? (await this.states.read(server.id));
    const hasRefreshToken = Boolean(response.refresh_token) || (previous.hasRefreshToken && Boolean(details.previous));
    const lifetime = plannedLifetime(response.expires_in, hasRefreshToken);
    // A refresh keeps a pending step-up (the new token has no more scopes than the old one).
    const stepUpPending = details.refresh === true && previous.status === 'needs-more-access';
    return this.states.write({
      ...previous,
      status: stepUpPending ? 'needs-more-access' : 'connected',
      expiresAt: lifetime === null ? null : now + lifetime * 1000,
      scopes: granted,
      requestedScopes: stepUpPending ? previous.requestedScopes : [],
      hasRefreshToken,
      authorizationServer: details.issuer,
      clientId: details.clientId,
      lastRefreshAt: now,
      lastRefreshBy: this.actor,
      lastError: null,
      refreshStartedAt: null,
      refreshingPid: null,
      refreshFailure: null,
    });
  }

  /**
   * A usable access token for the server. `rejected` is a token the server just
   * answered 401 to: it is never handed out again, and a refresh is forced.
   */
  async getAccessToken(server: ServerConfig, options: { rejected?: string; minValidityMs?: number } = {}): Promise<AccessToken> {
    const state = await this.states.read(server.id);
    const token = await this.vault.get(secretNames.accessToken(server.id));
    if (token && token !== options.rejected && !needsRefresh(state, this.clock(), options.minValidityMs)) return this.describe(token, state);
    return withFileLock(this.lockFile(server.id), (lock) => this.refreshLocked(server, lock, options.rejected, options.minValidityMs));
  }

  private describe(token: string, state: ServerState): AccessToken {
    return { token, expiresAt: state.expiresAt, refreshAt: state.expiresAt === null ? null : state.expiresAt - refreshMargin(state) };
  }

  private async refreshLocked(server: ServerConfig, lock: HeldLock, rejected: string | undefined, minValidityMs = 0): Promise<AccessToken> {
    // Re-read: another process may have refreshed while we waited for the lock.
    const state = await this.states.read(server.id);
    const current = await this.vault.get(secretNames.accessToken(server.id));
    if (current && current !== rejected && !needsRefresh(state, this.clock(), minValidityMs)) return this.describe(current, state);
    // Machine-to-machine and enterprise-managed servers have no refresh token: ask again.
    if (isBrowserless(server)) {
      const renewed = await renewBrowserlessToken(server, this.browserless, state, current, rejected);
      return this.describe(renewed.token, renewed.state);
    }

    const refreshToken = await this.vault.get(secretNames.refreshToken(server.id));
    const stillValid = current && current !== rejected && (state.expiresAt === null || state.expiresAt > this.clock());
    if (!refreshToken || server.auth.kind !== 'oauth' || state.authorizationServer === null) {
      if (stillValid) return this.describe(current, state);
      throw await this.markNeedsSignIn(server, current ? 'The access token expired and there is no refresh token.' : 'Not signed in.');
    }

    // A refresh token whose last attempt failed without an answer (the server hung, the
    // lock was lost) may already have been used: no process resends it before the backoff.
    const fingerprint = tokenFingerprint(refreshToken);
    const failure = state.refreshFailure;
    if (failure && failure.fingerprint === fingerprint && this.clock() < failure.retryAt) {
      if (stillValid) return this.describe(current, state);
      // The token ran out meanwhile: say so, rather than showing "connected".
      if (state.status !== 'error') await this.states.write({ ...state, status: 'error', lastError: failure.message });
      const wait = Math.ceil((failure.retryAt - this.clock()) / 1000);
      throw new KeyringError(
        'token-request-failed',
        `Refreshing the token for ${server.name} failed ${Math.round((this.clock() - failure.at) / 1000)} s ago (${failure.message}); MCP Keyring tries again in ${wait} s. To sign in now, run \`mcp-keyring connect ${server.id}\` or click Connect in MCP Keyring.`,
      );
    }

    await lock.assertHeld();
    await this.states.write({ ...state, status: 'refreshing', refreshStartedAt: this.clock(), refreshingPid: process.pid });
    try {
      const issuer = state.authorizationServer;
      const { response, clientId } = await this.refreshGrant(server, server.auth, issuer, state.clientId, refreshToken, lock);
      const saved = await this.save(server, response, { issuer, clientId, previous: { ...state, hasRefreshToken: true }, refresh: true, lock });
      recordHistory(this.states.paths, server.id, { kind: 'refreshed', by: this.actor, scopes: saved.scopes });
      return this.describe(response.access_token, saved);
    } catch (error) {
      recordHistory(this.states.paths, server.id, { kind: 'refresh-failed', by: this.actor, message: error instanceof Error ? error.message : String(error) });
      if (isKeyringError(error, 'needs-sign-in')) {
        throw await this.markNeedsSignIn(server, error.message);
      }
      const message = error instanceof Error ? error.message : String(error);
      const now = this.clock();
      const count = failure && failure.fingerprint === fingerprint ? failure.count + 1 : 1;
      // A request that never left (no such host, refused connection, untrusted
      // certificate) cannot have spent the refresh token: the next caller may try again.
      const refreshFailure = neverSent(error)
        ? null
        : { at: now, retryAt: now + Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** (count - 1)), count, fingerprint, message };
      // After losing the lock, another process may own the record now: touch only our own "refreshing".
      const latest = isKeyringError(error, 'lock-lost') ? await this.states.read(server.id) : state;
      if (latest === state || (latest.status === 'refreshing' && latest.refreshingPid === process.pid)) {
        await this.states.write({ ...latest, status: stillValid ? 'connected' : 'error', lastError: message, refreshStartedAt: null, refreshingPid: null, refreshFailure });
      }
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
    lock: HeldLock,
  ): Promise<{ response: oauth.TokenEndpointResponse; clientId: string }> {
    const entry = await this.registrar.store.get(issuer);
    if (!entry) throw new KeyringError('needs-sign-in', `MCP Keyring has no metadata for ${issuer} any more.`);
    const as = entry.metadata;
    const { client, auth } = await this.registrar.forTokens(server.id, options, issuer, tokenClientId);
    const additionalParameters: Record<string, string> = {};
    if (options.sendResource) additionalParameters.resource = server.url;
    if (options.audience) additionalParameters.audience = options.audience;
    // The request stops when its deadline passes or the lock is lost, whichever comes first.
    const http = { ...oauthHttpOptions(as.token_endpoint!, this.fetch), signal: () => AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), lock.signal]) };
    try {
      await lock.assertHeld();
      const response = await oauthCall(as.token_endpoint!, async () =>
        oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, { ...http, additionalParameters })),
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
    await this.states.write({ ...state, status: 'needs-sign-in', expiresAt: null, hasRefreshToken: false, lastError: reason, refreshStartedAt: null, refreshingPid: null, refreshFailure: null });
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
    recordHistory(this.states.paths, server.id, { kind: 'step-up-requested', by: this.actor, scopes: requested });
    await this.states.write({ ...state, status: 'needs-more-access', requestedScopes: requested, lastError: `The server asked for more access (${requested.join(' ')}).` });
    return new KeyringError(
      'insufficient-scope',
      `${server.name} needs more access (${requested.join(' ')}): run \`mcp-keyring connect ${server.id}\` or click Reconnect in MCP Keyring to grant it.`,
    );
  }
}
