// Where the app's files are, packaged or not, and how MCP clients start the bridge
// from this install. Pure (paths and environment in, paths out) so both layouts are
// unit-tested without Electron.
//
// Packaged (electron-builder.yml):
//   <resources>/app.asar/dist/app/main.cjs, preload.cjs      ← __dirname of main.cjs
//   <resources>/app.asar/dist/renderer/index.html
//   <resources>/app.asar/main/app/icons/*.png
//   <resources>/app.asar.unpacked/node_modules/keytar        ← native, outside the asar
//   <resources>/bridge.cjs, bridge-bundle.cjs, cli.mjs, …    ← extraResources
// Development: the same below the repository root, with dist/bridge.cjs.
import fs from 'node:fs';
import path from 'node:path';
import { bridgeLaunch, type BridgeLaunch } from '../core/clients/launch';
import { shellCommandLine, type CommandSpec } from './command-line';

export interface AppFiles {
  /** Root of the app: the repository, or the app.asar. */
  root: string;
  preload: string;
  rendererHtml: string;
  iconsDir: string;
}

/** `mainDir` is the directory of main.cjs (dist/app). */
export function appFiles(mainDir: string): AppFiles {
  const root = path.resolve(mainDir, '..', '..');
  return {
    root,
    preload: path.join(mainDir, 'preload.cjs'),
    rendererHtml: path.join(root, 'dist', 'renderer', 'index.html'),
    iconsDir: path.join(root, 'main', 'app', 'icons'),
  };
}

export interface LaunchHost {
  packaged: boolean;
  /** process.execPath: the app's executable. */
  execPath: string;
  /** process.resourcesPath (packaged). */
  resourcesPath: string;
  /** The app root (see appFiles), for the development bridge. */
  root: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

/** The data directory and keychain service of this app, so a bridge uses the same profile. */
export function profileEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  if (env.MCP_KEYRING_HOME) out.MCP_KEYRING_HOME = path.resolve(env.MCP_KEYRING_HOME);
  if (env.MCP_KEYRING_SERVICE) out.MCP_KEYRING_SERVICE = env.MCP_KEYRING_SERVICE;
  return out;
}

/** An executable on PATH, as an absolute path (clients start commands with a minimal PATH). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  const pathValue = env.PATH ?? env.Path ?? '';
  const delimiter = platform === 'win32' ? ';' : ':';
  const extensions = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  for (const dir of pathValue.split(delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, name + ext.toLowerCase());
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * How an MCP client starts the bridge for `serverId` from this install.
 * Packaged: the app's own executable as Node (ELECTRON_RUN_AS_NODE, allowed by the
 * runAsNode fuse) runs resources/bridge.cjs, and finds keytar in app.asar.unpacked.
 * Development: node (absolute, from PATH) runs dist/bridge.cjs; without a node on
 * PATH, the Electron binary does, as in the packaged app.
 */
export function appBridgeLaunch(serverId: string, host: LaunchHost): BridgeLaunch {
  const env = profileEnv(host.env);
  if (host.packaged) {
    return bridgeLaunch({
      serverId,
      mode: 'packaged',
      execPath: host.execPath,
      bridgeScript: path.join(host.resourcesPath, 'bridge.cjs'),
      env: { ...env, MCP_KEYRING_KEYTAR: path.join(host.resourcesPath, 'app.asar.unpacked', 'node_modules', 'keytar') },
    });
  }
  const bridgeScript = path.join(host.root, 'dist', 'bridge.cjs');
  const node = findOnPath('node', host.env, host.platform);
  if (node) return bridgeLaunch({ serverId, mode: 'development', execPath: node, bridgeScript, env });
  return bridgeLaunch({ serverId, mode: 'packaged', execPath: host.execPath, bridgeScript, env });
}

/**
 * How to run our CLI from this install with `args`, laid out like the bridge:
 * packaged, the app's executable as Node (ELECTRON_RUN_AS_NODE=1) runs
 * resources/cli.mjs and finds keytar in app.asar.unpacked; in development an
 * absolute node (from PATH) runs dist/cli.mjs, or Electron as Node without one.
 * The profile (MCP_KEYRING_HOME, MCP_KEYRING_SERVICE) is passed on.
 */
export function appCliSpec(args: string[], host: LaunchHost): CommandSpec {
  const env = profileEnv(host.env);
  if (host.packaged) {
    return {
      command: host.execPath,
      args: [path.join(host.resourcesPath, 'cli.mjs'), ...args],
      env: { ELECTRON_RUN_AS_NODE: '1', ...env, MCP_KEYRING_KEYTAR: path.join(host.resourcesPath, 'app.asar.unpacked', 'node_modules', 'keytar') },
    };
  }
  const cliScript = path.join(host.root, 'dist', 'cli.mjs');
  const node = findOnPath('node', host.env, host.platform);
  if (node) return { command: node, args: [cliScript, ...args], ...(Object.keys(env).length > 0 ? { env } : {}) };
  return { command: host.execPath, args: [cliScript, ...args], env: { ELECTRON_RUN_AS_NODE: '1', ...env } };
}

/** Our CLI with `args` as one shell command line (cmd.exe on Windows, sh elsewhere), e.g. for Claude Code's headersHelper. */
export function appCliCommand(args: string[], host: LaunchHost): string {
  return shellCommandLine(appCliSpec(args, host), host.platform);
}
