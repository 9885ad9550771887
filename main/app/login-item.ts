// "Start at login". macOS and Windows: Electron's app.setLoginItemSettings. Linux
// (where Electron has no login items): an XDG autostart entry,
// ~/.config/autostart/mcp-keyring.desktop. Started at login, the app comes up in
// the tray only (the --hidden flag, or macOS's wasOpenedAtLogin), without a window.
// Plain Node apart from the `host` (electron's app), which is passed in.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../core/fs/atomic-write';

export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE_NAME = 'mcp-keyring.desktop';

/** The slice of Electron's `app` used here. */
export interface LoginItemHost {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export function autostartFile(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(config, 'autostart', AUTOSTART_FILE_NAME);
}

// Desktop Entry spec, "The Exec key": an argument with a reserved character is
// double-quoted, and inside the quotes ", `, $ and \ take a backslash. The value is
// then a string value, whose own escape rule doubles each backslash; a literal % is %%.
const PLAIN_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteExecArg(arg: string): string {
  if (/[\n\r\t\0]/.test(arg)) throw new Error('A command-line argument for the autostart entry cannot contain control characters.');
  if (arg !== '' && PLAIN_ARG.test(arg)) return arg;
  return `"${arg.replace(/["`$\\]/g, '\\$&')}"`;
}

export function execValue(argv: readonly string[]): string {
  return argv
    .map(quoteExecArg)
    .join(' ')
    .replace(/\\/g, '\\\\')
    .replace(/%/g, '%%');
}

export function desktopEntry(argv: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=MCP Keyring',
    'Comment=Keeps the sign-ins of your remote MCP servers fresh',
    `Exec=${execValue(argv)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Enabled when our entry exists and nothing in it turns it off. */
export async function readAutostart(file: string): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return false;
  }
  return !/^\s*Hidden\s*=\s*true\s*$/im.test(text) && !/^\s*X-GNOME-Autostart-enabled\s*=\s*false\s*$/im.test(text);
}

export async function writeAutostart(file: string, enabled: boolean, argv: readonly string[]): Promise<void> {
  if (enabled) await writeFileAtomic(file, desktopEntry(argv), { mode: 0o644 });
  else await fs.rm(file, { force: true });
}

export interface LoginItem {
  get(): Promise<boolean>;
  set(enabled: boolean): Promise<boolean>;
}

export interface LoginItemOptions {
  platform: NodeJS.Platform;
  host: LoginItemHost;
  /** Linux: the autostart file and the command that starts the app (without the --hidden flag). */
  linux?: { file: string; argv: string[] };
}

export function createLoginItem(options: LoginItemOptions): LoginItem {
  const { platform, host } = options;
  if (platform === 'linux') {
    const linux = options.linux;
    if (!linux) throw new Error('The Linux login item needs the autostart file and the command.');
    return {
      get: () => readAutostart(linux.file),
      async set(enabled) {
        await writeAutostart(linux.file, enabled, [...linux.argv, HIDDEN_FLAG]);
        return readAutostart(linux.file);
      },
    };
  }
  // Windows matches the login item by its arguments, so both calls pass the same ones.
  const args = platform === 'win32' ? [HIDDEN_FLAG] : undefined;
  return {
    get: async () => host.getLoginItemSettings(args ? { args } : undefined).openAtLogin,
    async set(enabled) {
      host.setLoginItemSettings({ openAtLogin: enabled, ...(args ? { args } : {}) });
      return host.getLoginItemSettings(args ? { args } : undefined).openAtLogin;
    },
  };
}

/** Whether this launch came from the login item: then the app starts in the tray, windowless. */
export function startedAtLogin(argv: readonly string[], platform: NodeJS.Platform, host: Pick<LoginItemHost, 'getLoginItemSettings'>): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  if (platform === 'darwin') {
    try {
      return host.getLoginItemSettings().wasOpenedAtLogin === true;
    } catch {
      return false;
    }
  }
  return false;
}
