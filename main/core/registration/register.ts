// Which client id MCP Keyring signs in with, in the order of the MCP spec:
// the user's own client id, a Client ID Metadata Document, RFC 7591 dynamic
// registration — else a clear request for a client id.
import * as oauth from 'oauth4webapi';
import type { OAuthOptions } from '../../../shared/server-config';
import { KeyringError, describeOAuthError, isKeyringError } from '../errors';
import type { NodeFetch } from '../http/node-fetch';
import { oauthCall, oauthHttpOptions } from '../http/outbound';
import { secretNames } from '../vault/secrets';
import type { Vault } from '../vault/vault';
import { ClientStore, type Registration } from './client-store';
import { chooseTokenEndpointAuth, clientAuthFor, type TokenEndpointAuthMethod } from './token-endpoint-auth';

export const CLIENT_NAME = 'MCP Keyring';

export interface ResolvedClient {
  client: oauth.Client;
  auth: oauth.ClientAuth;
  method: 'pre-registered' | 'metadata-document' | 'dynamic';
  /** A stored dynamic registration was reused (the AS may have forgotten it since). */
  reused?: boolean;
}

export type RegistrationPlan = ResolvedClient['method'] | 'needs-client-id';

/** How sign-in will get a client id, without doing it (for the discovery preview). */
export function registrationPlan(options: OAuthOptions, as: oauth.AuthorizationServer): RegistrationPlan {
  if (options.clientId) return 'pre-registered';
  if (options.clientMetadataUrl && as.client_id_metadata_document_supported) return 'metadata-document';
  if (as.registration_endpoint) return 'dynamic';
  return 'needs-client-id';
}

function metadataDocumentClient(url: string): ResolvedClient {
  return { client: { client_id: url, token_endpoint_auth_method: 'none' }, auth: oauth.None(), method: 'metadata-document' };
}

/**
 * The method to ask for in a registration request: a public client (`none`) unless
 * the AS says it does not take public clients, then a secret-based method it lists.
 * The AS may still decide otherwise; its answer is what counts.
 */
function requestedAuthMethod(as: oauth.AuthorizationServer): TokenEndpointAuthMethod {
  const supported = as.token_endpoint_auth_methods_supported;
  if (!supported?.length || supported.includes('none')) return 'none';
  if (supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  return 'none';
}

/**
 * RFC 7591 §3.2.1 makes `client_secret_expires_at` REQUIRED whenever a
 * `client_secret` is issued, and oauth4webapi rejects a response without it. Real
 * servers (the MCP conformance suite's among them) leave it out. Relaxed here, and
 * only here: a missing expiry is read as 0, "does not expire", the RFC's own value
 * for that. Nothing security-relevant depends on it — an expired secret just gets
 * invalid_client and a new registration — while every other check of the response
 * (status, JSON, client_id, error bodies) stays with oauth4webapi.
 */
async function withSecretExpiryDefault(response: Response): Promise<Response> {
  if (response.status !== 201 && response.status !== 200) return response;
  const text = await response.text();
  const rebuilt = (body: string) => new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return rebuilt(text); // oauth4webapi reports it
  }
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const body = json as Record<string, unknown>;
    if (typeof body.client_secret === 'string' && body.client_secret && body.client_secret_expires_at === undefined) {
      return rebuilt(JSON.stringify({ ...body, client_secret_expires_at: 0 }));
    }
  }
  return rebuilt(text);
}

export class ClientRegistrar {
  constructor(
    private readonly vault: Vault,
    readonly store: ClientStore,
    /** The fetch for registration requests (the composition root's). */
    private readonly fetch: NodeFetch,
  ) {}

  /** The registration new sign-ins use at this AS, if any. */
  private async current(issuer: string): Promise<Registration | undefined> {
    const entry = await this.store.get(issuer);
    return entry?.current ? entry.registrations[entry.current] : undefined;
  }

  /** The loopback port the current dynamic registration was made for, so sign-in can reuse it. */
  async registeredPort(options: OAuthOptions, as: oauth.AuthorizationServer): Promise<number | undefined> {
    if (registrationPlan(options, as) !== 'dynamic') return undefined;
    const uri = (await this.current(as.issuer))?.redirectUris[0];
    return uri ? Number(new URL(uri).port) || undefined : undefined;
  }

  /** The client to sign in with, registering one for this redirect URI when needed. */
  async forSignIn(serverId: string, options: OAuthOptions, as: oauth.AuthorizationServer, redirectUri: string): Promise<ResolvedClient> {
    const plan = registrationPlan(options, as);
    if (plan === 'pre-registered') return this.userClient(serverId, options.clientId!, as.token_endpoint_auth_methods_supported);
    if (plan === 'metadata-document') return metadataDocumentClient(options.clientMetadataUrl!);
    if (plan === 'needs-client-id') {
      throw new KeyringError(
        'registration-required',
        `The authorization server ${as.issuer} does not offer dynamic client registration: register an app there (redirect URI http://127.0.0.1/callback, public client) and connect with its client id (--client-id).`,
      );
    }
    const current = await this.current(as.issuer);
    if (current?.method === 'dynamic' && current.redirectUris.includes(redirectUri)) {
      return { ...(await this.fromRegistration(as.issuer, current)), reused: true };
    }
    return this.register(as, redirectUri);
  }

