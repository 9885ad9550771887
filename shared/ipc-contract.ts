// The one contract between the window (renderer) and the app (main process).
// The preload exposes exactly these calls as `window.mcpKeyring`; the main side
// binds exactly these channels; the UI test harness serves the same contract
// over HTTP. No other channel exists.
import type { AdoptionScan, AdoptRequest, AdoptResult } from './adopt';
import type { IpcErrorCode } from './error-codes';
import type { HistoryEvent } from './history';
import type { RegistrySearchResult } from './registry-search';
import type { ServerAuth } from './server-config';
import type { ServerView } from './server-state';

export type { ClientId } from './client-id';
import type { ClientId } from './client-id';

/**
 * How a client reaches a server through MCP Keyring (issue 4's three entry forms):
 * - stdio: the client starts our stdio bridge (every client; works without the app running);
 * - http: the client connects to the app's local HTTP bridge by URL, sending the
 *   per-install bridge secret as `Authorization: Bearer …` (needs the app running);
 * - headers-helper: Claude Code only: it connects to the server itself and runs our
 *   CLI (`mcp-keyring headers <id>`) for a fresh Authorization header (no bridge).
 */
export type ClientTransport = 'stdio' | 'http' | 'headers-helper';

/** What discovery found, before anything is stored (the "Add server" preview). */
export interface DiscoveryPreview {
  url: string;
  /** oauth: an authorization server was found; none: the server answers without credentials; unknown: it refuses but names no authorization server (likely an API key). */
  protection: 'oauth' | 'none' | 'unknown';
  authorizationServer?: string;
  /** How MCP Keyring will get a client id. */
  registration?: 'pre-registered' | 'metadata-document' | 'dynamic' | 'needs-client-id';
  scopes: string[];
  resourceName?: string;
}

export interface AddServerRequest {
  url: string;
  name?: string;
  auth: ServerAuth;
  /** The static key for `header` servers; goes to the keychain only. */
  secret?: string;
  /** Secret of a user-supplied OAuth client; goes to the keychain only. */
  clientSecret?: string;
  /** Machine-to-machine with private_key_jwt: a PKCS#8 PEM key to import (keychain only). */
  privateKeyPem?: string;
  /** Machine-to-machine with private_key_jwt: generate an ES256 key in the keychain. */
  generateKey?: boolean;
}

/** A company identity provider (enterprise-managed authorization) as the window shows it. */
export interface IdentityProviderView {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  status: 'signed-out' | 'signed-in' | 'needs-sign-in' | 'expired';
  /** The signed-in user (email where known, else the subject). */
  user: string | null;
  /** When the ID token expires (ms since epoch). */
  expiresAt: number | null;
  /** The sign-in renews itself (the IdP gave a refresh token). */
  renews: boolean;
  lastError: string | null;
  /** Ids of the servers that get their tokens through this provider. */
  servers: string[];
}

export interface AddIdentityProviderRequest {
  issuer: string;
  clientId: string;
  /** Goes to the keychain only. */
  clientSecret?: string;
  name?: string;
}

export type ConnectStep = 'discovering' | 'registering' | 'waiting-for-browser' | 'exchanging-code' | 'done' | 'failed' | 'cancelled';

export interface ConnectProgress {
  id: string;
  step: ConnectStep;
  /** The sign-in URL while waiting for the browser (so the user can copy it). */
  url?: string;
  /** The error message when step is "failed". */
  message?: string;
}

export interface ClientTargetInfo {
  id: ClientId;
  label: string;
  path: string;
  exists: boolean;
  /** Whether this client's config holds an entry for the server, when asked for one server. */
  installed?: boolean;
  /** Entry forms the client accepts, the recommended one (stdio) first. */
  supports: ClientTransport[];
  /** The form of the entry the client's config holds for the server (when `installed`). */
  installedAs?: ClientTransport;
}

export interface InstallRequest {
  id: string;
  client: ClientId;
  /** Which entry form to write; default 'stdio'. Must be one of the client's `supports`. */
  transport?: ClientTransport;
}

export interface InstallResult {
  client: ClientId;
  path: string;
  backupPath: string | null;
  created: boolean;
  changed: boolean;
  /**
   * The entry as the user would paste it by hand. For the http form it holds the
   * local bridge secret (the user may need to paste it): show it, never log it.
   */
  snippet: string;
  restartHint: string;
}

/** One client config entry that points at an MCP Keyring server. */
export interface ServerUsage {
  client: ClientId;
  label: string;
  path: string;
  /** The entry's name in that client. */
  name: string;
}

