// Where MCP Keyring keeps its non-secret files, and which keychain service holds its secrets.
// MCP_KEYRING_HOME and MCP_KEYRING_SERVICE let tests and several profiles live side by side.
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_SERVICE = 'mcp-keyring';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'MCP Keyring');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'MCP Keyring');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'mcp-keyring');
}

/**
 * Where the bridge keeps V8's compiled code (main/core/bridge/code-cache.ts): the
 * platform's per-user cache folder, or `<MCP_KEYRING_HOME>/cache` for a profile of its own.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.MCP_KEYRING_HOME) return path.join(path.resolve(env.MCP_KEYRING_HOME), 'cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'MCP Keyring');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'MCP Keyring', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'mcp-keyring');
}

export interface KeyringPaths {
  home: string;
  serversFile: string;
  clientsFile: string;
  stateDir: string;
  lockDir: string;
  logDir: string;
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.MCP_KEYRING_HOME;
  return override ? path.resolve(override) : defaultDataDir(process.platform, env);
}

export function keyringPaths(home = dataDir()): KeyringPaths {
  return {
    home,
    serversFile: path.join(home, 'servers.json'),
    clientsFile: path.join(home, 'clients.json'),
    stateDir: path.join(home, 'state'),
    lockDir: path.join(home, 'locks'),
    logDir: path.join(home, 'logs'),
  };
}

export function serviceName(env: NodeJS.ProcessEnv = process.env): string {
  return env.MCP_KEYRING_SERVICE || DEFAULT_SERVICE;
}
