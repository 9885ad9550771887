// Scripted sign-in without a real browser: an HTTP user agent (fetch with
// redirect: 'manual' and a cookie jar) that walks oidc-provider's devInteractions
// login and consent pages and finally loads the loopback redirect URI.
// The logic lives in login-flow.mjs so that scripted-browser.mjs ($BROWSER) shares it.
import { runLogin } from './login-flow.mjs';

export interface CompleteLoginOptions {
  /** Login name (default 'alice'); becomes the access token's `sub`. */
  login?: string;
  /** Cancel at the first login/consent page: the redirect URI receives error=access_denied. */
  deny?: boolean;
  /** Overall deadline in ms (default 60 000). */
  timeoutMs?: number;
}

export interface CompleteLoginResult {
  /** URL of the last response: normally http://127.0.0.1:<port>/callback?code=…&state=…&iss=… */
  finalUrl: string;
  /** Status of the last response (the loopback listener's answer). */
  status: number;
  /** Body of the last response. */
  body: string;
}

export async function completeLogin(authorizationUrl: string, options: CompleteLoginOptions = {}): Promise<CompleteLoginResult> {
  const { finalUrl, status, body } = await runLogin(authorizationUrl, options);
  return { finalUrl, status, body };
}

export { parseForms, redactUrl } from './login-flow.mjs';
