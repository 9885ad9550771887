// One record per MCP client: where its config file lives, which key holds its
// server entries, and how our bridge launch is spelled in that client's dialect.
import path from 'node:path';
import type { ClientId } from '../../../shared/ipc-contract';
import { KeyringError } from '../errors';
import type { BridgeLaunch, BridgeLaunchKind } from './launch';

export type { ClientId };

export const CLIENT_IDS: readonly ClientId[] = ['claude-desktop', 'cursor', 'vscode', 'claude-code', 'windsurf'];

export interface ClientTarget {
  id: ClientId;
  label: string;
  configPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, homedir: string): string;
  /** 'json': the client parses strictly, so comments are refused; 'jsonc': comments and trailing commas are allowed and kept. */
  format: 'json' | 'jsonc';
  /** The object in the file that maps server names to entries. */
  container: string;
  supports: BridgeLaunchKind[];
  /** Whether the client only sees the change after a restart. */
  restartNeeded: boolean;
  restartHint: string;
  /** The entry for this client; throws KeyringError('invalid-input') for an unsupported launch. */
  entry(launch: BridgeLaunch): unknown;
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Electron's appData: ~/Library/Application Support, %APPDATA%, or $XDG_CONFIG_HOME / ~/.config. */
function appDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, homedir: string): string {
  const p = pathFor(platform);
  if (platform === 'darwin') return p.join(homedir, 'Library', 'Application Support');
  if (platform === 'win32') return env.APPDATA || p.join(homedir, 'AppData', 'Roaming');
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  return xdg && p.isAbsolute(xdg) ? xdg : p.join(homedir, '.config');
}

function withOptional<T extends object>(base: T, key: string, value: Record<string, string> | undefined): T {
  return value && Object.keys(value).length > 0 ? { ...base, [key]: { ...value } } : base;
}

function unsupported(label: string, launch: BridgeLaunch): never {
  const reasons: Record<BridgeLaunchKind, string> = {
    stdio: `${label} cannot start a local command`,
    http: `${label}'s config file cannot hold a URL entry; it only starts local commands, so use the stdio bridge`,
    'headers-helper': `${label} has no headers-helper setting (only Claude Code has); use the stdio bridge or a plain URL`,
  };
  throw new KeyringError('invalid-input', `${reasons[launch.kind]}.`);
}

function stdioEntry(launch: Extract<BridgeLaunch, { kind: 'stdio' }>, typed: boolean): object {
  const base = typed
    ? { type: 'stdio', command: launch.command, args: [...launch.args] }
    : { command: launch.command, args: [...launch.args] };
  return withOptional(base, 'env', launch.env);
}

export const CLIENT_TARGETS: Readonly<Record<ClientId, ClientTarget>> = {
  'claude-desktop': {
    id: 'claude-desktop',
    label: 'Claude Desktop',
    configPath: (platform, env, homedir) => pathFor(platform).join(appDataDir(platform, env, homedir), 'Claude', 'claude_desktop_config.json'),
    format: 'json',
    container: 'mcpServers',
    supports: ['stdio'],
    restartNeeded: true,
    restartHint: 'Quit and reopen Claude Desktop',
    entry(launch) {
      if (launch.kind !== 'stdio') return unsupported('Claude Desktop', launch);
      return stdioEntry(launch, false);
    },
  },
  cursor: {
    id: 'cursor',
    label: 'Cursor',
    configPath: (platform, _env, homedir) => pathFor(platform).join(homedir, '.cursor', 'mcp.json'),
    format: 'json',
    container: 'mcpServers',
    supports: ['stdio', 'http'],
    restartNeeded: false,
    restartHint: 'Cursor picks it up; toggle the server in Settings → MCP if it does not appear',
    entry(launch) {
      if (launch.kind === 'stdio') return stdioEntry(launch, false);
      if (launch.kind === 'http') return withOptional({ url: launch.url }, 'headers', launch.headers);
      return unsupported('Cursor', launch);
    },
  },
  vscode: {
    id: 'vscode',
    label: 'VS Code',
    configPath: (platform, env, homedir) => pathFor(platform).join(appDataDir(platform, env, homedir), 'Code', 'User', 'mcp.json'),
    format: 'jsonc',
    container: 'servers',
    supports: ['stdio', 'http'],
    restartNeeded: false,
    restartHint: 'VS Code picks it up; start the server from the MCP view if it does not appear',
    entry(launch) {
      if (launch.kind === 'stdio') return stdioEntry(launch, true);
      if (launch.kind === 'http') return withOptional({ type: 'http', url: launch.url }, 'headers', launch.headers);
      return unsupported('VS Code', launch);
    },
  },
  'claude-code': {
    id: 'claude-code',
    label: 'Claude Code',
    // User scope. Claude Code keeps this file in CLAUDE_CONFIG_DIR when that is set.
    configPath: (platform, env, homedir) => pathFor(platform).join(env.CLAUDE_CONFIG_DIR || homedir, '.claude.json'),
    format: 'json',
    container: 'mcpServers',
    supports: ['stdio', 'http', 'headers-helper'],
    restartNeeded: true,
    restartHint: 'Restart Claude Code sessions',
    entry(launch) {
      if (launch.kind === 'stdio') return stdioEntry(launch, true);
      if (launch.kind === 'http') return withOptional({ type: 'http', url: launch.url }, 'headers', launch.headers);
      return { type: 'http', url: launch.url, headersHelper: launch.headersHelper };
    },
  },
  windsurf: {
    id: 'windsurf',
    label: 'Windsurf',
    configPath: (platform, _env, homedir) => pathFor(platform).join(homedir, '.codeium', 'windsurf', 'mcp_config.json'),
    format: 'json',
    container: 'mcpServers',
    supports: ['stdio', 'http'],
    restartNeeded: false,
    restartHint: "Press refresh in Windsurf's MCP panel",
    entry(launch) {
      if (launch.kind === 'stdio') return stdioEntry(launch, false);
      if (launch.kind === 'http') return withOptional({ serverUrl: launch.url }, 'headers', launch.headers);
      return unsupported('Windsurf', launch);
    },
  },
};

export function clientTarget(id: ClientId): ClientTarget {
  const target = (CLIENT_TARGETS as Record<string, ClientTarget | undefined>)[id];
  if (!target) throw new KeyringError('invalid-input', `Unknown MCP client "${id}"; known clients: ${CLIENT_IDS.join(', ')}.`);
  return target;
}
