// Adding a machine-to-machine or enterprise-managed server: the credential is
// checked before anything is stored, and goes to the keychain only (a private key
// is never written to a file); if storing it fails, the server is not kept.
// These actions drive a Keyring, so they sit next to it, above tokens/.
import type { BrowserlessGrant, OAuthOptions, ServerConfig } from '../../shared/server-config';
import { KeyringError, errorMessage } from './errors';
import type { Keyring } from './keyring';
import { IdentityProviders } from './idp/identity-providers';
import { isBrowserless } from './tokens/grants/browserless';
import { generatePrivateKeyPem, parsePrivateKey, privateKeySecretName, publicJwk, readPrivateKey } from './tokens/grants/private-key';

export interface AddBrowserlessInput {
  url: string;
  name?: string;
  id?: string;
  /** OAuth options; `grant` and `clientId` are required. */
  auth: OAuthOptions & { grant: BrowserlessGrant };
  clientSecret?: string;
  /** A PKCS#8 PEM private key to import (private-key credential). */
  privateKeyPem?: string;
  /** Generate an ES256 key instead (private-key credential). */
  generateKey?: boolean;
}

export function identityProviders(keyring: Keyring): IdentityProviders {
  return new IdentityProviders(keyring.paths, { vault: keyring.vault, fetch: keyring.fetch, clock: keyring.clock });
}

/** Adds the server; returns it, and the public JWK to register when it uses a private key. */
export async function addBrowserlessServer(keyring: Keyring, input: AddBrowserlessInput): Promise<{ server: ServerConfig; publicJwk?: Record<string, unknown> }> {
  const { auth } = input;
  if (!auth.clientId) throw new KeyringError('invalid-input', 'A machine-to-machine or enterprise-managed server needs the client id it is registered with (--client-id).');
  let pem: string | undefined;
  if (auth.grant.type === 'client-credentials') {
    if (auth.grant.credential === 'client-secret') {
      if (!input.clientSecret) throw new KeyringError('invalid-input', 'Give the client secret (read from standard input, never from the command line).');
      if (input.privateKeyPem || input.generateKey) throw new KeyringError('invalid-input', 'Use either a client secret or a private key, not both.');
    } else {
      if (input.clientSecret) throw new KeyringError('invalid-input', 'Use either a client secret or a private key, not both.');
      if (Boolean(input.privateKeyPem) === Boolean(input.generateKey)) throw new KeyringError('invalid-input', 'Either import a private key (PEM on standard input) or generate one, not both or neither.');
      pem = input.privateKeyPem ?? generatePrivateKeyPem();
      if (input.generateKey && auth.grant.signingAlg && auth.grant.signingAlg !== 'ES256') {
        throw new KeyringError('invalid-input', `A generated key signs with ES256, not ${auth.grant.signingAlg}; leave out --signing-alg or import your own key.`);
      }
      parsePrivateKey(pem, auth.grant.signingAlg); // a clear error before anything is stored
    }
  } else {
    if (input.privateKeyPem || input.generateKey) throw new KeyringError('invalid-input', 'An enterprise-managed server authenticates with a client secret (or none), not a private key.');
    await identityProviders(keyring).get(auth.grant.idp); // names the unknown IdP
  }
  const server = await keyring.add({
    url: input.url,
    auth,
    ...(input.name ? { name: input.name } : {}),
    ...(input.id ? { id: input.id } : {}),
    ...(input.clientSecret ? { clientSecret: input.clientSecret } : {}),
  });
  if (!pem) return { server };
  try {
    await keyring.vault.set(privateKeySecretName(server.id), pem);
  } catch (error) {
    await keyring.remove(server.id).catch(() => undefined);
    throw error;
  }
  return { server, publicJwk: publicJwk(pem, auth.grant.type === 'client-credentials' ? auth.grant.signingAlg : undefined) };
}

/** The public JWK of a server's private key, to register (again) with its authorization server. */
export async function serverPublicJwk(keyring: Keyring, id: string): Promise<Record<string, unknown>> {
  const server = await keyring.registry.get(id);
  const grant = server.auth.kind === 'oauth' ? server.auth.grant : undefined;
  if (grant?.type !== 'client-credentials' || grant.credential !== 'private-key') {
    throw new KeyringError('invalid-input', `${server.name} does not sign in with a private key; only servers added with --private-key or --generate-key have a public key.`);
  }
  const pem = await readPrivateKey(keyring.vault, id);
  if (!pem) throw new KeyringError('needs-sign-in', `The private key of ${server.name} is missing from the keychain; add the server again.`);
  return publicJwk(pem, grant.signingAlg);
}

/**
 * After a sign-in at an identity provider (or an imported ID token): the servers that
 * get their tokens through it and were waiting for it connect again, with no browser.
 */
export async function reconnectThroughIdp(keyring: Keyring, idpId: string): Promise<Array<{ id: string; error?: string }>> {
  const results: Array<{ id: string; error?: string }> = [];
  for (const server of await keyring.registry.list()) {
    if (!isBrowserless(server) || server.auth.grant.type !== 'id-jag' || server.auth.grant.idp !== idpId) continue;
    const { status } = await keyring.states.read(server.id);
    if (status !== 'needs-sign-in' && status !== 'error') continue;
    try {
      await keyring.connect(server.id, {
        openBrowser: async () => {
          throw new KeyringError('invalid-input', 'A server connected through an identity provider never needs a browser.');
        },
      });
      results.push({ id: server.id });
    } catch (error) {
      results.push({ id: server.id, error: errorMessage(error) });
    }
  }
  return results;
}
