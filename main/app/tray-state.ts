// What the tray shows, as pure functions of the server list: the aggregate state
// (which icon), the tooltip, the menu (as plain data carrying actions, not
// callbacks) and which servers just started to need the user. No electron import:
// tray.ts turns these into a Tray and a Menu, and the unit tests read them as they are.
import type { DisplayStatus, ServerView } from '../../shared/server-state';

/**
 * - `no-servers`: nothing added yet.
 * - `needs-sign-in`: some server cannot work until the user acts (needs-sign-in,
 *   needs-more-access or error).
 * - `attention`: some token is about to lapse (expiring) or being renewed (refreshing).
 * - `ok`: everything else. `not-connected` is neutral: it is a state the user chose
 *   (never connected, or disconnected on purpose), nothing broke, and nagging from the
 *   tray about it would be noise; the tooltip and the menu still say "not connected".
 */
export type AggregateStatus = 'no-servers' | 'ok' | 'attention' | 'needs-sign-in';

/** Statuses that need the user to sign in (again) before the server works. */
export const USER_ACTION_STATUSES: readonly DisplayStatus[] = ['needs-sign-in', 'needs-more-access', 'error'];
const ATTENTION_STATUSES: readonly DisplayStatus[] = ['expiring', 'refreshing'];

export function aggregateStatus(views: readonly Pick<ServerView, 'status'>[]): AggregateStatus {
  if (views.length === 0) return 'no-servers';
  if (views.some((v) => USER_ACTION_STATUSES.includes(v.status))) return 'needs-sign-in';
  if (views.some((v) => ATTENTION_STATUSES.includes(v.status))) return 'attention';
  return 'ok';
}

/** The short label of one status, as the tray menu rows show it. */
export const STATUS_LABELS: Record<DisplayStatus, string> = {
  'not-connected': 'Not connected',
  connected: 'Connected',
  expiring: 'Expiring soon',
  refreshing: 'Refreshing…',
  'needs-sign-in': 'Needs sign-in',
  'needs-more-access': 'Needs more access',
  error: 'Error',
};

/** How a count of servers in one status reads in the tooltip ("2 connected", "1 needs sign-in"). */
const COUNT_PHRASES: Record<DisplayStatus, (n: number) => string> = {
  connected: (n) => `${n} connected`,
  expiring: (n) => `${n} expiring soon`,
  refreshing: (n) => `${n} refreshing`,
  'not-connected': (n) => `${n} not connected`,
  'needs-sign-in': (n) => `${n} ${n === 1 ? 'needs' : 'need'} sign-in`,
  'needs-more-access': (n) => `${n} ${n === 1 ? 'needs' : 'need'} more access`,
  error: (n) => `${n} with ${n === 1 ? 'an error' : 'errors'}`,
};
/** Tooltip order: the good news first, as in "2 connected, 1 needs sign-in". */
const TOOLTIP_ORDER: readonly DisplayStatus[] = ['connected', 'expiring', 'refreshing', 'not-connected', 'needs-sign-in', 'needs-more-access', 'error'];

export const APP_NAME = 'MCP Keyring';

export function trayTooltip(views: readonly Pick<ServerView, 'status'>[]): string {
  if (views.length === 0) return `${APP_NAME} — no servers yet`;
  const counts = new Map<DisplayStatus, number>();
  for (const view of views) counts.set(view.status, (counts.get(view.status) ?? 0) + 1);
  const parts = TOOLTIP_ORDER.filter((status) => counts.has(status)).map((status) => COUNT_PHRASES[status](counts.get(status)!));
  const summary = `${views.length} ${views.length === 1 ? 'server' : 'servers'}: ${parts.join(', ')}`;
  const full = `${APP_NAME} — ${summary}`;
  // Windows shows at most 127 characters: drop the name first, then cut.
  if (full.length <= TOOLTIP_MAX) return full;
  return summary.length <= TOOLTIP_MAX ? summary : `${summary.slice(0, TOOLTIP_MAX - 1)}…`;
}

/** The longest tooltip Windows shows (NOTIFYICONDATA.szTip holds 128 UTF-16 units). */
export const TOOLTIP_MAX = 127;

export type TrayActionType = 'connect' | 'open' | 'open-server' | 'toggle-login' | 'quit';
export interface TrayAction {
  type: TrayActionType;
  /** The server, for connect and open-server. */
  id?: string;
}

/** One menu entry as plain data; the shape follows Electron's MenuItemConstructorOptions. */
export interface TrayMenuItem {
  type: 'normal' | 'separator' | 'checkbox' | 'submenu';
  label?: string;
  /** Defaults to true. */
  enabled?: boolean;
  checked?: boolean;
  action?: TrayAction;
  submenu?: TrayMenuItem[];
}

