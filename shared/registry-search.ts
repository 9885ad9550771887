// Servers found in an MCP registry (the official one or a sub-registry), as the
// Add dialog and `mcp-keyring search` show them. Text is already cleaned.

export interface RegistryHit {
  /** The registry's reverse-DNS name, e.g. io.github.example/weather. */
  name: string;
  title?: string;
  description: string;
  version: string;
  /** The remote endpoint MCP Keyring would add (canonical). */
  url: string;
  transport: 'streamable-http' | 'sse';
  /** oauth: it answered 401 with resource metadata; api-key: it declares secret headers; none: it answered without credentials. */
  signIn: 'oauth' | 'api-key' | 'none' | 'unknown' | 'unreachable';
  /** For api-key: each secret header, labelled with its description. */
  keyFields?: Array<{ header: string; label: string }>;
}

export interface RegistrySearchResult {
  registry: string;
  servers: RegistryHit[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}
