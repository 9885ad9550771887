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

// Strongest first: a signed assertion, then a secret in the header (the RFC 8414
// default, and what RFC 6749 §2.3.1 says every AS must accept), then in the body,
// then nothing.
const PREFERENCE: readonly TokenEndpointAuthMethod[] = ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'none'];

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
 * agreement with this AS); otherwise the strongest method the AS supports and we
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
      return method === 'client_secret_basic' ? oauth.ClientSecretBasic(credentials.secret) : oauth.ClientSecretPost(credentials.secret);
    case 'private_key_jwt':
      if (!credentials.privateKey) throw new KeyringError('registration-required', 'Token endpoint authentication private_key_jwt needs a private key, and none is stored.');
      return oauth.PrivateKeyJwt(credentials.privateKey);
  }
}