  /**
   * The client a refresh or revocation uses: the one the tokens were issued to
   * (recorded in the server's state), whichever registration is current now.
   */
  async forTokens(serverId: string, options: OAuthOptions, issuer: string, clientId: string | null): Promise<ResolvedClient> {
    if (options.clientId && (clientId === null || clientId === options.clientId)) {
      return this.userClient(serverId, options.clientId, await this.supportedAuthMethods(issuer));
    }
    if (options.clientMetadataUrl && clientId === options.clientMetadataUrl) return metadataDocumentClient(options.clientMetadataUrl);
    const registration = clientId ? (await this.store.get(issuer))?.registrations[clientId] : undefined;
    if (!registration) {
      throw new KeyringError(
        'needs-sign-in',
        `The client these tokens were issued to is no longer registered with ${issuer} (it answered invalid_client, or clients.json was reset).`,
      );
    }
    return this.fromRegistration(issuer, registration);
  }

  /** The AS forgot one of our clients (invalid_client): drop it so the next sign-in registers again. */
  async forget(issuer: string, clientId: string): Promise<void> {
    await this.store.removeRegistration(issuer, clientId);
    await this.vault.delete(secretNames.clientSecret(issuer, clientId));
  }

  /** The AS's token_endpoint_auth_methods_supported, from the metadata kept in clients.json. */
  private async supportedAuthMethods(issuer: string): Promise<string[] | undefined> {
    return (await this.store.get(issuer))?.metadata.token_endpoint_auth_methods_supported;
  }

  /** The user's own client: its secret (if any) sent the way the AS's metadata says. */
  private async userClient(serverId: string, clientId: string, supported: string[] | undefined): Promise<ResolvedClient> {
    const secret = await this.vault.get(secretNames.userClientSecret(serverId));
    const method = chooseTokenEndpointAuth({ supported, hasSecret: Boolean(secret), hasPrivateKey: false });
    return { client: { client_id: clientId, token_endpoint_auth_method: method }, auth: clientAuthFor(method, { secret }), method: 'pre-registered' };
  }

  private async fromRegistration(issuer: string, registration: Registration): Promise<ResolvedClient> {
    const secret = registration.hasSecret ? await this.vault.get(secretNames.clientSecret(issuer, registration.clientId)) : null;
    const method = chooseTokenEndpointAuth({
      supported: await this.supportedAuthMethods(issuer),
      registered: registration.tokenEndpointAuthMethod,
      hasSecret: Boolean(secret),
      hasPrivateKey: false,
    });
    return {
      client: { client_id: registration.clientId, token_endpoint_auth_method: method },
      auth: clientAuthFor(method, { secret }),
      method: registration.method,
    };
  }

  private async register(as: oauth.AuthorizationServer, redirectUri: string): Promise<ResolvedClient> {
    let registered: oauth.OmitSymbolProperties<oauth.Client>;
    /** HTTP status of the registration answer: a 2xx means the AS did register us. */
    let status: number | undefined;
    try {
      registered = await oauthCall(as.registration_endpoint!, async () => {
        const response = await oauth.dynamicClientRegistrationRequest(
          as,
          {
            client_name: CLIENT_NAME,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: requestedAuthMethod(as),
            application_type: 'native',
          },
          oauthHttpOptions(as.registration_endpoint!, this.fetch),
        );
        status = response.status;
        return oauth.processDynamicClientRegistrationResponse(await withSecretExpiryDefault(response));
      });
    } catch (error) {
      if (isKeyringError(error)) throw error;
      const detail = error instanceof oauth.ResponseBodyError ? describeOAuthError(error) : (error as Error).message;
      if (status !== undefined && status >= 200 && status < 300) {
        // Registration worked; its answer is what is wrong, and a client id would not fix that.
        throw new KeyringError('registration-failed', `The authorization server at ${as.registration_endpoint} registered MCP Keyring but answered with an unusable registration (${detail}).`, { cause: error });
      }
      throw new KeyringError('registration-failed', `Dynamic client registration at ${as.registration_endpoint} failed (${detail}); connect with a client id instead (--client-id).`, { cause: error });
    }
    // Whatever the AS actually issued counts, not what we asked for: a secret we did
    // not ask for goes to the keychain, and the method follows its answer and metadata.
    const secret = typeof registered.client_secret === 'string' && registered.client_secret ? registered.client_secret : null;
    const returnedMethod = typeof registered.token_endpoint_auth_method === 'string' ? registered.token_endpoint_auth_method : undefined;
    const method = chooseTokenEndpointAuth({
      supported: as.token_endpoint_auth_methods_supported,
      registered: returnedMethod,
      hasSecret: Boolean(secret),
      hasPrivateKey: false,
    });
    if (secret) await this.vault.set(secretNames.clientSecret(as.issuer, registered.client_id), secret);
    const registration: Registration = {
      clientId: registered.client_id,
      method: 'dynamic',
      redirectUris: [redirectUri],
      tokenEndpointAuthMethod: method,
      hasSecret: Boolean(secret),
      registeredAt: new Date().toISOString(),
    };
    await this.store.saveMetadata(as);
    await this.store.saveRegistration(as.issuer, registration);
    return this.fromRegistration(as.issuer, registration);
  }
}
