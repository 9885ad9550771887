// How a confidential client authenticates at a token endpoint, picked from what
// the authorization server lists in token_endpoint_auth_methods_supported
// (RFC 8414: absent means client_secret_basic only). oauth4webapi builds the
// request; this only chooses.
import * as oauth from 'oauth4webapi';
import { KeyringError } from '../../errors';
import { signingKey } from './private-key';

export type ClientCredential = { kind: 'secret'; secret: string } | { kind: 'private-key'; pem: string; signingAlg?: string } | { kind: 'none' };

export interface ChosenClientAuth {
  auth: oauth.ClientAuth;
  method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
}

/**
 * client_secret_basic with the WHATWG form encoding of id and secret (RFC 6749 §2.3.1).
 * oauth4webapi's ClientSecretBasic also escapes "-", "_", "." and the like; that is
 * legal, but authorization servers that skip the decoding step (the MCP conformance
 * suite's among them) then see "client%2Did". Unreserved characters stay as they are here.
 */
export function clientSecretBasic(secret: string): oauth.ClientAuth {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(secret)}`).toString('base64')}`);
  };
}

export async function clientAuthFor(as: oauth.AuthorizationServer, credential: ClientCredential): Promise<ChosenClientAuth> {
  const supported = as.token_endpoint_auth_methods_supported;
  if (credential.kind === 'none') return { auth: oauth.None(), method: 'none' };
  if (credential.kind === 'secret') {
    if (!supported || supported.includes('client_secret_basic')) return { auth: clientSecretBasic(credential.secret), method: 'client_secret_basic' };
    if (supported.includes('client_secret_post')) return { auth: oauth.ClientSecretPost(credential.secret), method: 'client_secret_post' };
    throw new KeyringError(
      'token-request-failed',
      `${as.issuer} does not accept a client secret at its token endpoint (it supports ${supported.join(', ') || 'nothing'}); add the server with --private-key or --generate-key instead.`,
    );
  }
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
