// What a user should see of a server's state: the plain types and the status logic.
// No zod and no imports, so the window can use it without bundling zod;
// server-state.ts builds the zod schema from these types (and is checked against them).

/** What is stored. "expiring" is not stored: it is derived from expiresAt (see displayStatus). */
export type StoredStatus = 'not-connected' | 'connected' | 'refreshing' | 'needs-sign-in' | 'needs-more-access' | 'error';

/** What a user sees: a stored status, or "expiring". */
export type DisplayStatus = StoredStatus | 'expiring';

/**
 * The last refresh attempt that failed without an answer about the token (timeout,
 * network, server error, lost lock): the refresh token it sent (a short hash, never
 * the token) is not sent again by any process before `retryAt`.
 */
export interface RefreshFailure {
  at: number;
  retryAt: number;
  count: number;
  fingerprint: string;
  message: string;
}

/** The public (non-secret) state of one server's credentials (parsed by ServerStateSchema). */
export interface ServerState {
  id: string;
  status: StoredStatus;
  /** Access-token expiry, ms since epoch; null when unknown or not applicable. */
  expiresAt: number | null;
  /** Scopes granted by the last token response. */
  scopes: string[];
  /** Scopes a server asked for in a 403 insufficient_scope, for step-up. */
  requestedScopes: string[];
  hasRefreshToken: boolean;
  /** Issuer of the authorization server that issued the tokens. */
  authorizationServer: string | null;
  /** The client id the tokens were issued to (refresh and revocation must use the same). */
  clientId: string | null;
  lastRefreshAt: number | null;
  /** Which process refreshed last, e.g. "bridge (pid 4242)". */
  lastRefreshBy: string | null;
  lastError: string | null;
  updatedAt: number;
  /** While status is "refreshing": when it started and which process (readers treat an old one as stale). */
  refreshStartedAt: number | null;
  refreshingPid: number | null;
  refreshFailure: RefreshFailure | null;
}

/** A token counts as expiring when less than this is left and no refresh token can renew it. */
export const EXPIRING_SOON_MS = 5 * 60_000;

export function emptyState(id: string, now = Date.now()): ServerState {
  return {
    id,
    status: 'not-connected',
    expiresAt: null,
    scopes: [],
    requestedScopes: [],
    hasRefreshToken: false,
    authorizationServer: null,
    clientId: null,
    lastRefreshAt: null,
    lastRefreshBy: null,
    lastError: null,
    updatedAt: now,
    refreshStartedAt: null,
    refreshingPid: null,
    refreshFailure: null,
  };
}

/**
 * What a user should see. A connected server whose access token is past or near
 * expiry is "expiring" unless it holds a refresh token (then it renews itself on use).
 */
export function displayStatus(state: ServerState, now = Date.now()): DisplayStatus {
  if (state.status !== 'connected') return state.status;
  if (state.expiresAt !== null && !state.hasRefreshToken && state.expiresAt - now < EXPIRING_SOON_MS) return 'expiring';
  return 'connected';
}

/** One row of the server list, as `status --json`, the window and the tray see it. */
export interface ServerView {
  id: string;
  name: string;
  url: string;
  authKind: 'oauth' | 'header' | 'none';
  status: DisplayStatus;
  state: ServerState;
}
