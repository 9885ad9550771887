// Which client id MCP Keyring signs in with, in the order of the MCP spec:
// the user's own client id, a Client ID Metadata Document, RFC 7591 dynamic
// registration — else a clear request for a client id.
import * as oauth from 'oauth4webapi';
import type { OAuthOptions } from '../../../shared/server-config';
import { KeyringError, describeOAuthError, isKeyringError } from '../errors';
import { oauthCall, oauthHttpOptions } from '../http/outbound';
import { secretNames } from '../vault/secrets';
import type { Vault } from '../vault/vault';
import { ClientStore, type Registration } from './client-store';

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

function authFor(method: string | undefined, secret: string | null): oauth.ClientAuth {
  if (!secret) return oauth.None();
  return method === 'client_secret_basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
}

export class ClientRegistrar {
  constructor(
    private readonly vault: Vault,
    readonly store = new ClientStore(),
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
    if (plan === 'pre-registered') return this.userClient(serverId, options.clientId!);
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
    if (options.clientId && (clientId === null || clientId === options.clientId)) return this.userClient(serverId, options.clientId);
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

  private async userClient(serverId: string, clientId: string): Promise<ResolvedClient> {
    const secret = await this.vault.get(secretNames.userClientSecret(serverId));
    const method = secret ? 'client_secret_post' : 'none';
    return { client: { client_id: clientId, token_endpoint_auth_method: method }, auth: authFor(method, secret), method: 'pre-registered' };
  }

  private async fromRegistration(issuer: string, registration: Registration): Promise<ResolvedClient> {
    const secret = registration.hasSecret ? await this.vault.get(secretNames.clientSecret(issuer, registration.clientId)) : null;
    return {
      client: { client_id: registration.clientId, token_endpoint_auth_method: registration.tokenEndpointAuthMethod },
      auth: authFor(registration.tokenEndpointAuthMethod, secret),
      method: registration.method,
    };
  }

  private async register(as: oauth.AuthorizationServer, redirectUri: string): Promise<ResolvedClient> {
    let registered: oauth.OmitSymbolProperties<oauth.Client>;
    try {
      registered = await oauthCall(as.registration_endpoint!, async () =>
        oauth.processDynamicClientRegistrationResponse(
          await oauth.dynamicClientRegistrationRequest(
            as,
            {
              client_name: CLIENT_NAME,
              redirect_uris: [redirectUri],
              grant_types: ['authorization_code', 'refresh_token'],
              response_types: ['code'],
              token_endpoint_auth_method: 'none',
              application_type: 'native',
            },
            oauthHttpOptions(as.registration_endpoint!),
          ),
        ),
      );
    } catch (error) {
      if (isKeyringError(error)) throw error;
      const detail = error instanceof oauth.ResponseBodyError ? describeOAuthError(error) : (error as Error).message;
      throw new KeyringError('registration-failed', `Dynamic client registration at ${as.registration_endpoint} failed (${detail}); connect with a client id instead (--client-id).`, { cause: error });
    }
    const secret = typeof registered.client_secret === 'string' ? registered.client_secret : null;
    const method = String(registered.token_endpoint_auth_method ?? (secret ? 'client_secret_basic' : 'none'));
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
