// How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2):
// chosen from what the client was registered with and what the authorization server
// says it supports, never assumed — a server that only takes client_secret_basic
// answers invalid_client to client_secret_post, and vice versa.
import * as oauth from 'oauth4webapi';
import { KeyringError } from '../errors';

export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

export interface TokenEndpointAuthInput {
  /** The AS's `token_endpoint_auth_methods_supported` (RFC 8414 §2); undefined when its metadata is silent. */
  supported?: readonly string[] | undefined;
  /** The method the client is registered with (RFC 7591 response, or the user's own client), if known. */
  registered?: string | undefined;
  /** A client secret is available. */
  hasSecret: boolean;
  /** A private key for a signed client assertion is available. */
  hasPrivateKey: boolean;
}

// A signed assertion first (no shared secret travels). Between the two ways of
// sending a secret, when the AS lists both: a pre-registered app's own setting is
// unknown to us, servers such as Auth0 and oidc-provider refuse the other one, and
// client_secret_post is what MCP Keyring has always sent (and Auth0's default for
// apps), so existing set-ups keep working; client_secret_basic is used whenever the
// AS lists it without post, and when its metadata is silent (RFC 8414 §2 default).
const PREFERENCE: readonly TokenEndpointAuthMethod[] = ['private_key_jwt', 'client_secret_post', 'client_secret_basic', 'none'];

function isMethod(value: string | undefined): value is TokenEndpointAuthMethod {
  return value !== undefined && (PREFERENCE as readonly string[]).includes(value);
}

function possible(method: TokenEndpointAuthMethod, input: TokenEndpointAuthInput): boolean {
  if (method === 'private_key_jwt') return input.hasPrivateKey;
  if (method === 'client_secret_basic' || method === 'client_secret_post') return input.hasSecret;
  return true;
}

/**
 * The token endpoint authentication method to use. A method the client was
 * registered with wins when we hold its credential (the registration is the
 * agreement with this AS); otherwise the preferred method (above) the AS supports and we
 * can perform. Metadata that is silent means `client_secret_basic` (RFC 8414 §2),
 * and a client without a secret or key always uses `none`. Throws when the AS
 * supports none of the methods the client's credentials allow.
 */
export function chooseTokenEndpointAuth(input: TokenEndpointAuthInput): TokenEndpointAuthMethod {
  if (isMethod(input.registered) && possible(input.registered, input)) return input.registered;
  const supported = input.supported?.length ? input.supported : ['client_secret_basic'];
  for (const method of PREFERENCE) {
    if (possible(method, input) && supported.includes(method)) return method;
  }
  // A public client has nothing else to offer; many servers list only secret-based
  // methods and still accept PKCE-only public clients, so let the server decide.
  if (!input.hasSecret && !input.hasPrivateKey) return 'none';
  throw new KeyringError(
    'registration-required',
    `The authorization server accepts only ${supported.join(', ')} at its token endpoint, and this client has ${
      input.hasPrivateKey ? 'a private key' : 'a client secret'
    }: register a client that uses one of those methods.`,
  );
}

// Characters that application/x-www-form-urlencoded decoding leaves as they are.
const DECODES_TO_ITSELF = /^[A-Za-z0-9._~-]*$/;

/**
 * client_secret_basic. RFC 6749 §2.3.1 form-encodes id and secret before Basic
 * encoding, and oauth4webapi does so strictly (HTML 4.01 rules: even "-" becomes
 * %2D). Many servers never form-decode them (the MCP conformance suite's among
 * them) and then refuse "pre%2Dregistered%2Dclient". Where both values consist of
 * characters that form-decoding leaves unchanged, sending them as they are is
 * the same credential to a decoding server and the only one a non-decoding server
 * understands; anything else gets oauth4webapi's strict encoding.
 */
export function clientSecretBasic(secret: string): oauth.ClientAuth {
  const strict = oauth.ClientSecretBasic(secret);
  return (as, client, body, headers) => {
    if (!DECODES_TO_ITSELF.test(client.client_id) || !DECODES_TO_ITSELF.test(secret)) return strict(as, client, body, headers);
    headers.set('authorization', `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString('base64')}`);
  };
}

export interface ClientCredentials {
  secret?: string | null | undefined;
  privateKey?: CryptoKey | oauth.PrivateKey | undefined;
}

/** The oauth4webapi `ClientAuth` for a chosen method. */
export function clientAuthFor(method: TokenEndpointAuthMethod, credentials: ClientCredentials): oauth.ClientAuth {
  switch (method) {
    case 'none':
      return oauth.None();
    case 'client_secret_basic':
    case 'client_secret_post':
      if (!credentials.secret) throw new KeyringError('registration-required', `Token endpoint authentication ${method} needs a client secret, and none is stored.`);
      return method === 'client_secret_basic' ? clientSecretBasic(credentials.secret) : oauth.ClientSecretPost(credentials.secret);
    case 'private_key_jwt':
      if (!credentials.privateKey) throw new KeyringError('registration-required', 'Token endpoint authentication private_key_jwt needs a private key, and none is stored.');
      return oauth.PrivateKeyJwt(credentials.privateKey);
  }
}
