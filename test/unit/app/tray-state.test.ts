import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { emptyState, type DisplayStatus, type ServerView } from '../../../shared/server-state';
import {
  aggregateStatus,
  connectLabel,
  iconFor,
  newlyNeedingSignIn,
  signInNotification,
  STATUS_LABELS,
  TRAY_ICONS,
  trayMenuTemplate,
  trayTooltip,
  withHandlers,
  type AggregateStatus,
  type TrayAction,
  type TrayMenuItem,
} from '../../../main/app/tray-state';
import { repoRoot } from '../../helpers/keyring-env';

const ALL: DisplayStatus[] = ['not-connected', 'connected', 'expiring', 'refreshing', 'needs-sign-in', 'needs-more-access', 'error'];

function view(id: string, status: DisplayStatus, authKind: ServerView['authKind'] = 'oauth'): ServerView {
  return { id, name: id.toUpperCase(), url: `https://${id}.example/mcp`, authKind, status, state: emptyState(id, 0) };
}

test('aggregate status for every display status alone', () => {
  const expected: Record<DisplayStatus, AggregateStatus> = {
    'not-connected': 'ok',
    connected: 'ok',
    expiring: 'attention',
    refreshing: 'attention',
    'needs-sign-in': 'needs-sign-in',
    'needs-more-access': 'needs-sign-in',
    error: 'needs-sign-in',
  };
  for (const status of ALL) assert.equal(aggregateStatus([view('a', status)]), expected[status], status);
  assert.equal(aggregateStatus([]), 'no-servers');
});

test('aggregate status: the worst server decides', () => {
  assert.equal(aggregateStatus([view('a', 'connected'), view('b', 'not-connected')]), 'ok');
  assert.equal(aggregateStatus([view('a', 'connected'), view('b', 'expiring')]), 'attention');
  assert.equal(aggregateStatus([view('a', 'refreshing'), view('b', 'error'), view('c', 'connected')]), 'needs-sign-in');
  assert.equal(aggregateStatus([view('a', 'needs-more-access'), view('b', 'expiring')]), 'needs-sign-in');
});

test('tooltip counts servers per status, good news first', () => {
  assert.equal(trayTooltip([]), 'MCP Keyring — no servers yet');
  assert.equal(trayTooltip([view('a', 'connected')]), 'MCP Keyring — 1 server: 1 connected');
  assert.equal(
    trayTooltip([view('a', 'connected'), view('b', 'needs-sign-in'), view('c', 'connected')]),
    'MCP Keyring — 3 servers: 2 connected, 1 needs sign-in',
  );
  assert.equal(
    trayTooltip([view('a', 'error'), view('b', 'needs-sign-in'), view('c', 'needs-sign-in'), view('d', 'expiring'), view('e', 'not-connected'), view('f', 'needs-more-access'), view('g', 'refreshing')]),
    'MCP Keyring — 7 servers: 1 expiring soon, 1 refreshing, 1 not connected, 2 need sign-in, 1 needs more access, 1 with an error',
  );
  assert.equal(trayTooltip([view('a', 'error'), view('b', 'error')]), 'MCP Keyring — 2 servers: 2 with errors');
  // Windows cuts tray tooltips at 127 characters: a long one loses the name first, then its end.
  const many = trayTooltip(ALL.flatMap((s, i) => [view(`a${i}`, s), view(`b${i}`, s)]));
  assert.equal(many, '14 servers: 2 connected, 2 expiring soon, 2 refreshing, 2 not connected, 2 need sign-in, 2 need more access, 2 with errors');
  const huge = trayTooltip(ALL.flatMap((s, i) => Array.from({ length: 200 }, (_, j) => view(`s${i}-${j}`, s))));
  assert.equal(huge.length, 127);
  assert.ok(huge.endsWith('…'));
});

test('menu: one row per server with its status, then open, start at login and quit', () => {
  const menu = trayMenuTemplate([view('github', 'connected'), view('linear', 'needs-sign-in')], { startAtLogin: true });
  assert.deepEqual(menu, [
    {
      type: 'submenu',
      label: 'GITHUB — Connected',
      submenu: [
        { type: 'normal', label: 'Reconnect', action: { type: 'connect', id: 'github' } },
        { type: 'normal', label: 'Show in MCP Keyring', action: { type: 'open-server', id: 'github' } },
      ],
    },
    {
      type: 'submenu',
      label: 'LINEAR — Needs sign-in',
      submenu: [
        { type: 'normal', label: 'Connect', action: { type: 'connect', id: 'linear' } },
        { type: 'normal', label: 'Show in MCP Keyring', action: { type: 'open-server', id: 'linear' } },
      ],
    },
    { type: 'separator' },
    { type: 'normal', label: 'Open MCP Keyring', action: { type: 'open' } },
    { type: 'checkbox', label: 'Start at login', checked: true, action: { type: 'toggle-login' } },
    { type: 'separator' },
    { type: 'normal', label: 'Quit', action: { type: 'quit' } },
  ]);
  // Plain data: survives a JSON round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(menu)), menu);
});

