// The company identity providers of enterprise-managed authorization: the user
// signs in to one once (idp-sign-in.ts: authorization code + PKCE through the
// loopback, as for any server), or imports an ID token an SSO tool handed out; MCP Keyring keeps the ID
// token (and a refresh token to renew it) in the keychain, and hands it to the
// ID-JAG token exchange for every MCP server configured with this provider.
import * as oauth from 'oauth4webapi';
import type { IdentityProviderConfig } from '../../../shared/server-config';
import { KeyringError, describeOAuthError, isKeyringError } from '../errors';
import { withFileLock } from '../fs/file-lock';
import type { Clock } from '../clock';
import type { NodeFetch } from '../http/node-fetch';
import { oauthCall, oauthHttpOptions } from '../http/outbound';
import type { KeyringPaths } from '../paths';
import { ClientStore } from '../registration/client-store';
import { requireSecureUrl } from '../url-policy';
import type { Vault } from '../vault/vault';
import { idpSecretNames, IdpStore, SIGNED_OUT, type IdpSession } from './idp-store';
import { clientAuthFor } from '../tokens/grants/client-auth';
import path from 'node:path';

/** Renew the ID token when less than this is left (the exchange and the grant need a moment). */
const ID_TOKEN_MARGIN_MS = 60_000;

export interface IdpView {
  config: IdentityProviderConfig;
  session: IdpSession;
}

export function idpSignInHint(config: Pick<IdentityProviderConfig, 'id' | 'name'>): string {
  return `Sign in to ${config.name}: run \`mcp-keyring idp connect ${config.id}\` or click Sign in next to it in MCP Keyring.`;
}

/** The claims of a JWT, without checking its signature (the IdP checks it when it gets it back). */
export function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new KeyringError('invalid-input', 'This is not an ID token (a JWT has three dot-separated parts).');
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new Error('not an object');
    return claims as Record<string, unknown>;
  } catch {
    throw new KeyringError('invalid-input', 'This is not an ID token (its payload is not a JSON object).');
  }
}

