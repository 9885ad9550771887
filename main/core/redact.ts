// Anything that may be printed passes through here first: credential values are
// replaced, so a log line never carries a secret. Values, not words: "jwt-bearer
// grant" or "a Bearer token" is prose and stays; what follows an Authorization
// header's scheme, a JWT, and the value of a token-like parameter are removed.

/** A string shaped like a credential rather than a word of prose. */
function looksLikeCredential(value: string): boolean {
  if (/[0-9._~+/=-]/.test(value)) return true; // digits or token punctuation
  if (/[a-z][A-Z]/.test(value)) return true; // mixed case inside, as random strings have
  return value.length >= 20; // no prose word is that long
}

const AUTH_SCHEME = '(Bearer|Basic|DPoP)';
const CREDENTIAL = '[A-Za-z0-9\\-._~+/]+=*';

const PATTERNS: Array<[RegExp, string | ((...groups: string[]) => string)]> = [
  // An Authorization header (any spelling of its separator): whatever follows the scheme.
  [new RegExp(`\\b(authorization["']?\\s*[:=]\\s*["']?)${AUTH_SCHEME}\\s+${CREDENTIAL}`, 'gi'), '$1$2 [redacted]'],
  // A scheme and a value elsewhere, when the value looks like a credential. Not part of
  // a longer word ("jwt-bearer"), and not when the next word is prose ("Bearer grant").
  [
    new RegExp(`(?<![\\w-])${AUTH_SCHEME}\\s+(${CREDENTIAL})`, 'gi'),
    (match: string, scheme: string, value: string) => (looksLikeCredential(value) ? `${scheme} [redacted]` : match),
  ],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  // key=value, key: value and "key":"value" of token-like parameters.
  [/(?<![\w-])((?:access|refresh|id)_token|code|client_secret|code_verifier|api[_-]?key|assertion|client_assertion|subject_token)(["']?\s*[=:]\s*["']?)[^"'&\s,}]+/gi, '$1$2[redacted]'],
];

export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement as string);
  return out;
}
