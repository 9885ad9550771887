// The zod schema of the public (non-secret) state of one server's credentials. Every
// process that touches a token writes it atomically, so the tray, the window and
// `status` can show what a bridge did without asking it. The plain types live in
// status.ts (imported one way only); the check at the bottom fails the type-check
// if the schema and those types drift apart.
import * as z from 'zod';
import type { DisplayStatus, ServerState, StoredStatus } from './status';

export const StoredStatusSchema = z.enum([
  'not-connected',
  'connected',
  'refreshing',
  'needs-sign-in',
  'needs-more-access',
  'error',
]);

export const ServerStateSchema = z.object({
  id: z.string(),
  status: StoredStatusSchema,
  expiresAt: z.number().nullable(),
  scopes: z.array(z.string()),
  requestedScopes: z.array(z.string()).default([]),
  hasRefreshToken: z.boolean().default(false),
  authorizationServer: z.string().nullable().default(null),
  clientId: z.string().nullable().default(null),
  lastRefreshAt: z.number().nullable(),
  lastRefreshBy: z.string().nullable(),
  lastError: z.string().nullable(),
  updatedAt: z.number(),
  refreshStartedAt: z.number().nullable().default(null),
  refreshingPid: z.number().nullable().default(null),
  refreshFailure: z
    .object({ at: z.number(), retryAt: z.number(), count: z.number(), fingerprint: z.string(), message: z.string() })
    .nullable()
    .default(null),
});

export const DisplayStatusSchema = z.enum([
  'not-connected',
  'connected',
  'expiring',
  'refreshing',
  'needs-sign-in',
  'needs-more-access',
  'error',
]);

/** True only when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compile-time only: each schema parses to exactly its plain type in status.ts. */
const schemasMatchPlainTypes: [
  Equal<z.infer<typeof StoredStatusSchema>, StoredStatus>,
  Equal<z.infer<typeof ServerStateSchema>, ServerState>,
  Equal<z.infer<typeof DisplayStatusSchema>, DisplayStatus>,
] = [true, true, true];
void schemasMatchPlainTypes;

export { displayStatus, emptyState, EXPIRING_SOON_MS, type DisplayStatus, type RefreshFailure, type ServerState, type ServerView, type StoredStatus } from './status';
