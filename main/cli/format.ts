// Plain-text rendering of server status for the terminal. Cells can hold server
// text (scopes, the last error): each is made safe to show (shared/display-text).
import { MESSAGE_MAX, displayText } from '../../shared/display-text';
import type { ServerView } from '../../shared/server-state';

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  // Below ten minutes the seconds matter ("--timeout 90s" must not read as "2 min").
  if (s < 600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} days`;
}

function expiry(view: ServerView, now: number): string {
  const at = view.state.expiresAt;
  if (at === null) return view.authKind === 'oauth' && view.status === 'connected' ? 'no expiry' : '-';
  return at > now ? `in ${formatDuration(at - now)}` : `expired ${formatDuration(now - at)} ago`;
}

export function formatStatusTable(views: ServerView[], now = Date.now()): string {
  const rows = [
    ['ID', 'NAME', 'STATUS', 'EXPIRES', 'SCOPES', 'URL'],
    ...views.map((v) => [v.id, v.name, v.status, expiry(v, now), v.state.scopes.join(' ') || '-', v.url].map((cell) => displayText(cell, MESSAGE_MAX))),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  const errors = views.filter((v) => v.state.lastError).map((v) => displayText(`${v.id}: ${v.state.lastError}`, MESSAGE_MAX));
  return [...lines, ...(errors.length ? ['', ...errors] : [])].join('\n');
}
