// Parses WWW-Authenticate (RFC 9110 §11.6.1) well enough to read the Bearer
// challenge of an MCP server: resource_metadata (RFC 9728), scope, error.
// oauth4webapi parses challenges only inside its own grant helpers, so the first
// unauthenticated probe needs this.

import { displayText } from '../../../shared/display-text';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export interface BearerChallenge {
  resourceMetadata?: string;
  scope?: string[];
  error?: string;
  errorDescription?: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header;
  let current: Challenge | undefined;
  const skip = (pattern: RegExp) => {
    rest = rest.replace(pattern, '');
  };
  while (rest.length) {
    skip(/^[\s,]+/);
    if (!rest) break;
    const token = TOKEN.exec(rest)?.[0];
    if (!token) break; // not parseable any further: keep what was read
    const afterToken = rest.slice(token.length);
    const param = /^\s*=\s*/.exec(afterToken);
    if (param && current && !/^\s*=\s*(,|$)/.test(afterToken) && !/^=+\s*(,|$)/.test(afterToken)) {
      // auth-param: name = token / quoted-string
      rest = afterToken.slice(param[0].length);
      let value: string;
      if (rest.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === '\\' && i + 1 < rest.length) i++;
          value += rest[i];
          i++;
        }
        rest = rest.slice(i + 1);
      } else {
        value = TOKEN.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length);
      }
      current.params[token.toLowerCase()] = value;
      continue;
    }
    // A new challenge: scheme, optionally followed by token68.
    current = { scheme: token.toLowerCase(), params: {} };
    challenges.push(current);
    rest = afterToken;
    const token68 = /^\s+([A-Za-z0-9\-._~+/]+=*)\s*(,|$)/.exec(rest);
    if (token68 && !/^\s+[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^=]/.test(rest)) {
      rest = rest.slice(token68[0].length);
    }
  }
  return challenges;
}

/** RFC 6749 §3.3 scope-token: printable ASCII without space, '"' and '\\'. Anything else is not a scope (and not fit to show). */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/.test(value);
}

export function parseBearerChallenge(header: string | null | undefined): BearerChallenge | undefined {
  if (!header) return undefined;
  const bearer = parseWwwAuthenticate(header).find((c) => c.scheme === 'bearer');
  if (!bearer) return undefined;
  const { resource_metadata, scope, error, error_description } = bearer.params;
  return {
    ...(resource_metadata ? { resourceMetadata: resource_metadata } : {}),
    ...(scope ? { scope: scope.split(/\s+/).filter(isScopeToken) } : {}),
    ...(error ? { error: displayText(error, 100) } : {}),
    ...(error_description ? { errorDescription: displayText(error_description) } : {}),
  };
}
