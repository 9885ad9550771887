// Interactive sign-in (authorization code + PKCE S256) through the system
// browser and a loopback redirect, with RFC 8707 `resource`, `state` and RFC 9207
// `iss` checked. oauth4webapi does every protocol step; this file orders them.
//
// Mix-up defence (RFC 9700 §4.4.2): a client MCP Keyring registers itself (RFC 7591)
// gets a redirect path of its own per authorization server (callbackPathFor), and
// the listener refuses this sign-in's answer on any other path. A client id the
// user registered (--client-id) or a Client ID Metadata Document keeps the fixed
// /callback its registration names (loopback redirect URIs may vary in port, not
// in path: RFC 8252 §7.3); for those, the defence is `state` (one listener per
// sign-in, for one authorization server) and `iss`, which must be present whenever
// the authorization server says it sends it (RFC 9207; oauth4webapi enforces it).
import * as oauth from 'oauth4webapi';
import type { OAuthOptions, ServerConfig } from '../../../shared/server-config';
import type { ServerState } from '../../../shared/server-state';
import { discoverForSignIn, type Discovery } from '../discovery/discover';
import { KeyringError, describeOAuthError, isKeyringError } from '../errors';
import type { NodeFetch } from '../http/node-fetch';
import { oauthCall, oauthHttpOptions } from '../http/outbound';
import { registrationPlan } from '../registration/register';
import type { ClientRegistrar } from '../registration/register';
import type { StateStore } from '../registry/state-store';
import type { TokenManager } from '../tokens/token-manager';
import { recordHistory } from '../history/history';
import { forgetCurrentRegistration } from './fresh-registration';
import { assertBrowsableUrl, type BrowserOpener } from './open-browser';
import { CALLBACK_PATH, callbackPathFor, startLoopbackListener, type Callback } from './loopback-listener';

export const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000;

export type SignInProgress =
  | { step: 'discovering' }
  | { step: 'registering'; issuer: string }
  | { step: 'waiting-for-browser'; url: string; timeoutMs: number }
  | { step: 'exchanging-code' };

export interface SignInOptions {
  openBrowser: BrowserOpener;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SignInProgress) => void;
  /** Drop the current dynamic registration at the AS first and register anew (the AS forgot ours). */
  freshRegistration?: boolean;
}

/**
 * Scopes to ask for, in the order of the MCP authorization spec (2025-11-25,
 * "Scope Selection Strategy"): the user's own choice (--scope), else the 401
 * challenge's `scope`, else the protected-resource metadata's `scopes_supported`
 * (both already picked by discovery). When none defines any, no scope at all: an
 * empty list means the request leaves `scope` out, never an invented one.
 * A step-up (403 insufficient_scope) asks for the union of what was asked and
 * granted before and what the server asked for now. `offline_access` only where
 * the authorization server lists it (SEP-2207), whoever else named it.
 */
export function scopesToRequest(options: OAuthOptions, discovery: Discovery, state: ServerState): string[] {
  const base = options.scopes?.length ? options.scopes : discovery.scopes;
  const stepUp = state.status === 'needs-more-access' ? state.scopes : [];
  const scopes = new Set([...base, ...state.requestedScopes, ...stepUp]);
  const as = discovery.authorizationServer;
  const offered = Boolean(as?.scopes_supported?.includes('offline_access')) && as?.grant_types_supported?.includes('refresh_token') !== false;
  if (offered) scopes.add('offline_access');
  else scopes.delete('offline_access');
  return [...scopes];
}

