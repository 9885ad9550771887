// Words and times the window shows.
import type { ClientId, ClientTransport, DiscoveryPreview } from '../shared/ipc-contract';
import type { DisplayStatus, ServerState } from '../shared/server-state';
import { displayStatus, type ServerView } from '../shared/status';
import { MESSAGE_MAX, displayText } from '../shared/display-text';

/**
 * Server-supplied text as the window shows it: the core already cleaned it, but a
 * state file from elsewhere may not be, and React escapes HTML only, not bidi
 * overrides or control characters. One line, capped.
 */
export function serverText(value: string | null | undefined, max = MESSAGE_MAX): string {
  return displayText(value ?? '', max);
}

export const STATUS_LABELS: Record<DisplayStatus, string> = {
  connected: 'Connected',
  expiring: 'Expiring',
  refreshing: 'Refreshing…',
  'needs-sign-in': 'Needs sign-in',
  'needs-more-access': 'Needs more access',
  error: 'Error',
  'not-connected': 'Not connected',
};

export const CLIENT_LABELS: Record<ClientId, string> = {
  'claude-desktop': 'Claude Desktop',
  cursor: 'Cursor',
  vscode: 'VS Code',
  'claude-code': 'Claude Code',
  windsurf: 'Windsurf',
};

export const CLIENT_ORDER: ClientId[] = ['claude-desktop', 'cursor', 'vscode', 'claude-code', 'windsurf'];

/** The entry forms as the "Use in…" menu names them (after the client's name). */
export const TRANSPORT_LABELS: Record<ClientTransport, string> = {
  stdio: 'stdio bridge',
  http: 'local HTTP bridge',
  'headers-helper': 'headers helper (no bridge)',
};

/** What each form means for the user (the menu item's description). */
export const TRANSPORT_DESCRIPTIONS: Record<ClientTransport, string> = {
  stdio: 'The client starts MCP Keyring’s bridge itself; works even when this app is closed.',
  http: 'The client connects by URL to MCP Keyring’s local HTTP bridge; this app must be running.',
  'headers-helper': 'Claude Code connects to the server itself and asks MCP Keyring for a fresh token each time.',
};

/** "Cursor — local HTTP bridge", or just "Claude Desktop" for a client with one form. */
export function clientFormLabel(client: ClientId, transport: ClientTransport, forms: number): string {
  return forms > 1 ? `${CLIENT_LABELS[client]} — ${TRANSPORT_LABELS[transport]}` : CLIENT_LABELS[client];
}

export const REGISTRATION_LABELS: Record<NonNullable<DiscoveryPreview['registration']>, string> = {
  dynamic: 'Dynamic client registration — MCP Keyring registers itself',
  'pre-registered': 'Your client id',
  'metadata-document': 'Client ID metadata document',
  'needs-client-id': 'Needs a client id — this server offers no automatic registration; enter the client id of an app you registered there under “Advanced”',
};

/** "in 5 min", "3 h ago", "just now". */
export function relativeTime(at: number, now: number): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return diff >= 0 ? 'in less than a minute' : 'just now';
  const minutes = Math.round(abs / 60_000);
  let amount: string;
  if (minutes < 60) amount = `${minutes} min`;
  else if (minutes < 48 * 60) amount = `${Math.round(minutes / 60)} h`;
  else amount = `${Math.round(minutes / (24 * 60))} days`;
  return diff >= 0 ? `in ${amount}` : `${amount} ago`;
}

export function absoluteTime(at: number): string {
  return new Date(at).toLocaleString();
}

/** The token-lifetime line of a row, or null when there is nothing to say. */
export function expiryText(server: ServerView, now: number): string | null {
  const { state } = server;
  if (server.authKind !== 'oauth') return null;
  if (!['connected', 'expiring', 'refreshing', 'needs-more-access'].includes(server.status)) return null;
  if (state.expiresAt === null) return 'The access token does not expire.';
  if (state.expiresAt > now) {
    return `Access token expires ${relativeTime(state.expiresAt, now)}${state.hasRefreshToken ? ' · renews automatically' : ' · then you need to sign in again'}`;
  }
  return state.hasRefreshToken
    ? `Access token expired ${relativeTime(state.expiresAt, now)} · renews on next use`
    : `Access token expired ${relativeTime(state.expiresAt, now)} · sign in again`;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The status to show now (the expiring threshold depends on the clock). */
export const liveStatus = (state: ServerState, now: number): DisplayStatus => displayStatus(state, now);
