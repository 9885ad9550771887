// Which URLs MCP Keyring talks to: https everywhere, plain http only on loopback.
import { BlockList, isIP } from 'node:net';
import { KeyringError, serverText } from './errors';

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
    throw new KeyringError('bad-metadata', `The ${what} "${serverText(String(value), 200)}" is not a valid URL.`);
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

// --- Where discovery may go (server-chosen URLs) ---------------------------------
// A 401 challenge, resource metadata and authorization-server metadata all name
// URLs MCP Keyring then fetches. Left unchecked, a server could make it GET any
// port and path on this computer or the user's network (SSRF). The rules:
// - resource_metadata (RFC 9728 §5.1) is fetched only from the MCP server's own
//   origin: the metadata describes that server, and no AS is known yet;
// - authorization servers (RFC 9728 `authorization_servers`) and their endpoints
//   (RFC 8414) may be on other origins — that is normal — but never on a loopback
//   or private address unless the party that named them is there too: a public
//   MCP server cannot point us at 127.0.0.1 or 10.0.0.1, a loopback test server can.
// Only literal addresses are classified; a public name is taken as public.

/** Where a host is, as far as its name tells: this computer, a private network, or anywhere else. */
export type HostReach = 'loopback' | 'private' | 'public';

const loopbackBlock = new BlockList();
loopbackBlock.addSubnet('127.0.0.0', 8, 'ipv4');
loopbackBlock.addAddress('::1', 'ipv6');

const privateBlock = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches this computer
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3], // multicast and reserved
] as const) {
  privateBlock.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  privateBlock.addSubnet(net, prefix, 'ipv6');
}

export function hostReach(hostname: string): HostReach {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const family = isIP(host);
  if (family === 0) return 'public';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (loopbackBlock.check(host, type)) return 'loopback';
  if (privateBlock.check(host, type)) return 'private';
  return 'public';
}

/** May a party at `from` send us to `target`? Public targets always; private ones from private or loopback parties; loopback ones from loopback parties only. */
export function mayReach(from: URL, target: URL): boolean {
  const to = hostReach(target.hostname);
  if (to === 'public') return true;
  const source = hostReach(from.hostname);
  return to === 'private' ? source !== 'public' : source === 'loopback';
}

/** The resource_metadata URL of a challenge: a secure URL on the MCP server's own origin. */
export function requireResourceMetadataUrl(value: unknown, serverUrl: URL): URL {
  const url = requireSecureUrl(value, 'resource_metadata URL');
  if (url.origin !== serverUrl.origin) {
    throw new KeyringError(
      'insecure-endpoint',
      `The server's challenge points at resource metadata on another origin (${url.origin}); MCP Keyring reads it only from ${serverUrl.origin}, so it did not fetch it.`,
    );
  }
  return url;
}

/** A URL a server named (`namedBy`): secure, and not on this computer or a private network unless that server is too. */
export function requireReachableUrl(value: unknown, what: string, namedBy: URL): URL {
  const url = requireSecureUrl(value, what);
  if (!mayReach(namedBy, url)) {
    throw new KeyringError(
      'insecure-endpoint',
      `Refusing the ${what} ${url.origin}: it is on ${hostReach(url.hostname) === 'loopback' ? 'this computer' : 'a private network'}, but it was named by ${namedBy.origin}, which is not; MCP Keyring did not contact it.`,
    );
  }
  return url;
}