/** What a disconnect (or remove) did: the one definition, for the core, the CLI and the window. */
export interface DisconnectResult {
  /** True when the AS confirmed the revocation. */
  revoked: boolean;
  /** Why revocation did not happen or failed (the local secrets are gone regardless). */
  revokeError?: string;
}

export interface AppSettings {
  startAtLogin: boolean;
}

/** Errors cross the boundary as data (Electron does not keep error classes). */
export interface IpcError {
  code: IpcErrorCode;
  message: string;
}
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Channel name → request and response. */
export interface IpcContract {
  'servers:list': { request: void; response: ServerView[] };
  'servers:preview': { request: { url: string; auth?: ServerAuth }; response: DiscoveryPreview };
  'servers:add': { request: AddServerRequest; response: ServerView };
  'servers:remove': { request: { id: string }; response: DisconnectResult };
  'servers:connect': { request: { id: string }; response: ServerView };
  'servers:cancel-connect': { request: { id: string }; response: void };
  'servers:disconnect': { request: { id: string }; response: DisconnectResult };
  'clients:list': { request: { id?: string }; response: ClientTargetInfo[] };
  'clients:install': { request: InstallRequest; response: InstallResult };
  'settings:get': { request: void; response: AppSettings };
  'settings:set': { request: Partial<AppSettings>; response: AppSettings };
  'app:open-external': { request: { url: string }; response: void };
  /** Remote servers already set up in the clients' configs (issue 11). */
  'adopt:scan': { request: void; response: AdoptionScan };
  'adopt:apply': { request: AdoptRequest; response: AdoptResult };
  /** One server's history, newest first. */
  'servers:history': { request: { id: string }; response: HistoryEvent[] };
  /** Which clients' configs point at each server (by server id). */
  'servers:usage': { request: void; response: Record<string, ServerUsage[]> };
  /** Takes the server's entries out of every client config (before Remove). */
  'servers:remove-client-entries': { request: { id: string }; response: { removed: ServerUsage[]; failed: Array<ServerUsage & { message: string }> } };
  /** Servers with a remote endpoint in the MCP registry matching the words (one page). */
  'registry:search': { request: { words: string; cursor?: string }; response: RegistrySearchResult };
  'servers:public-key': { request: { id: string }; response: { jwk: Record<string, unknown> } };
  'idps:list': { request: void; response: IdentityProviderView[] };
  'idps:add': { request: AddIdentityProviderRequest; response: IdentityProviderView };
  'idps:connect': { request: { id: string }; response: IdentityProviderView };
  'idps:cancel-connect': { request: { id: string }; response: void };
  'idps:sign-out': { request: { id: string }; response: IdentityProviderView };
  'idps:remove': { request: { id: string }; response: void };
  /** Cancels the sign-in in progress and starts it again with a new registration (the AS forgot ours); the pending 'servers:connect' answers for it. */
  'servers:start-over': { request: { id: string }; response: void };
}
export type IpcChannel = keyof IpcContract;
export const IPC_CHANNELS: readonly IpcChannel[] = [
  'servers:list',
  'servers:preview',
  'servers:add',
  'servers:remove',
  'servers:connect',
  'servers:cancel-connect',
  'servers:disconnect',
  'clients:list',
  'clients:install',
  'settings:get',
  'settings:set',
  'app:open-external',
  'adopt:scan',
  'adopt:apply',
  'servers:history',
  'servers:usage',
  'servers:remove-client-entries',
  'registry:search',
  'servers:public-key',
  'idps:list',
  'idps:add',
  'idps:connect',
  'idps:cancel-connect',
  'idps:sign-out',
  'idps:remove',
  'servers:start-over',
] as const;

/** Events main → renderer. */
export interface IpcEvents {
  'servers:changed': ServerView[];
  'connect:progress': ConnectProgress;
  /** The app asks the window to show one server (e.g. after a notification click). */
  'app:focus-server': { id: string };
}
export type IpcEventName = keyof IpcEvents;
export const IPC_EVENTS: readonly IpcEventName[] = ['servers:changed', 'connect:progress', 'app:focus-server'] as const;

/** The handler side: what main (and the UI test harness) implement. */
export type KeyringApi = {
  [C in IpcChannel]: (request: IpcContract[C]['request']) => Promise<IpcContract[C]['response']>;
};

/** What the preload exposes on window.mcpKeyring. */
export interface RendererBridge {
  invoke<C extends IpcChannel>(channel: C, request: IpcContract[C]['request']): Promise<IpcResult<IpcContract[C]['response']>>;
  on<E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}
