// Which redirects the core's fetch follows (DESIGN "Security baseline").
//
// A request of MCP Keyring almost always carries something meant for one server
// only: a bearer token, an API key in a header whose name we cannot know, an MCP
// session id, a JSON-RPC body, a client secret. So a redirect is followed only
// when it stays on the same origin (scheme, host and port): the server that
// already received the request. That alone rules out handing credentials to
// another host, https→http downgrades (another scheme is another origin) and
// hops to a loopback or private address the server is not on. Every hop is also
// checked against the endpoint policy of the first request (url-policy.ts), so
// a future relaxation of "same origin" cannot let a plain-http hop through.
// A redirect that is not followed fails with RedirectRefusedError naming where
// it pointed, so the user sees what the server tried.
import { isAllowedEndpoint } from '../url-policy';

export type RedirectVerdict = { follow: true } | { follow: false; reason: 'scheme' | 'downgrade' | 'endpoint' | 'cross-origin' };

/** Whether the fetch may follow a redirect from `from` to `to`. */
export function redirectVerdict(from: URL, to: URL): RedirectVerdict {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return { follow: false, reason: 'scheme' };
  if (from.protocol === 'https:' && to.protocol !== 'https:') return { follow: false, reason: 'downgrade' };
  if (!isAllowedEndpoint(to)) return { follow: false, reason: 'endpoint' };
  if (to.origin !== from.origin || to.username || to.password) return { follow: false, reason: 'cross-origin' };
  return { follow: true };
}

/** Why a redirect was not followed: the policy's reasons, or 'oauth' (OAuth endpoint requests are never redirected). */
export type RefusalReason = Exclude<RedirectVerdict, { follow: true }>['reason'] | 'oauth';

const REASONS: Record<RefusalReason, string> = {
  oauth: 'an OAuth request carries credentials and is never redirected',
  scheme: 'it is not an http(s) URL',
  downgrade: 'it leaves https for plain http',
  endpoint: 'plain http is allowed only on this computer',
  'cross-origin': 'it is another origin, and MCP Keyring never sends a request (its credentials and body) to another origin than the one it was meant for',
};

/** A redirect the fetch refused to follow; `code` lets error handlers recognise it without instanceof. */
export class RedirectRefusedError extends Error {
  override readonly name = 'RedirectRefusedError';
  readonly code = 'ERR_REDIRECT_REFUSED';
  constructor(
    readonly from: URL,
    readonly to: URL,
    readonly reason: RefusalReason,
  ) {
    super(`${from.origin} redirected to ${describeTarget(to)}; not followed: ${REASONS[reason]}`);
  }
}

/** The redirect target without path, query or user info (they may hold secrets); just enough to recognise it. */
function describeTarget(to: URL): string {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return `a ${to.protocol} URL`;
  return to.origin;
}
