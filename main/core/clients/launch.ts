// How an MCP client starts or reaches the bridge for one server. The client
// config writer turns one of these into each client's own entry shape.
import path from 'node:path';
import { KeyringError } from '../errors';

export type BridgeLaunch =
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string> }
  | { kind: 'http'; url: string; headers?: Record<string, string> }
  /** Claude Code only: the remote URL plus a command that prints the request headers. */
  | { kind: 'headers-helper'; url: string; headersHelper: string };

export type BridgeLaunchKind = BridgeLaunch['kind'];

export interface BridgeLaunchOptions {
  serverId: string;
  /** 'packaged': the Electron app runs the bridge as plain Node; 'development': node runs it. */
  mode: 'packaged' | 'development';
  /** process.execPath of the app (packaged) or of node (development). */
  execPath: string;
  /** Absolute path to the built bridge bundle. */
  bridgeScript: string;
  /** Extra environment for the bridge, e.g. MCP_KEYRING_HOME when it is not the default. */
  env?: Record<string, string>;
}

function isAbsoluteAnywhere(file: string): boolean {
  return path.posix.isAbsolute(file) || path.win32.isAbsolute(file);
}


/**
 * The stdio launch of the bridge. Clients start it with an unknown working
 * directory and a minimal environment, so both paths must be absolute. No Node
 * options: a V8 flag on the command line costs start-up (Node then cannot use the
 * code cache embedded for its own modules); the bridge sets its memory-saving V8
 * settings itself (main/core/bridge/lean-v8.ts). Configs written by 0.1 still pass
 * --lite-mode and work.
 */
export function bridgeLaunch(options: BridgeLaunchOptions): BridgeLaunch {
  if (!options.serverId) throw new KeyringError('invalid-input', 'The bridge launch needs a server id.');
  if (!isAbsoluteAnywhere(options.execPath)) {
    throw new KeyringError('invalid-input', `The bridge executable must be an absolute path, got "${options.execPath}".`);
  }
  if (!isAbsoluteAnywhere(options.bridgeScript)) {
    throw new KeyringError('invalid-input', `The bridge script must be an absolute path, got "${options.bridgeScript}".`);
  }
  const env: Record<string, string> =
    options.mode === 'packaged'
      ? // The app executable is Electron; this variable makes it behave as node.
        { ...options.env, ELECTRON_RUN_AS_NODE: '1' }
      : { ...options.env };
  const launch: BridgeLaunch = { kind: 'stdio', command: options.execPath, args: [options.bridgeScript, options.serverId] };
  if (Object.keys(env).length > 0) launch.env = env;
  return launch;
}

function checkUrl(url: string, what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KeyringError('invalid-input', `The ${what} "${url}" is not a valid URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new KeyringError('invalid-input', `The ${what} "${url}" must be an http:// or https:// URL.`);
  }
}

/** A client connects to a URL itself, optionally sending one (secret) header. */
export function httpLaunch(url: string, secretHeader?: { name: string; value: string }): BridgeLaunch {
  checkUrl(url, 'bridge URL');
  const launch: BridgeLaunch = { kind: 'http', url };
  if (secretHeader) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(secretHeader.name)) {
      throw new KeyringError('invalid-input', `"${secretHeader.name}" is not a valid HTTP header name.`);
    }
    launch.headers = { [secretHeader.name]: secretHeader.value };
  }
  return launch;
}

/** Claude Code connects to the remote server and runs `command` to get its request headers. */
export function headersHelperLaunch(remoteUrl: string, command: string): BridgeLaunch {
  checkUrl(remoteUrl, 'server URL');
  if (!command.trim()) throw new KeyringError('invalid-input', 'The headers helper command is empty.');
  return { kind: 'headers-helper', url: remoteUrl, headersHelper: command };
}
