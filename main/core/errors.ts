// Every failure a user can meet has a code and a one-line message that says what
// was wrong and what to do. Front ends print `message`; tests match `code`.
// Messages often quote a server (error_description, a URL it sent): they are
// made safe to show here, once, whoever builds them (see shared/display-text).
import { MESSAGE_MAX, SERVER_TEXT_MAX, displayText } from '../../shared/display-text';
import type { KeyringErrorCode } from '../../shared/error-codes';

export type { KeyringErrorCode } from '../../shared/error-codes';

export class KeyringError extends Error {
  override readonly name = 'KeyringError';
  constructor(
    readonly code: KeyringErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(displayText(message, MESSAGE_MAX), options);
  }
}

export function isKeyringError(error: unknown, code?: KeyringErrorCode): error is KeyringError {
  return error instanceof KeyringError && (code === undefined || error.code === code);
}

/** Cap of a message that is not ours. */
const FOREIGN_MESSAGE_MAX = 500;

/** A message fit for one line of output, whatever was thrown (a foreign error may quote a server). */
export function errorMessage(error: unknown): string {
  if (error instanceof KeyringError) return error.message; // already safe (see the constructor)
  // A foreign error's message is a library's words around a server's (a response body, say).
  return displayText(error instanceof Error ? error.message : String(error), FOREIGN_MESSAGE_MAX);
}

/**
 * "error: description" of an OAuth error response, without a doubled full stop.
 * Both parts are the server's words: stripped of control characters and capped.
 */
export function describeOAuthError(error: { error: string; error_description?: string | undefined; status?: number }): string {
  const code = displayText(error.error, 100) || 'error';
  const description = displayText(error.error_description, SERVER_TEXT_MAX).replace(/\.+$/, '');
  return `${code}${description ? `: ${description}` : ''}${error.status ? `, HTTP ${error.status}` : ''}`;
}

/** A piece of server text (or a JSON value from a server) to quote in a message (see shared/display-text). */
export function serverText(value: unknown, max = SERVER_TEXT_MAX): string {
  if (typeof value === 'string') return displayText(value, max);
  // Clean the strings before JSON.stringify, which would turn an ESC into a visible "\u001b…".
  const clean = Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? displayText(item, max) : item)) : value;
  return displayText(clean === undefined ? '' : (JSON.stringify(clean) ?? ''), max);
}
