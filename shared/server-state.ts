// The public (non-secret) state of one server's credentials. Every process that
// touches a token writes it atomically, so the tray, the window and `status` can
// show what a bridge did without asking it.
import { z } from 'zod';

/** What is stored. "expiring" is not stored: it is derived from expiresAt (see displayStatus). */
export const StoredStatusSchema = z.enum([
  'not-connected',
  'connected',
  'refreshing',
  'needs-sign-in',
  'needs-more-access',
  'error',
]);
export type StoredStatus = z.infer<typeof StoredStatusSchema>;

export const ServerStateSchema = z.object({
  id: z.string(),
  status: StoredStatusSchema,
  /** Access-token expiry, ms since epoch; null when unknown or not applicable. */
  expiresAt: z.number().nullable(),
  /** Scopes granted by the last token response. */
  scopes: z.array(z.string()),
  /** Scopes a server asked for in a 403 insufficient_scope, for step-up. */
  requestedScopes: z.array(z.string()).default([]),
  hasRefreshToken: z.boolean().default(false),
  /** Issuer of the authorization server that issued the tokens. */
  authorizationServer: z.string().nullable().default(null),
  /** The client id the tokens were issued to (refresh and revocation must use the same). */
  clientId: z.string().nullable().default(null),
  lastRefreshAt: z.number().nullable(),
  /** Which process refreshed last, e.g. "bridge (pid 4242)". */
  lastRefreshBy: z.string().nullable(),
  lastError: z.string().nullable(),
  updatedAt: z.number(),
  /** While status is "refreshing": when it started and which process (readers treat an old one as stale). */
  refreshStartedAt: z.number().nullable().default(null),
  refreshingPid: z.number().nullable().default(null),
  /**
   * The last refresh attempt that failed without an answer about the token (timeout,
   * network, server error, lost lock): the refresh token it sent (a short hash, never
   * the token) is not sent again by any process before `retryAt`.
   */
  refreshFailure: z
    .object({ at: z.number(), retryAt: z.number(), count: z.number(), fingerprint: z.string(), message: z.string() })
    .nullable()
    .default(null),
});
export type ServerState = z.infer<typeof ServerStateSchema>;

export const DisplayStatusSchema = z.enum([
  'not-connected',
  'connected',
  'expiring',
  'refreshing',
  'needs-sign-in',
  'needs-more-access',
  'error',
]);
export type DisplayStatus = z.infer<typeof DisplayStatusSchema>;

// Status logic without zod, so the renderer can use it without bundling zod.
export { displayStatus, emptyState, EXPIRING_SOON_MS, type ServerView } from './status';
