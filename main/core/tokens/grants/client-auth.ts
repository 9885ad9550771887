// How a browserless client (client credentials, ID-JAG, identity providers)
// authenticates at a token endpoint: the method comes from the one chooser every
// client uses (registration/token-endpoint-auth.ts, from token_endpoint_auth_methods_supported);
// this adds the private-key checks and the CLI's hints. oauth4webapi builds the request.
import * as oauth from 'oauth4webapi';
import { KeyringError, isKeyringError } from '../../errors';
import { chooseTokenEndpointAuth, clientSecretBasic } from '../../registration/token-endpoint-auth';
import { signingKey } from './private-key';

export type ClientCredential = { kind: 'secret'; secret: string } | { kind: 'private-key'; pem: string; signingAlg?: string } | { kind: 'none' };

export interface ChosenClientAuth {
  auth: oauth.ClientAuth;
  method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
}

export async function clientAuthFor(as: oauth.AuthorizationServer, credential: ClientCredential): Promise<ChosenClientAuth> {
  const supported = as.token_endpoint_auth_methods_supported;
  if (credential.kind === 'none') return { auth: oauth.None(), method: 'none' };
  if (credential.kind === 'secret') {
    const method = chooseOr(supported, { hasSecret: true, hasPrivateKey: false });
    if (method === 'client_secret_basic') return { auth: clientSecretBasic(credential.secret), method };
    if (method === 'client_secret_post') return { auth: oauth.ClientSecretPost(credential.secret), method };
    throw new KeyringError(
      'token-request-failed',
      `${as.issuer} does not accept a client secret at its token endpoint (it supports ${supported?.join(', ') || 'nothing'}); add the server with --private-key or --generate-key instead.`,
    );
  }
  // Metadata that is silent may still take a signed assertion: the AS says so with invalid_client.
  if (supported && !supported.includes('private_key_jwt')) {
    throw new KeyringError('token-request-failed', `${as.issuer} does not accept private_key_jwt (it supports ${supported.join(', ') || 'nothing'}); add the server with --client-secret instead.`);
  }
  const { key, alg } = await signingKey(credential.pem, credential.signingAlg);
  const algs = as.token_endpoint_auth_signing_alg_values_supported;
  const jwsAlg = alg === 'EdDSA' ? ['EdDSA', 'Ed25519'] : [alg];
  if (algs && !algs.some((a) => jwsAlg.includes(a))) {
    throw new KeyringError('token-request-failed', `${as.issuer} does not accept ${alg}-signed client assertions (it takes ${algs.join(', ')}); use a key of one of those kinds.`);
  }
  return { auth: oauth.PrivateKeyJwt(key), method: 'private_key_jwt' };
}

/** The shared choice, or undefined where the AS takes none of the methods these credentials allow. */
function chooseOr(supported: readonly string[] | undefined, have: { hasSecret: boolean; hasPrivateKey: boolean }): string | undefined {
  try {
    return chooseTokenEndpointAuth({ supported, ...have });
  } catch (error) {
    if (isKeyringError(error, 'registration-required')) return undefined;
    throw error;
  }
}

function refusedClient(error: unknown): boolean {
  if (error instanceof oauth.ResponseBodyError) return error.error === 'invalid_client';
  return error instanceof oauth.WWWAuthenticateChallengeError && error.status === 401;
}

/**
 * Runs a token request with the chosen client authentication. A client secret can be
 * sent two ways, and an AS that lists both may still insist on the one the client was
 * registered with (oidc-provider does), which MCP Keyring cannot know: when the first
 * way is refused with invalid_client, the other is tried once.
 */
export async function withClientAuth<T>(as: oauth.AuthorizationServer, credential: ClientCredential, request: (chosen: ChosenClientAuth) => Promise<T>): Promise<T> {
  const chosen = await clientAuthFor(as, credential);
  try {
    return await request(chosen);
  } catch (error) {
    const supported = as.token_endpoint_auth_methods_supported ?? [];
    const other = chosen.method === 'client_secret_basic' ? 'client_secret_post' : chosen.method === 'client_secret_post' ? 'client_secret_basic' : undefined;
    if (credential.kind !== 'secret' || !other || !supported.includes(other) || !refusedClient(error)) throw error;
    const auth = other === 'client_secret_basic' ? clientSecretBasic(credential.secret) : oauth.ClientSecretPost(credential.secret);
    return request({ auth, method: other });
  }
}
