// Every failure a user can meet has a code and a one-line message that says what
// was wrong and what to do. Front ends print `message`; tests match `code`.

export type KeyringErrorCode =
  | 'invalid-input'
  | 'unknown-server'
  | 'server-unreachable'
  | 'no-authorization-server'
  | 'pkce-unsupported'
  | 'insecure-endpoint'
  | 'bad-metadata'
  | 'issuer-mismatch'
  | 'registration-required'
  | 'registration-failed'
  | 'access-denied'
  | 'state-mismatch'
  | 'authorization-failed'
  | 'browser-timeout'
  | 'cancelled'
  | 'port-unavailable'
  | 'keychain-unavailable'
  | 'lock-lost' | 'lock-timeout' | 'secret-too-large'
  | 'needs-sign-in'
  | 'insufficient-scope'
  | 'token-request-failed'
  | 'config-malformed'
  | 'config-write-failed';

export class KeyringError extends Error {
  override readonly name = 'KeyringError';
  constructor(
    readonly code: KeyringErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isKeyringError(error: unknown, code?: KeyringErrorCode): error is KeyringError {
  return error instanceof KeyringError && (code === undefined || error.code === code);
}

/** A message fit for one line of output, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** "error: description" of an OAuth error response, without a doubled full stop. */
export function describeOAuthError(error: { error: string; error_description?: string | undefined; status?: number }): string {
  const description = error.error_description?.trim().replace(/\.+$/, '');
  return `${error.error}${description ? `: ${description}` : ''}${error.status ? `, HTTP ${error.status}` : ''}`;
}
