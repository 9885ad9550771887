// Signing in to a company identity provider in the browser, once: authorization
// code + PKCE S256 + nonce through the one-shot loopback listener, `state` and
// RFC 9207 `iss` checked by oauth4webapi, the ID token validated (issuer, audience,
// expiry, nonce). Kept apart from identity-providers.ts so the bridge, which only
// renews, never loads the sign-in machinery.
import * as oauth from 'oauth4webapi';
import { assertBrowsableUrl, type BrowserOpener } from '../authorize/open-browser';
import { startLoopbackListener, type Callback } from '../authorize/loopback-listener';
import { DEFAULT_SIGN_IN_TIMEOUT_MS } from '../authorize/sign-in';
import { checkAuthorizationServer } from '../discovery/discover';
import { KeyringError, describeOAuthError, isKeyringError } from '../errors';
import { oauthCall } from '../http/outbound';
import type { IdentityProviders } from './identity-providers';
import type { IdpSession } from './idp-store';

export interface IdpSignInOptions {
  openBrowser: BrowserOpener;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the sign-in page's address before the browser opens (to show it). */
  onUrl?: (url: string) => void;
}

/** Browser sign-in at the IdP (authorization code + PKCE + nonce, loopback redirect); the ID token goes to the keychain. */
export async function signInToIdp(idps: IdentityProviders, id: string, options: IdpSignInOptions): Promise<IdpSession> {
  const { config } = await idps.store.get(id);
  const as = await idps.metadata(config, { fresh: true });
  checkAuthorizationServer(as);
  const { client, auth } = await idps.client(config, as);
  const listener = await startLoopbackListener();
  let callback: Callback | undefined;
  try {
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const scopes = ['openid', 'email'].filter((s) => s === 'openid' || as.scopes_supported?.includes(s));
    const offline = as.scopes_supported?.includes('offline_access') && as.grant_types_supported?.includes('refresh_token') !== false;
    if (offline) scopes.push('offline_access');
    const url = new URL(as.authorization_endpoint!);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', client.client_id);
    url.searchParams.set('redirect_uri', listener.redirectUri);
    url.searchParams.set('scope', scopes.join(' '));
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    url.searchParams.set('nonce', nonce);
    if (offline) url.searchParams.set('prompt', 'consent');
    assertBrowsableUrl(url.href);
    options.onUrl?.(url.href);
    const waiting = listener.waitForCallback({ expectedState: state, timeoutMs: options.timeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) });
    Promise.resolve()
      .then(() => options.openBrowser(url.href))
      .catch(() => undefined);
    callback = await waiting;
    const params = oauth.validateAuthResponse(as, client, callback.params, state);
    const response = await oauthCall(as.token_endpoint!, async () =>
      oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(as, client, auth, params, listener.redirectUri, codeVerifier, idps.httpOptions(as.token_endpoint!)),
        { expectedNonce: nonce, requireIdToken: true },
      ),
    );
    const session = await idps.storeTokens(config, response.id_token!, response.refresh_token);
    callback.finish({ ok: true });
    return session;
  } catch (error) {
    const failure = isKeyringError(error)
      ? error
      : error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError
        ? new KeyringError(error.error === 'access_denied' ? 'access-denied' : 'authorization-failed', `Signing in to ${config.name} failed (${describeOAuthError(error)}).`, { cause: error })
        : new KeyringError('authorization-failed', `Signing in to ${config.name} failed: ${(error as Error).message}`, { cause: error });
    callback?.finish({ ok: false, message: failure.message });
    await idps.recordError(id, failure.message);
    throw failure;
  } finally {
    if (!callback) listener.close();
  }
}
