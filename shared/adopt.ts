// Adopting MCP setups that already exist in the clients' configs: what was found
// and what adopting it did. Secrets never cross this boundary, only where they are.
import type { ClientId } from './client-id';

/** One server entry in one client's config file. */
export interface FoundEntry {
  client: ClientId;
  clientLabel: string;
  path: string;
  /** The entry's name in the client. */
  name: string;
  /** mcp-remote: `npx mcp-remote <url> …`; url: a url/serverUrl entry. */
  kind: 'mcp-remote' | 'url';
  /** mcp-remote's flags, without their values where those may be secret. */
  flags: string[];
  /** Names of the headers it sends (values stay where they are). */
  headerNames: string[];
  /** The server is reached over the old HTTP+SSE transport (type "sse", --transport sse-only). */
  sse?: boolean;
}

export type AdoptAuthKind = 'oauth' | 'header' | 'none' | 'probe';

export interface AdoptionCandidate {
  /** The server's canonical URL: the key to adopt it by. */
  key: string;
  url: string;
  /** The name it will get (from the first entry). */
  name: string;
  /** How it signs in: "probe" means it is asked when adopting (a URL entry without headers). */
  authKind: AdoptAuthKind;
  /** The header that carries its key, for header auth. */
  headerName?: string;
  entries: FoundEntry[];
  /** Plaintext copies of secrets that adoption moves into the keychain (descriptions, never values). */
  plaintext: string[];
  /** mcp-remote's token cache for it: whether it holds tokens, and until when the access token is valid. */
  cachedTokens?: { refreshable: boolean; expiresAt: number | null; scopes: string[] };
  /** Already in MCP Keyring under this id: adopting only rewrites the entries. */
  existingServerId?: string;
  /** Why it cannot be adopted as it is (nothing is changed then). */
  problems: string[];
  /** Things worth knowing that do not stop adoption. */
  notes: string[];
}

export interface AdoptionScan {
  candidates: AdoptionCandidate[];
  /** Config files that could not be read (left alone), with the reason. */
  skipped: Array<{ client: ClientId; path: string; message: string }>;
}

export interface AdoptRequest {
  key: string;
  /** Delete the plaintext copies (mcp-remote's cache; secrets in our config backups). */
  deletePlaintext: boolean;
}

export interface AdoptResult {
  serverId: string;
  name: string;
  /** tokens: mcp-remote's tokens were imported (no new sign-in); sign-in: it needs one; key: an API key was moved; none: no credentials. */
  credentials: 'tokens' | 'sign-in' | 'key' | 'none' | 'existing';
  rewritten: Array<{ client: ClientId; path: string; name: string; backupPath: string | null; form: 'stdio' | 'http' | 'headers-helper' }>;
  /** Files deleted (mcp-remote's cache). */
  deleted: string[];
  /** Backups from which the moved secrets were removed. */
  scrubbed: string[];
  /** Problems met on the way that did not stop it. */
  warnings: string[];
}
