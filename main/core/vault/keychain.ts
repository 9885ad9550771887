// The one place that talks to the OS keychain (keytar). Everything secret goes
// through here; nothing else in the code base stores a secret anywhere.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { KeyringError } from '../errors';

export interface KeychainBackend {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

let backend: KeychainBackend | undefined;

/**
 * keytar is a native module: it cannot be bundled, so it is loaded at run time.
 * MCP_KEYRING_KEYTAR points at it where the bridge runs outside node_modules
 * (the packaged app's bridge under resources/ uses the app's unpacked keytar).
 */
/**
 * MCP clients often start the bridge with a filtered environment (the MCP SDK's
 * stdio client passes only HOME, PATH, USER and a few more), which drops the
 * D-Bus address libsecret needs on Linux. The user's session bus has a standard
 * place; use it when the address is missing.
 */
function ensureSessionBus(env: NodeJS.ProcessEnv = process.env): void {
  if (process.platform !== 'linux' || env.DBUS_SESSION_BUS_ADDRESS || typeof process.getuid !== 'function') return;
  const socket = `${env.XDG_RUNTIME_DIR || `/run/user/${process.getuid()}`}/bus`;
  if (existsSync(socket)) env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${socket}`;
}

function loadKeytar(): KeychainBackend {
  if (backend) return backend;
  ensureSessionBus();
  const require = createRequire(import.meta.url);
  const candidates = [process.env.MCP_KEYRING_KEYTAR, 'keytar'].filter((c): c is string => Boolean(c));
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      backend = require(candidate) as KeychainBackend;
      return backend;
    } catch (error) {
      lastError = error;
    }
  }
  throw keychainUnavailable(lastError);
}

function keychainUnavailable(cause: unknown): KeyringError {
  const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  const hint =
    process.platform === 'linux'
      ? 'MCP Keyring needs a Secret Service keychain (GNOME Keyring or KWallet) reachable over D-Bus, and libsecret (Debian/Ubuntu: libsecret-1-0); make sure the keyring is running and unlocked'
      : 'make sure the system keychain is available and unlocked';
  return new KeyringError('keychain-unavailable', `The OS keychain is unavailable (${detail}): ${hint}.`, { cause });
}

/** Runs a keychain call and turns any failure into one clear keychain-unavailable error. */
export async function keychainCall<T>(call: (keytar: KeychainBackend) => Promise<T>): Promise<T> {
  const keytar = loadKeytar();
  try {
    return await call(keytar);
  } catch (error) {
    throw keychainUnavailable(error);
  }
}

/** For tests and the app shell: use another backend (e.g. Electron's bundled keytar). */
export function setKeychainBackend(next: KeychainBackend | undefined): void {
  backend = next;
}
