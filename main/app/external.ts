// Opening links in the user's browser. Only http(s) URLs ever reach
// shell.openExternal: a file:, smb:, javascript: or custom-scheme URL from a page
// could run a program or leak credentials (Electron security checklist, item 15).
import { KeyringError } from '../core/errors';

export function isSafeExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 8192) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  // No user:password@ part: it hides the real host from the user.
  return parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
}

/**
 * Opens an http(s) URL with `open` (shell.openExternal in the app); refuses the rest.
 * The opener is passed in so this module stays free of electron and testable.
 */
export async function safeOpenExternal(url: string, open: (url: string) => Promise<void>): Promise<void> {
  if (!isSafeExternalUrl(url)) {
    throw new KeyringError('invalid-input', 'Only http:// and https:// links can be opened in the browser.');
  }
  await open(new URL(url).href);
}
