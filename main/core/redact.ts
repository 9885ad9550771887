// Anything that may be printed passes through here first: bearer values, JWTs
// and token-like query parameters are replaced, so a log line never carries a secret.
const PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  [/\b((?:access|refresh|id)_token|code|client_secret|code_verifier|api[_-]?key)(["']?\s*[=:]\s*["']?)[^"'&\s,}]+/gi, '$1$2[redacted]'],
];

export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