/** A claim the IdP chose, fit for a terminal and the window: no control characters, capped. */
export function printableClaim(value: unknown, max = 200): string | null {
  if (typeof value !== 'string') return null;
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (!clean) return null;
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function sessionFrom(claims: Record<string, unknown>, hasRefreshToken: boolean, now: number): IdpSession {
  return {
    status: 'signed-in',
    subject: printableClaim(claims.sub),
    email: printableClaim(claims.email),
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
    hasRefreshToken,
    signedInAt: now,
    lastError: null,
  };
}

export class IdentityProviders {
  readonly store: IdpStore;
  private readonly metadataCache: ClientStore;

  private readonly vault: Vault;
  private readonly fetch: NodeFetch;
  private readonly clock: Clock;

  /** `fetch`: for the IdP's discovery and token requests; `clock`: decides when the ID token needs renewing (the composition root's). */
  constructor(
    private readonly paths: KeyringPaths,
    deps: { vault: Vault; fetch: NodeFetch; clock: Clock },
  ) {
    ({ vault: this.vault, fetch: this.fetch, clock: this.clock } = deps);
    this.store = new IdpStore(paths);
    this.metadataCache = new ClientStore(paths);
  }

  list(): Promise<IdpView[]> {
    return this.store.list();
  }

  get(id: string): Promise<IdpView> {
    return this.store.get(id);
  }

  async add(input: { issuer: string; clientId: string; clientSecret?: string; id?: string; name?: string }): Promise<IdentityProviderConfig> {
    // Kept exactly as given: discovery compares the metadata's issuer with it character for character.
    const issuer = input.issuer.trim();
    requireSecureUrl(issuer, 'identity provider issuer');
    if (!input.clientId.trim()) throw new KeyringError('invalid-input', 'The identity provider needs the client id MCP Keyring is registered with there (--client-id).');
    const config = await this.store.add({ issuer, clientId: input.clientId.trim(), ...(input.id ? { id: input.id } : {}), ...(input.name ? { name: input.name } : {}) });
    try {
      if (input.clientSecret) await this.vault.set(idpSecretNames.clientSecret(config.id), input.clientSecret);
    } catch (error) {
      await this.store.remove(config.id).catch(() => undefined);
      throw error;
    }
    return config;
  }

  async remove(id: string): Promise<void> {
    await this.store.get(id);
    await this.deleteTokens(id);
    await this.vault.delete(idpSecretNames.clientSecret(id));
    await this.store.remove(id);
  }

  /** Forgets the sign-in (the ID token and refresh token); servers using it then need a new sign-in. */
  async signOut(id: string): Promise<IdpSession> {
    await this.store.get(id);
    await this.deleteTokens(id);
    return this.store.setSession(id, SIGNED_OUT);
  }

  /** The IdP's metadata (OpenID Connect discovery, else RFC 8414), cached next to the authorization servers'. */
  async metadata(config: IdentityProviderConfig, options: { fresh?: boolean } = {}): Promise<oauth.AuthorizationServer> {
    if (!options.fresh) {
      const cached = await this.metadataCache.get(config.issuer);
      if (cached) return cached.metadata;
    }
    const issuer = requireSecureUrl(config.issuer, 'identity provider issuer');
    let metadata: oauth.AuthorizationServer | undefined;
    let lastError: unknown;
    for (const algorithm of ['oidc', 'oauth2'] as const) {
      try {
        metadata = await oauthCall(issuer, async () =>
          oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...this.httpOptions(issuer), algorithm })),
        );
        break;
      } catch (error) {
        if (isKeyringError(error)) throw error;
        lastError = error;
      }
    }
    if (!metadata) {
      throw new KeyringError('no-authorization-server', `No OpenID Connect or RFC 8414 metadata found for the identity provider ${config.issuer} (${(lastError as Error)?.message ?? 'unknown error'}).`, { cause: lastError });
    }
    requireSecureUrl(metadata.token_endpoint, 'identity provider token_endpoint');
    await this.metadataCache.saveMetadata(metadata);
    return metadata;
  }

  /** oauth4webapi options for a request to this IdP: its fetch, the deadline, no redirects. */
  httpOptions(url: string | URL): ReturnType<typeof oauthHttpOptions> {
    return oauthHttpOptions(url, this.fetch);
  }

  /** The client MCP Keyring is at the IdP, and how it authenticates there. */
  async client(config: IdentityProviderConfig, as: oauth.AuthorizationServer): Promise<{ client: oauth.Client; auth: oauth.ClientAuth }> {
    const secret = await this.vault.get(idpSecretNames.clientSecret(config.id));
    const chosen = await clientAuthFor(as, secret ? { kind: 'secret', secret } : { kind: 'none' });
    return { client: { client_id: config.clientId, token_endpoint_auth_method: chosen.method }, auth: chosen.auth };
  }

  /** Takes an ID token the user already has (from an SSO tool); checks it is this IdP's, for this client, and current. */
  async importIdToken(id: string, idToken: string): Promise<IdpSession> {
    const { config } = await this.store.get(id);
    const token = idToken.trim();
    const claims = jwtClaims(token);
    if (claims.iss !== config.issuer && String(claims.iss).replace(/\/$/, '') !== config.issuer.replace(/\/$/, '')) {
      throw new KeyringError('invalid-input', `The ID token was issued by ${printableClaim(String(claims.iss), 120) ?? 'no one'}, not by ${config.issuer}.`);
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(config.clientId)) throw new KeyringError('invalid-input', `The ID token is for ${printableClaim(audiences.join(', '), 120) ?? 'no audience'}, not for the client id ${config.clientId}.`);
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.clock()) throw new KeyringError('invalid-input', 'The ID token has expired (or has no exp); get a fresh one.');
    return this.storeTokens(config, token, undefined);
  }

  /** A current ID token for the token exchange, renewed with the IdP's refresh token when it is about to expire. */
  async idToken(id: string): Promise<{ token: string; config: IdentityProviderConfig }> {
    const { config, session } = await this.store.get(id);
    const current = await this.vault.get(idpSecretNames.idToken(id));
    if (current && session.expiresAt !== null && session.expiresAt - this.clock() > ID_TOKEN_MARGIN_MS) return { token: current, config };
    return withFileLock(path.join(this.paths.lockDir, `idp-${id}.refresh`), async () => {
      // Another process may have renewed it while we waited.
      const again = await this.store.get(id);
      const token = await this.vault.get(idpSecretNames.idToken(id));
      if (token && again.session.expiresAt !== null && again.session.expiresAt - this.clock() > ID_TOKEN_MARGIN_MS) return { token, config };
      const refreshToken = await this.vault.get(idpSecretNames.refreshToken(id));
      // Nothing to renew it with: a token in its last minute is still worth presenting.
      if (!refreshToken && token && again.session.expiresAt !== null && again.session.expiresAt > this.clock()) return { token, config };
      if (!refreshToken) {
        const reason = token ? `Your sign-in at ${config.name} has expired.` : `You are not signed in to ${config.name}.`;
        await this.markNeedsSignIn(id, reason);
        throw new KeyringError('needs-sign-in', `${reason} ${idpSignInHint(config)}`);
      }
      const as = await this.metadata(config);
      const { client, auth } = await this.client(config, as);
      try {
        const response = await oauthCall(as.token_endpoint!, async () =>
          oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, this.httpOptions(as.token_endpoint!))),
        );
        if (!response.id_token) throw new KeyringError('token-request-failed', `${config.name} renewed the sign-in without a new ID token.`);
        await this.storeTokens(config, response.id_token, response.refresh_token ?? refreshToken);
        return { token: response.id_token, config };
      } catch (error) {
        if (error instanceof oauth.ResponseBodyError && (error.error === 'invalid_grant' || error.error === 'invalid_client')) {
          const reason = `${config.name} refused to renew the sign-in (${describeOAuthError(error)}).`;
          await this.markNeedsSignIn(id, reason);
          throw new KeyringError('needs-sign-in', `${reason} ${idpSignInHint(config)}`, { cause: error });
        }
        throw error;
      }
    });
  }

  /** Keeps a new ID token (and refresh token) in the keychain and records the session. */
  async storeTokens(config: IdentityProviderConfig, idToken: string, refreshToken: string | undefined): Promise<IdpSession> {
    if (refreshToken) await this.vault.set(idpSecretNames.refreshToken(config.id), refreshToken);
    else await this.vault.delete(idpSecretNames.refreshToken(config.id));
    await this.vault.set(idpSecretNames.idToken(config.id), idToken);
    return this.store.setSession(config.id, sessionFrom(jwtClaims(idToken), Boolean(refreshToken), this.clock()));
  }

  private async deleteTokens(id: string): Promise<void> {
    await this.vault.delete(idpSecretNames.idToken(id));
    await this.vault.delete(idpSecretNames.refreshToken(id));
  }

  private async markNeedsSignIn(id: string, reason: string): Promise<void> {
    await this.deleteTokens(id);
    const { session } = await this.store.get(id);
    await this.store.setSession(id, { ...session, status: 'needs-sign-in', expiresAt: null, hasRefreshToken: false, lastError: reason });
  }

  async recordError(id: string, message: string): Promise<void> {
    const { session } = await this.store.get(id);
    await this.store.setSession(id, { ...session, lastError: message }).catch(() => undefined);
  }
}