export interface TrayMenuOptions {
  /** The current "Start at login" setting. */
  startAtLogin: boolean;
  /** Servers with a sign-in under way (their Connect item is disabled and says so). */
  connecting?: Iterable<string>;
}

/** The label of the sign-in item, worded like the hints the CLI and the bridge print. */
export function connectLabel(status: DisplayStatus): string {
  switch (status) {
    case 'not-connected':
    case 'needs-sign-in':
      return 'Connect';
    case 'needs-more-access':
      return 'Reconnect to grant more access';
    default:
      return 'Reconnect';
  }
}

export function serverMenuItem(view: ServerView, connecting: boolean): TrayMenuItem {
  const submenu: TrayMenuItem[] = [];
  // API-key and open servers have nothing to sign in to.
  if (view.authKind === 'oauth') {
    submenu.push(
      connecting
        ? { type: 'normal', label: 'Connecting…', enabled: false, action: { type: 'connect', id: view.id } }
        : { type: 'normal', label: connectLabel(view.status), action: { type: 'connect', id: view.id } },
    );
  }
  submenu.push({ type: 'normal', label: 'Show in MCP Keyring', action: { type: 'open-server', id: view.id } });
  return { type: 'submenu', label: `${view.name} — ${STATUS_LABELS[view.status]}`, submenu };
}

export function trayMenuTemplate(views: readonly ServerView[], options: TrayMenuOptions): TrayMenuItem[] {
  const connecting = new Set(options.connecting ?? []);
  const rows: TrayMenuItem[] =
    views.length === 0 ? [{ type: 'normal', label: 'No servers yet', enabled: false }] : views.map((view) => serverMenuItem(view, connecting.has(view.id)));
  return [
    ...rows,
    { type: 'separator' },
    { type: 'normal', label: `Open ${APP_NAME}`, action: { type: 'open' } },
    { type: 'checkbox', label: 'Start at login', checked: options.startAtLogin, action: { type: 'toggle-login' } },
    { type: 'separator' },
    { type: 'normal', label: 'Quit', action: { type: 'quit' } },
  ];
}

/** Tray icon file (in main/app/icons) per aggregate state; a `@2x` variant sits beside each. */
export const TRAY_ICONS: Record<AggregateStatus, string> = {
  'no-servers': 'tray-no-servers.png',
  ok: 'tray-ok.png',
  attention: 'tray-attention.png',
  'needs-sign-in': 'tray-needs-sign-in.png',
};

export function iconFor(aggregate: AggregateStatus): string {
  return TRAY_ICONS[aggregate];
}

/** The statuses a notification announces: the user must sign in (again) for the server to work. */
const NOTIFY_STATUSES: readonly DisplayStatus[] = ['needs-sign-in', 'needs-more-access'];

/**
 * Ids of servers that just moved into needs-sign-in (or needs-more-access, which
 * also takes a sign-in) from any other status. A server missing from
 * `previous` counts as having been elsewhere. With no previous snapshot (the app
 * just started) nothing is new: the tray icon already says it, and a notification
 * at every login would be noise.
 */
export function newlyNeedingSignIn(previous: readonly Pick<ServerView, 'id' | 'status'>[] | undefined, next: readonly Pick<ServerView, 'id' | 'status'>[]): string[] {
  if (!previous) return [];
  const before = new Map(previous.map((view) => [view.id, view.status]));
  return next
    .filter((view) => NOTIFY_STATUSES.includes(view.status) && before.get(view.id) !== view.status)
    .map((view) => view.id);
}

/** Title and body of the notification for a server that needs the user. */
export function signInNotification(view: Pick<ServerView, 'name' | 'status'>): { title: string; body: string } {
  if (view.status === 'needs-more-access') {
    return { title: `${view.name} needs more access`, body: `Click to reconnect ${view.name} in ${APP_NAME} and grant it.` };
  }
  return { title: `Sign in to ${view.name}`, body: `${view.name} needs you to sign in again. Click to open ${APP_NAME}.` };
}

/** A menu entry with its click handler, the shape Menu.buildFromTemplate takes. */
export interface ClickableMenuItem {
  type: TrayMenuItem['type'];
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  submenu?: ClickableMenuItem[];
  click?: () => void;
}

/** Turns the data template into Electron's template: each action becomes a click calling `onAction`. */
export function withHandlers(items: readonly TrayMenuItem[], onAction: (action: TrayAction) => void): ClickableMenuItem[] {
  return items.map((item) => {
    const out: ClickableMenuItem = { type: item.type };
    if (item.label !== undefined) out.label = item.label;
    if (item.enabled !== undefined) out.enabled = item.enabled;
    if (item.checked !== undefined) out.checked = item.checked;
    if (item.submenu) out.submenu = withHandlers(item.submenu, onAction);
    const action = item.action;
    if (action && item.type !== 'submenu' && item.type !== 'separator') out.click = () => onAction({ ...action });
    return out;
  });
}
