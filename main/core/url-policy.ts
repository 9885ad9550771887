// Which URLs MCP Keyring talks to: https everywhere, plain http only on loopback.
import { KeyringError } from './errors';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** True when a request to this URL may go out (https, or http on loopback). */
export function isAllowedEndpoint(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** Parses and checks an endpoint; `what` names it in the error, e.g. "authorization_endpoint". */
export function requireSecureUrl(value: unknown, what: string): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new KeyringError('bad-metadata', `The ${what} "${String(value)}" is not a valid URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KeyringError('insecure-endpoint', `Refusing the ${what} ${url.protocol}//…: only https (or http on this computer) is allowed.`);
  }
  if (!isAllowedEndpoint(url)) {
    throw new KeyringError('insecure-endpoint', `Refusing the ${what} ${url.origin}: it is plain http on another host; only https is allowed there.`);
  }
  return url;
}

/**
 * The canonical URI of an MCP server (RFC 8707 `resource`, MCP spec): lowercase
 * scheme and host, no fragment, no default port; the path is kept as given.
 */
export function canonicalServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new KeyringError('invalid-input', `"${input}" is not a URL; give the server's full address, e.g. https://mcp.example.com/mcp.`);
  }
  if (url.username || url.password) {
    throw new KeyringError('invalid-input', 'A server URL must not contain a user name or password; MCP Keyring stores credentials in the keychain.');
  }
  requireSecureUrl(url.href, 'server URL');
  url.hash = '';
  return url.href;
}
