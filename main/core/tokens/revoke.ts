// Disconnect: revoke at the authorization server where it can (RFC 7009), then
// delete the local secrets whatever the server said.
import * as oauth from 'oauth4webapi';
import type { DisconnectResult } from '../../../shared/ipc-contract';
import type { ServerConfig } from '../../../shared/server-config';
import { describeOAuthError, errorMessage } from '../errors';
import { oauthCall, oauthHttpOptions } from '../http/outbound';
import { secretNames } from '../vault/secrets';
import { processLabel, type TokenManager } from './token-manager';
import { recordHistory } from '../history/history';

export type { DisconnectResult } from '../../../shared/ipc-contract';

export async function disconnect(server: ServerConfig, tokens: TokenManager): Promise<DisconnectResult> {
  const state = await tokens.states.read(server.id);
  let result: DisconnectResult = { revoked: false };
  if (server.auth.kind === 'oauth' && state.authorizationServer) {
    try {
      result = await revoke(server, tokens, state.authorizationServer, state.clientId);
    } catch (error) {
      result = { revoked: false, revokeError: errorMessage(error) };
    }
  }
  // Only the tokens: an API key or the secret of your own client stays until the server is removed.
  await tokens.vault.delete(secretNames.accessToken(server.id));
  await tokens.vault.delete(secretNames.refreshToken(server.id));
  await tokens.states.write({ ...state, status: 'not-connected', expiresAt: null, hasRefreshToken: false, scopes: [], requestedScopes: [], lastError: result.revokeError ?? null });
  recordHistory(tokens.states.paths, server.id, { kind: result.revoked ? 'revoked' : 'disconnected', by: processLabel(), ...(result.revokeError ? { message: result.revokeError } : {}) });
  return result;
}

async function revoke(server: ServerConfig, tokens: TokenManager, issuer: string, clientId: string | null): Promise<DisconnectResult> {
  if (server.auth.kind !== 'oauth') return { revoked: false };
  const as = (await tokens.registrar.store.get(issuer))?.metadata;
  if (!as?.revocation_endpoint) return { revoked: false, revokeError: `${issuer} has no revocation endpoint; the tokens were deleted here and expire on their own.` };
  const { client, auth } = await tokens.registrar.forTokens(server.id, server.auth, issuer, clientId);
  // Revoking the refresh token ends the grant (RFC 7009 §2.1); only without one is the access token revoked.
  const refreshToken = await tokens.vault.get(secretNames.refreshToken(server.id));
  const accessToken = refreshToken ? null : await tokens.vault.get(secretNames.accessToken(server.id));
  const token = refreshToken ?? accessToken;
  if (!token) return { revoked: false };
  try {
    await oauthCall(as.revocation_endpoint, async () =>
      oauth.processRevocationResponse(
        await oauth.revocationRequest(as, client, auth, token, {
          ...oauthHttpOptions(as.revocation_endpoint!),
          additionalParameters: { token_type_hint: refreshToken ? 'refresh_token' : 'access_token' },
        }),
      ),
    );
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) {
      // Self-contained (JWT) access tokens often cannot be revoked; they expire on their own.
      if (!refreshToken && error.error === 'unsupported_token_type') return { revoked: false };
      if (error.error === 'invalid_client' && !server.auth.clientId) await tokens.registrar.forget(issuer, client.client_id);
      return { revoked: false, revokeError: `${issuer} refused the revocation (${describeOAuthError(error)}); the tokens were deleted here.` };
    }
    throw error;
  }
  return { revoked: true };
}