test('menu: every status has a row label and a fitting connect label', () => {
  const labels: Record<DisplayStatus, string> = {
    'not-connected': 'Connect',
    connected: 'Reconnect',
    expiring: 'Reconnect',
    refreshing: 'Reconnect',
    'needs-sign-in': 'Connect',
    'needs-more-access': 'Reconnect to grant more access',
    error: 'Reconnect',
  };
  for (const status of ALL) {
    const [row] = trayMenuTemplate([view('s', status)], { startAtLogin: false });
    assert.equal(row!.label, `S — ${STATUS_LABELS[status]}`);
    assert.equal(row!.submenu![0]!.label, labels[status]);
    assert.equal(connectLabel(status), labels[status]);
  }
});

test('menu: empty list, API-key servers, sign-ins under way, login checkbox off', () => {
  const empty = trayMenuTemplate([], { startAtLogin: false });
  assert.deepEqual(empty[0], { type: 'normal', label: 'No servers yet', enabled: false });
  assert.equal(empty.find((i) => i.type === 'checkbox')!.checked, false);

  const [keyed] = trayMenuTemplate([view('k', 'connected', 'header')], { startAtLogin: false });
  assert.deepEqual(keyed!.submenu, [{ type: 'normal', label: 'Show in MCP Keyring', action: { type: 'open-server', id: 'k' } }]);

  const [busy] = trayMenuTemplate([view('b', 'not-connected')], { startAtLogin: false, connecting: new Set(['b']) });
  assert.deepEqual(busy!.submenu![0], { type: 'normal', label: 'Connecting…', enabled: false, action: { type: 'connect', id: 'b' } });
});

test('withHandlers turns actions into clicks and keeps the rest', () => {
  const seen: TrayAction[] = [];
  const items = withHandlers(trayMenuTemplate([view('a', 'connected')], { startAtLogin: false }), (action) => seen.push(action));
  const clickAll = (list: typeof items): void => {
    for (const item of list) {
      if (item.type === 'separator' || item.type === 'submenu') assert.equal(item.click, undefined);
      item.click?.();
      if (item.submenu) clickAll(item.submenu);
    }
  };
  clickAll(items);
  assert.deepEqual(seen, [
    { type: 'connect', id: 'a' },
    { type: 'open-server', id: 'a' },
    { type: 'open' },
    { type: 'toggle-login' },
    { type: 'quit' },
  ]);
  assert.equal(items.find((i) => i.type === 'checkbox')!.checked, false);
});

test('an icon file per aggregate state, 16×16 with a 32×32 @2x beside it, and the 512×512 app icon', () => {
  const dir = path.join(repoRoot, 'main', 'app', 'icons');
  const size = (file: string): [number, number] => {
    const bytes = fs.readFileSync(path.join(dir, file));
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is a PNG`);
    return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  };
  const states: AggregateStatus[] = ['no-servers', 'ok', 'attention', 'needs-sign-in'];
  assert.equal(new Set(states.map(iconFor)).size, states.length, 'one distinct icon per state');
  for (const state of states) {
    const file = iconFor(state);
    assert.equal(file, TRAY_ICONS[state]);
    assert.deepEqual(size(file), [16, 16]);
    assert.deepEqual(size(file.replace(/\.png$/, '@2x.png')), [32, 32]);
  }
  assert.deepEqual(size('app.png'), [512, 512]);
});

test('newlyNeedingSignIn: only servers that just moved into needs-sign-in or needs-more-access', () => {
  const before = [view('a', 'connected'), view('b', 'needs-sign-in'), view('c', 'refreshing'), view('d', 'needs-more-access')];
  const after = [view('a', 'needs-sign-in'), view('b', 'needs-sign-in'), view('c', 'needs-more-access'), view('d', 'needs-sign-in'), view('e', 'needs-sign-in')];
  assert.deepEqual(newlyNeedingSignIn(before, after), ['a', 'c', 'd', 'e']);
  assert.deepEqual(newlyNeedingSignIn(after, after), []);
  // The first snapshot after start-up notifies nothing: the icon already tells.
  assert.deepEqual(newlyNeedingSignIn(undefined, after), []);
  // Leaving the state is no news.
  assert.deepEqual(newlyNeedingSignIn(after, [view('a', 'connected')]), []);
  for (const status of ['error', 'expiring', 'connected', 'not-connected', 'refreshing'] as const) {
    assert.deepEqual(newlyNeedingSignIn([view('x', 'connected')], [view('x', status)]), [], status);
  }
});

test('notification text names the server and the step', () => {
  assert.deepEqual(signInNotification({ name: 'GitHub', status: 'needs-sign-in' }), {
    title: 'Sign in to GitHub',
    body: 'GitHub needs you to sign in again. Click to open MCP Keyring.',
  });
  assert.match(signInNotification({ name: 'Linear', status: 'needs-more-access' }).title, /Linear needs more access/);
});

// Keeps the type import used even if the compiler drops unused checks.
export type { TrayMenuItem };
