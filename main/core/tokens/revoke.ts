// Disconnect: revoke at the authorization server where it can (RFC 7009), then
// delete the local secrets whatever the server said.
import * as oauth from 'oauth4webapi';
import type { ServerConfig } from '../../../shared/server-config';
import { errorMessage } from '../errors';
import { oauthCall, oauthHttpOptions } from '../http/outbound';
import { deleteServerSecrets, secretNames } from '../vault/secrets';
import type { TokenManager } from './token-manager';

export interface DisconnectResult {
  /** True when the AS confirmed the revocation. */
  revoked: boolean;
  /** Why revocation did not happen or failed (the local secrets are gone regardless). */
  revokeError?: string;
}

export async function disconnect(server: ServerConfig, tokens: TokenManager): Promise<DisconnectResult> {
  const state = await tokens.states.read(server.id);
  let result: DisconnectResult = { revoked: false };
  if (server.auth.kind === 'oauth' && state.authorizationServer) {
    try {
      result = await revoke(server, tokens, state.authorizationServer);
    } catch (error) {
      result = { revoked: false, revokeError: errorMessage(error) };
    }
  }
  await deleteServerSecrets(tokens.vault, server.id);
  await tokens.states.write({ ...state, status: 'not-connected', expiresAt: null, hasRefreshToken: false, scopes: [], requestedScopes: [], lastError: result.revokeError ?? null });
  return result;
}

async function revoke(server: ServerConfig, tokens: TokenManager, issuer: string): Promise<DisconnectResult> {
  if (server.auth.kind !== 'oauth') return { revoked: false };
  const as = (await tokens.registrar.store.get(issuer))?.metadata;
  if (!as?.revocation_endpoint) return { revoked: false, revokeError: `${issuer} has no revocation endpoint; the tokens were deleted here and expire on their own.` };
  const { client, auth } = await tokens.registrar.forTokens(server.id, server.auth, issuer);
  const refreshToken = await tokens.vault.get(secretNames.refreshToken(server.id));
  const accessToken = await tokens.vault.get(secretNames.accessToken(server.id));
  const toRevoke: Array<[string, string]> = [];
  if (refreshToken) toRevoke.push([refreshToken, 'refresh_token']);
  if (accessToken) toRevoke.push([accessToken, 'access_token']);
  for (const [token, hint] of toRevoke) {
    await oauthCall(as.revocation_endpoint, async () =>
      oauth.processRevocationResponse(
        await oauth.revocationRequest(as, client, auth, token, { ...oauthHttpOptions(as.revocation_endpoint!), additionalParameters: { token_type_hint: hint } }),
      ),
    );
  }
  return { revoked: toRevoke.length > 0 };
}
