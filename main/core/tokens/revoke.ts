// Disconnect: revoke at the authorization server where it can (RFC 7009), then
// delete the local secrets whatever the server said.
import * as oauth from 'oauth4webapi';
import type { DisconnectResult } from '../../../shared/ipc-contract';
import type { ServerConfig } from '../../../shared/server-config';
import { describeOAuthError, errorMessage } from '../errors';
import type { NodeFetch } from '../http/node-fetch';
import { oauthCall, oauthHttpOptions } from '../http/outbound';
import { secretNames } from '../vault/secrets';
import type { ClientRegistrar } from '../registration/register';
import type { StateStore } from '../registry/state-store';
import type { Vault } from '../vault/vault';
import { recordHistory } from '../history/history';

export type { DisconnectResult } from '../../../shared/ipc-contract';

/** Only what a disconnect uses, passed by the composition root (../keyring.ts). */
export interface DisconnectDeps {
  vault: Vault;
  states: StateStore;
  registrar: ClientRegistrar;
  /** Who is acting, for history (../actor.ts). */
  actor: string;
  /** The fetch for the revocation endpoint. */
  fetch: NodeFetch;
}

export async function disconnect(server: ServerConfig, deps: DisconnectDeps): Promise<DisconnectResult> {
  const { vault, states, actor } = deps;
  const state = await states.read(server.id);
  let result: DisconnectResult = { revoked: false };
  if (server.auth.kind === 'oauth' && state.authorizationServer) {
    try {
      result = await revoke(server, deps, state.authorizationServer, state.clientId);
    } catch (error) {
      result = { revoked: false, revokeError: errorMessage(error) };
    }
  }
  // Only the tokens: an API key or the secret of your own client stays until the server is removed.
  await vault.delete(secretNames.accessToken(server.id));
  await vault.delete(secretNames.refreshToken(server.id));
  await states.write({ ...state, status: 'not-connected', expiresAt: null, hasRefreshToken: false, scopes: [], requestedScopes: [], lastError: result.revokeError ?? null });
  recordHistory(states.paths, server.id, { kind: result.revoked ? 'revoked' : 'disconnected', by: actor, ...(result.revokeError ? { message: result.revokeError } : {}) });
  return result;
}

async function revoke(server: ServerConfig, { vault, registrar, fetch }: DisconnectDeps, issuer: string, clientId: string | null): Promise<DisconnectResult> {
  if (server.auth.kind !== 'oauth') return { revoked: false };
  const as = (await registrar.store.get(issuer))?.metadata;
  if (!as?.revocation_endpoint) return { revoked: false, revokeError: `${issuer} has no revocation endpoint; the tokens were deleted here and expire on their own.` };
  const { client, auth } = await registrar.forTokens(server.id, server.auth, issuer, clientId);
  // Revoking the refresh token ends the grant (RFC 7009 §2.1); only without one is the access token revoked.
  const refreshToken = await vault.get(secretNames.refreshToken(server.id));
  const accessToken = refreshToken ? null : await vault.get(secretNames.accessToken(server.id));
  const token = refreshToken ?? accessToken;
  if (!token) return { revoked: false };
  try {
    await oauthCall(as.revocation_endpoint, async () =>
      oauth.processRevocationResponse(
        await oauth.revocationRequest(as, client, auth, token, {
          ...oauthHttpOptions(as.revocation_endpoint!, fetch),
          additionalParameters: { token_type_hint: refreshToken ? 'refresh_token' : 'access_token' },
        }),
      ),
    );
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) {
      // Self-contained (JWT) access tokens often cannot be revoked; they expire on their own.
      if (!refreshToken && error.error === 'unsupported_token_type') return { revoked: false };
      if (error.error === 'invalid_client' && !server.auth.clientId) await registrar.forget(issuer, client.client_id);
      return { revoked: false, revokeError: `${issuer} refused the revocation (${describeOAuthError(error)}); the tokens were deleted here.` };
    }
    throw error;
  }
  return { revoked: true };
}
