// The error codes every front end can meet, shared by the core (main/core/errors.ts)
// and the window: code is what programs check, the message is for people.

export const KEYRING_ERROR_CODES = [
  'invalid-input',
  'unknown-server',
  'server-unreachable',
  'no-authorization-server',
  'pkce-unsupported',
  'insecure-endpoint',
  'bad-metadata',
  'issuer-mismatch',
  'registration-required',
  'registration-failed',
  'access-denied',
  'state-mismatch',
  'authorization-failed',
  'browser-timeout',
  'cancelled',
  'port-unavailable',
  'keychain-unavailable',
  'lock-lost',
  'lock-timeout',
  'secret-too-large',
  'needs-sign-in',
  'insufficient-scope',
  'token-request-failed',
  'config-malformed',
  'config-write-failed',
] as const;

export type KeyringErrorCode = (typeof KEYRING_ERROR_CODES)[number];

/**
 * Codes of the IPC boundary itself: 'internal' (a failure that is not a KeyringError),
 * 'forbidden' (a request not from our window), 'ipc-failed' (the call did not get through).
 */
export const IPC_BOUNDARY_CODES = ['internal', 'forbidden', 'ipc-failed'] as const;

/** What an IPC error carries: a KeyringError's code, or one of the boundary's own. */
export type IpcErrorCode = KeyringErrorCode | (typeof IPC_BOUNDARY_CODES)[number];

export function isKeyringErrorCode(value: unknown): value is KeyringErrorCode {
  return typeof value === 'string' && (KEYRING_ERROR_CODES as readonly string[]).includes(value);
}

export function isIpcErrorCode(value: unknown): value is IpcErrorCode {
  return isKeyringErrorCode(value) || (IPC_BOUNDARY_CODES as readonly unknown[]).includes(value);
}