function authorizationError(error: unknown, issuer: string, sentResource: boolean): KeyringError {
  if (isKeyringError(error)) return error;
  if (error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError) {
    const what = describeOAuthError({ error: error.error, error_description: error.error_description });
    // Entra-style servers refuse RFC 8707 `resource`; say how to leave it out.
    const hint = error.error === 'invalid_target' && sentResource ? ' This authorization server rejects the resource parameter: add the server again with --no-resource (or untick "Send resource").' : '';
    if (error instanceof oauth.AuthorizationResponseError) {
      if (error.error === 'access_denied') {
        return new KeyringError('access-denied', `Sign-in was denied at ${issuer}${error.error_description ? ` (${what.slice('access_denied: '.length)})` : ''}; nothing was stored.`, { cause: error });
      }
      return new KeyringError('authorization-failed', `The authorization server answered ${what}.${hint}`, { cause: error });
    }
    return new KeyringError('token-request-failed', `The token request failed (${what}).${hint}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/"state"/.test(message)) return new KeyringError('state-mismatch', 'The sign-in answer carried the wrong state; it may not come from this sign-in, so it was rejected. Try again.', { cause: error });
  if (/"iss"/.test(message) && /missing/.test(message)) {
    return new KeyringError('issuer-mismatch', `The sign-in answer carried no "iss" although ${issuer} says it always sends one (RFC 9207); it may come from another server, so it was rejected.`, { cause: error });
  }
  if (/"iss"/.test(message)) return new KeyringError('issuer-mismatch', `The sign-in answer did not come from ${issuer} (its "iss" did not match); rejected it.`, { cause: error });
  return new KeyringError('authorization-failed', `Sign-in failed: ${message}`, { cause: error });
}

/** Only what a sign-in uses, passed by the composition root (../keyring.ts). */
export interface SignInDeps {
  states: StateStore;
  registrar: ClientRegistrar;
  /** Saves the granted tokens (keychain + state), as a refresh does. */
  tokens: Pick<TokenManager, 'save'>;
  /** Who is acting, for history (../actor.ts). */
  actor: string;
  /** The fetch for the token endpoint. */
  fetch: NodeFetch;
}

export async function signIn(server: ServerConfig, deps: SignInDeps, options: SignInOptions): Promise<ServerState> {
  const { states, registrar, tokens, actor, fetch } = deps;
  if (server.auth.kind !== 'oauth') {
    throw new KeyringError('invalid-input', `${server.name} uses ${server.auth.kind === 'header' ? `an API key (${server.auth.headerName})` : 'no credentials'}; there is nothing to sign in to.`);
  }
  const auth = server.auth;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS;
  options.onProgress?.({ step: 'discovering' });
  const discovery = await discoverForSignIn(server.url, fetch);
  const as = discovery.authorizationServer;
  await registrar.store.saveMetadata(as);
  if (options.freshRegistration && !auth.clientId) await forgetCurrentRegistration(registrar, as.issuer);

  const state = await states.read(server.id);
  const port = auth.callbackPort ?? (await registrar.registeredPort(auth, as));
  const path = registrationPlan(auth, as) === 'dynamic' ? callbackPathFor(as.issuer) : CALLBACK_PATH;
  const listener = await startLoopbackListener({ port, strictPort: auth.callbackPort !== undefined, path });
  let callback: Callback | undefined;
  let reusedRegistration = false;
  let clientId: string | undefined;
  try {
    options.onProgress?.({ step: 'registering', issuer: as.issuer });
    const resolved = await registrar.forSignIn(server.id, auth, as, listener.redirectUri);
    reusedRegistration = resolved.reused === true;
    clientId = resolved.client.client_id;
    const { client, auth: clientAuth } = resolved;

    const codeVerifier = oauth.generateRandomCodeVerifier();
    const expectedState = oauth.generateRandomState();
    const scopes = scopesToRequest(auth, discovery, state);
    const url = new URL(as.authorization_endpoint!);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', client.client_id);
    url.searchParams.set('redirect_uri', listener.redirectUri);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', expectedState);
    if (scopes.length) url.searchParams.set('scope', scopes.join(' '));
    if (auth.sendResource) url.searchParams.set('resource', server.url);
    if (auth.audience) url.searchParams.set('audience', auth.audience);
    if (scopes.includes('offline_access')) url.searchParams.set('prompt', 'consent');
    assertBrowsableUrl(url.href);

    options.onProgress?.({ step: 'waiting-for-browser', url: url.href, timeoutMs });
    const waiting = listener.waitForCallback({ expectedState, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    // Not awaited: a browser that waits for our result page must not block us, and if
    // none opens the user still has the URL (shown by the front end).
    Promise.resolve()
      .then(() => options.openBrowser(url.href))
      .catch(() => undefined);
    callback = await waiting;

    // oauth4webapi checks state, iss (RFC 9207, where the AS says it sends it) and error responses.
    const params = oauth.validateAuthResponse(as, client, callback.params, expectedState);
    options.onProgress?.({ step: 'exchanging-code' });
    const additionalParameters: Record<string, string> = {};
    if (auth.sendResource) additionalParameters.resource = server.url;
    if (auth.audience) additionalParameters.audience = auth.audience;
    const response = await oauthCall(as.token_endpoint!, async () =>
      oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, listener.redirectUri, codeVerifier, {
          ...oauthHttpOptions(as.token_endpoint!, fetch),
          additionalParameters,
        }),
      ),
    );
    if (response.token_type.toLowerCase() !== 'bearer') {
      throw new KeyringError('token-request-failed', `The authorization server issued a "${response.token_type}" token; MCP Keyring supports Bearer tokens only.`);
    }
    const saved = await tokens.save(server, response, { issuer: as.issuer, clientId: client.client_id, requestedScopes: scopes, previous: { ...state, hasRefreshToken: false } });
    recordHistory(states.paths, server.id, { kind: 'signed-in', by: actor, scopes: saved.scopes });
    const missing = state.requestedScopes.filter((scope) => !saved.scopes.includes(scope));
    if (response.scope !== undefined && missing.length) {
      // A step-up the authorization server did not grant: say so instead of looping.
      await states.write({ ...saved, lastError: `The authorization server did not grant ${missing.join(' ')}.` });
      callback.finish({ ok: false, message: `Signed in, but ${as.issuer} did not grant ${missing.join(' ')}.` });
      throw new KeyringError('insufficient-scope', `Signed in, but ${as.issuer} did not grant ${missing.join(' ')}; ${server.name} needs it for some requests.`);
    }
    callback.finish({ ok: true });
    return saved;
  } catch (error) {
    const failure = authorizationError(error, as.issuer, auth.sendResource);
    // An AS that forgot our client shows its error in the browser, never to us: after a
    // sign-in with a reused registration that did not come back, register afresh next time.
    const forgotten = /invalid_client/.test(failure.message) || (reusedRegistration && failure.code === 'browser-timeout');
    if (forgotten && clientId && !auth.clientId) await registrar.forget(as.issuer, clientId);
    callback?.finish({ ok: false, message: failure.message });
    throw failure;
  } finally {
    // A delivered callback closes the listener once its result page is sent.
    if (!callback) listener.close();
  }
}
