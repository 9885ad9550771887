// Tokens for servers that need no browser: machine-to-machine clients
// (`client_credentials`) and enterprise-managed ones (ID-JAG + `jwt-bearer`).
// There is no refresh token: a new token is simply asked for again, by whichever
// process needs one, under the token manager's per-server lock.
import * as oauth from 'oauth4webapi';
import type { ServerConfig } from '../../../../shared/server-config';
import type { ServerState } from '../../../../shared/server-state';
import type { Clock } from '../../clock';
import { discoverForSignIn } from '../../discovery/discover';
import { KeyringError, describeOAuthError, isKeyringError } from '../../errors';
import type { NodeFetch } from '../../http/node-fetch';
import type { ClientStore } from '../../registration/client-store';
import type { StateStore } from '../../registry/state-store';
import type { Vault } from '../../vault/vault';
import { clientCredentialsGrant } from './client-credentials';
import { idJagGrant } from './id-jag';
import type { BrowserlessServer, GrantInput } from './grant-input';
import { privateKeySecretName } from './private-key';

export type { BrowserlessServer } from './grant-input';


export function isBrowserless(server: ServerConfig): server is BrowserlessServer {
  return server.auth.kind === 'oauth' && server.auth.grant !== undefined;
}

/** A token younger than this is as fresh as asking again would make it. */
const JUST_ISSUED_MS = 10_000;

/** Where a new token goes: the token manager (structurally; no import of it, so no cycle). */
export interface TokenSink {
  save(server: ServerConfig, response: oauth.TokenEndpointResponse, details: { issuer: string; clientId: string; requestedScopes?: string[]; previous?: ServerState; refresh?: boolean }): Promise<ServerState>;
  markNeedsSignIn(server: ServerConfig, reason: string): Promise<KeyringError>;
}

/** What a browserless grant works with, handed over by the composition root (../../keyring.ts) and the token manager. */
export interface BrowserlessDeps {
  vault: Vault;
  states: StateStore;
  /** The authorization servers' metadata (clients.json), cached for renewals. */
  clients: ClientStore;
  /** The fetch for discovery and the token requests. */
  fetch: NodeFetch;
  /** What time it is (../../clock.ts): decides whether the current token is still good. */
  clock: Clock;
  tokens: TokenSink;
}


/** The authorization server: discovered afresh on connect, from the cache on renewal. */
async function authorizationServer(server: BrowserlessServer, deps: BrowserlessDeps, state: ServerState, fresh: boolean): Promise<{ as: oauth.AuthorizationServer; scopes: string[] }> {
  if (!fresh && state.authorizationServer) {
    const cached = await deps.clients.get(state.authorizationServer);
    if (cached) return { as: cached.metadata, scopes: server.auth.scopes ?? state.scopes };
  }
  const discovery = await discoverForSignIn(server.url, deps.fetch);
  await deps.clients.saveMetadata(discovery.authorizationServer);
  return { as: discovery.authorizationServer, scopes: server.auth.scopes ?? discovery.scopes.filter((s) => s !== 'offline_access') };
}

/** The OAuth error of a refused token request: a JSON error body, or (client authentication) a 401 challenge. */
function oauthErrorOf(error: unknown): { error: string; error_description?: string; status: number } | undefined {
  if (error instanceof oauth.ResponseBodyError) return error;
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause.find((c) => c.parameters.error) ?? error.cause[0];
    const code = challenge?.parameters.error ?? (error.status === 401 ? 'invalid_client' : 'invalid_request');
    return { error: code, ...(challenge?.parameters.error_description ? { error_description: challenge.parameters.error_description } : {}), status: error.status };
  }
  return undefined;
}

function grantError(thrown: unknown, server: BrowserlessServer, endpoint: string): unknown {
  const error = oauthErrorOf(thrown);
  if (!error) return thrown;
  const what = describeOAuthError(error);
  if (error.error === 'invalid_client' || error.error === 'unauthorized_client') {
    const fix = server.auth.grant.type === 'client-credentials' ? 'check the client id and its secret or key (is the public key registered?), then add the server again' : 'check the client id and secret, and that this server accepts ID-JAGs';
    return new KeyringError('needs-sign-in', `${endpoint} refused the client credentials of ${server.name} (${what}); ${fix}.`, { cause: thrown });
  }
  if (error.error === 'invalid_grant') return new KeyringError('needs-sign-in', `${endpoint} refused the grant for ${server.name} (${what}).`, { cause: thrown });
  return new KeyringError('token-request-failed', `The token request at ${endpoint} failed (${what}).`, { cause: thrown });
}

/** Asks for a token (on connect: discovering first) and stores it. */
export async function obtainBrowserlessToken(server: BrowserlessServer, deps: BrowserlessDeps, options: { fresh: boolean; previous?: ServerState }): Promise<{ token: string; state: ServerState }> {
  const state = options.previous ?? (await deps.states.read(server.id));
  const { as, scopes } = await authorizationServer(server, deps, state, options.fresh);
  const input: GrantInput = { server, as, scopes, vault: deps.vault, paths: deps.states.paths, fetch: deps.fetch, clock: deps.clock };
  let response: oauth.TokenEndpointResponse;
  try {
    response = server.auth.grant.type === 'client-credentials' ? await clientCredentialsGrant(input) : await idJagGrant(input);
  } catch (error) {
    throw grantError(error, server, as.token_endpoint ?? as.issuer);
  }
  if (response.token_type.toLowerCase() !== 'bearer') {
    throw new KeyringError('token-request-failed', `${as.issuer} issued a "${response.token_type}" token; MCP Keyring supports Bearer tokens only.`);
  }
  const saved = await deps.tokens.save(server, response, {
    issuer: as.issuer,
    clientId: server.auth.clientId!,
    requestedScopes: scopes,
    // "hasRefreshToken" means "renews without the user" to the status display, the window
    // and the refresh scheduler: true here, since asking again needs no one.
    previous: { ...state, status: 'connected', hasRefreshToken: true, requestedScopes: [] },
  });
  return { token: response.access_token, state: saved };
}

/**
 * The token manager's renewal for these servers (called under its lock): ask again.
 * A refused credential marks the server as needing attention; a network failure
 * keeps a token that is still valid.
 */
export async function renewBrowserlessToken(server: BrowserlessServer, deps: BrowserlessDeps, state: ServerState, current: string | null, rejected: string | undefined): Promise<{ token: string; state: ServerState }> {
  const stillValid = current !== null && current !== rejected && (state.expiresAt === null || state.expiresAt > deps.clock());
  // Another process got this token moments ago (we waited for its lock): asking again
  // would give no longer validity, e.g. when a caller wants 5 minutes of a 5-minute token.
  if (stillValid && state.lastRefreshAt !== null && deps.clock() - state.lastRefreshAt < JUST_ISSUED_MS) return { token: current, state };
  await deps.states.write({ ...state, status: 'refreshing' });
  try {
    return await obtainBrowserlessToken(server, deps, { fresh: state.authorizationServer === null, previous: state });
  } catch (error) {
    if (isKeyringError(error, 'needs-sign-in')) throw await deps.tokens.markNeedsSignIn(server, error.message);
    const message = error instanceof Error ? error.message : String(error);
    await deps.states.write({ ...state, status: stillValid ? 'connected' : 'error', lastError: message });
    if (stillValid) return { token: current, state };
    throw error;
  }
}

/** Secrets a browserless server has besides the token manager's own (removed with the server). */
export async function deleteBrowserlessSecrets(vault: Vault, serverId: string): Promise<void> {
  await vault.delete(privateKeySecretName(serverId));
}
