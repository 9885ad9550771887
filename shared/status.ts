// What a user should see of a server's state. No zod here (types only from
// server-state.ts), so the window can import it without bundling zod.
import type { DisplayStatus, ServerState } from './server-state';

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
