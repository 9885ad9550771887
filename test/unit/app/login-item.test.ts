import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  autostartFile,
  createLoginItem,
  desktopEntry,
  execValue,
  HIDDEN_FLAG,
  quoteExecArg,
  readAutostart,
  startedAtLogin,
  type LoginItemHost,
} from '../../../main/app/login-item';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-autostart-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('the autostart file lives in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart', () => {
  assert.equal(autostartFile({ XDG_CONFIG_HOME: '/x/config' }, '/home/u'), '/x/config/autostart/mcp-keyring.desktop');
  assert.equal(autostartFile({}, '/home/u'), '/home/u/.config/autostart/mcp-keyring.desktop');
  // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
  assert.equal(autostartFile({ XDG_CONFIG_HOME: 'rel' }, '/home/u'), '/home/u/.config/autostart/mcp-keyring.desktop');
});

test('Exec quoting follows the Desktop Entry spec', () => {
  assert.equal(quoteExecArg('/usr/bin/mcp-keyring'), '/usr/bin/mcp-keyring');
  assert.equal(quoteExecArg('/opt/MCP Keyring/mcp-keyring'), '"/opt/MCP Keyring/mcp-keyring"');
  assert.equal(quoteExecArg('a"b`c$d\\e'), '"a\\"b\\`c\\$d\\\\e"');
  assert.equal(quoteExecArg(''), '""');
  assert.throws(() => quoteExecArg('a\nb'));
  // In the file the backslashes double again (string value escaping) and % doubles (field codes).
  assert.equal(execValue(['/opt/MCP Keyring/app', '--hidden']), '"/opt/MCP Keyring/app" --hidden');
  assert.equal(execValue(['/home/u/100%/a$b.AppImage']), '"/home/u/100%%/a\\\\$b.AppImage"');
  const entry = desktopEntry(['/opt/MCP Keyring/app', HIDDEN_FLAG]);
  assert.match(entry, /^\[Desktop Entry\]\n/);
  assert.match(entry, /\nType=Application\n/);
  assert.match(entry, /\nExec="\/opt\/MCP Keyring\/app" --hidden\n/);
});

test('Linux: start at login writes, reads and removes the autostart entry', async () => {
  const file = path.join(dir, 'autostart', 'mcp-keyring.desktop');
  const host: LoginItemHost = {
    getLoginItemSettings: () => assert.fail('not used on Linux'),
    setLoginItemSettings: () => assert.fail('not used on Linux'),
  };
  const item = createLoginItem({ platform: 'linux', host, linux: { file, argv: ['/tmp/MCP Keyring.AppImage'] } });
  assert.equal(await item.get(), false);
  assert.equal(await item.set(true), true);
  assert.equal(await item.get(), true);
  const text = await fs.readFile(file, 'utf8');
  assert.match(text, /\nExec="\/tmp\/MCP Keyring.AppImage" --hidden\n/);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o644);
  // Turned off by hand in the desktop's settings: reads as off.
  await fs.writeFile(file, text.replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
  assert.equal(await readAutostart(file), false);
  await fs.writeFile(file, `${text}Hidden=true\n`);
  assert.equal(await readAutostart(file), false);
  assert.equal(await item.set(true), true);
  assert.equal(await item.set(false), false);
  await assert.rejects(fs.stat(file), { code: 'ENOENT' });
  assert.equal(await item.set(false), false, 'turning off twice is fine');
});

test('macOS and Windows: Electron login item settings (Windows with the --hidden argument)', async () => {
  for (const platform of ['darwin', 'win32'] as const) {
    const calls: unknown[] = [];
    let open = false;
    // A stand-in for the two methods of Electron's app that are used.
    const host: LoginItemHost = {
      getLoginItemSettings: (options) => {
        calls.push(['get', options]);
        return { openAtLogin: open };
      },
      setLoginItemSettings: (settings) => {
        calls.push(['set', settings]);
        open = settings.openAtLogin;
      },
    };
    const item = createLoginItem({ platform, host });
    assert.equal(await item.get(), false);
    assert.equal(await item.set(true), true);
    const args = platform === 'win32' ? { args: [HIDDEN_FLAG] } : undefined;
    assert.deepEqual(calls, [
      ['get', args],
      ['set', { openAtLogin: true, ...args }],
      ['get', args],
    ]);
  }
});

test('started at login: the --hidden flag, or macOS wasOpenedAtLogin', () => {
  const host = (was: boolean) => ({ getLoginItemSettings: () => ({ openAtLogin: true, wasOpenedAtLogin: was }) });
  assert.equal(startedAtLogin(['/app', HIDDEN_FLAG], 'linux', host(false)), true);
  assert.equal(startedAtLogin(['/app'], 'linux', host(true)), false);
  assert.equal(startedAtLogin(['/app'], 'darwin', host(true)), true);
  assert.equal(startedAtLogin(['/app'], 'darwin', host(false)), false);
  assert.equal(startedAtLogin(['/app'], 'win32', host(true)), false);
});
