// One server's history (audit trail) as it crosses the IPC boundary. Never a secret:
// scopes, client names, file paths, processes and short reasons only.

export type HistoryEventKind =
  | 'added'
  | 'signed-in'
  | 'refreshed'
  | 'refresh-failed'
  | 'step-up-requested'
  | 'bridge-401'
  | 'revoked'
  | 'disconnected'
  | 'adopted'
  | 'config-written'
  | 'config-removed'
  | 'removed';

export interface HistoryEvent {
  /** ms since epoch */
  at: number;
  kind: HistoryEventKind;
  /** Which process did it, e.g. "bridge (pid 4242)". */
  by: string;
  scopes?: string[];
  /** A client's label (config events) or where an adoption came from. */
  client?: string;
  /** A config file (config events). */
  path?: string;
  /** A short reason (failures), already redacted. */
  message?: string;
}

export const HISTORY_EVENT_LABELS: Record<HistoryEventKind, string> = {
  added: 'Added',
  'signed-in': 'Signed in',
  refreshed: 'Token refreshed',
  'refresh-failed': 'Refresh failed',
  'step-up-requested': 'More access requested',
  'bridge-401': 'Server answered 401 to a bridge',
  revoked: 'Revoked',
  disconnected: 'Disconnected',
  adopted: 'Adopted',
  'config-written': 'Client config written',
  'config-removed': 'Client config entry removed',
  removed: 'Removed',
};
