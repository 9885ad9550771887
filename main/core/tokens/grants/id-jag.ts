// Enterprise-managed authorization (MCP extension, cross-app access): the user's
// ID token from the company identity provider is exchanged there (RFC 8693) for an
// Identity Assertion JWT Authorization Grant (ID-JAG) naming this MCP server's
// authorization server and resource; the authorization server redeems it with the
// RFC 7523 jwt-bearer grant. No browser per server: one IdP sign-in serves them all.
import * as oauth from 'oauth4webapi';
import { KeyringError, describeOAuthError } from '../../errors';
import { oauthCall, oauthHttpOptions } from '../../http/outbound';
import { IdentityProviders } from '../../idp/identity-providers';
import { secretNames } from '../../vault/secrets';
import type { GrantInput } from './grant-input';
import { withClientAuth } from './client-auth';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

/** Step 1, at the IdP: ID token → ID-JAG for this server's authorization server. */
async function requestIdJag(input: GrantInput, idps: IdentityProviders, idpId: string): Promise<string> {
  const { token: idToken, config } = await idps.idToken(idpId);
  const idp = await idps.metadata(config);
  const { client, auth } = await idps.client(config, idp);
  const parameters: Record<string, string> = {
    requested_token_type: ID_JAG_TOKEN_TYPE,
    subject_token: idToken,
    subject_token_type: ID_TOKEN_TYPE,
    audience: input.as.issuer,
    resource: input.server.url,
  };
  if (input.scopes.length) parameters.scope = input.scopes.join(' ');
  let response: oauth.TokenEndpointResponse;
  try {
    response = await oauthCall(idp.token_endpoint!, async () =>
      oauth.processGenericTokenEndpointResponse(
        idp,
        client,
        await oauth.genericTokenEndpointRequest(idp, client, auth, TOKEN_EXCHANGE_GRANT, parameters, idps.httpOptions(idp.token_endpoint!)),
        // An ID-JAG is not an access token: RFC 8693 says token_type "N_A".
        { recognizedTokenTypes: { n_a: () => undefined } },
      ),
    );
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) {
      const code = error.error === 'invalid_grant' ? 'needs-sign-in' : 'token-request-failed';
      throw new KeyringError(code, `${config.name} would not issue an ID-JAG for ${input.server.name} (${describeOAuthError(error)}).`, { cause: error });
    }
    throw error;
  }
  if (response.issued_token_type !== ID_JAG_TOKEN_TYPE) {
    const type = typeof response.issued_token_type === 'string' ? response.issued_token_type.replace(/[^\x21-\x7e]/g, '').slice(0, 80) : 'untyped';
    throw new KeyringError('token-request-failed', `${config.name} answered the token exchange with a ${type} token, not an ID-JAG.`);
  }
  return response.access_token;
}

/** Step 2, at the MCP server's authorization server: ID-JAG → access token. */
export async function idJagGrant(input: GrantInput): Promise<oauth.TokenEndpointResponse> {
  const { server, as, scopes, vault } = input;
  if (server.auth.grant.type !== 'id-jag') throw new Error('not an ID-JAG server');
  const idps = new IdentityProviders(input.paths, { vault, fetch: input.fetch, clock: input.clock });
  const assertion = await requestIdJag(input, idps, server.auth.grant.idp);
  const secret = await vault.get(secretNames.userClientSecret(server.id));
  const parameters: Record<string, string> = { assertion };
  if (scopes.length) parameters.scope = scopes.join(' ');
  if (server.auth.sendResource) parameters.resource = server.url;
  return withClientAuth(as, secret ? { kind: 'secret', secret } : { kind: 'none' }, async ({ auth, method }) => {
    const client: oauth.Client = { client_id: server.auth.clientId!, token_endpoint_auth_method: method };
    return oauthCall(as.token_endpoint!, async () =>
      oauth.processGenericTokenEndpointResponse(as, client, await oauth.genericTokenEndpointRequest(as, client, auth, JWT_BEARER_GRANT, parameters, oauthHttpOptions(as.token_endpoint!, input.fetch))),
    );
  });
}
