// The OAuth `client_credentials` grant (MCP client-credentials extension): the
// client authenticates with its secret or a private_key_jwt assertion and gets a
// token for the server (RFC 8707 `resource`), with no user and no browser.
import * as oauth from 'oauth4webapi';
import { KeyringError } from '../../errors';
import { oauthCall, oauthHttpOptions } from '../../http/outbound';
import { secretNames } from '../../vault/secrets';
import type { GrantInput } from './grant-input';
import { withClientAuth, type ClientCredential } from './client-auth';
import { readPrivateKey } from './private-key';

async function credential({ server, vault }: GrantInput): Promise<ClientCredential> {
  const grant = server.auth.grant;
  if (grant.type !== 'client-credentials') throw new Error('not a client-credentials server');
  if (grant.credential === 'private-key') {
    const pem = await readPrivateKey(vault, server.id);
    if (!pem) throw new KeyringError('needs-sign-in', `The private key of ${server.name} is missing from the keychain; add the server again.`);
    return { kind: 'private-key', pem, ...(grant.signingAlg ? { signingAlg: grant.signingAlg } : {}) };
  }
  const secret = await vault.get(secretNames.userClientSecret(server.id));
  if (!secret) throw new KeyringError('needs-sign-in', `The client secret of ${server.name} is missing from the keychain; add the server again.`);
  return { kind: 'secret', secret };
}

export async function clientCredentialsGrant(input: GrantInput): Promise<oauth.TokenEndpointResponse> {
  const { server, as, scopes } = input;
  const parameters: Record<string, string> = {};
  if (scopes.length) parameters.scope = scopes.join(' ');
  if (server.auth.sendResource) parameters.resource = server.url;
  if (server.auth.audience) parameters.audience = server.auth.audience;
  return withClientAuth(as, await credential(input), async ({ auth, method }) => {
    const client: oauth.Client = { client_id: server.auth.clientId!, token_endpoint_auth_method: method };
    return oauthCall(as.token_endpoint!, async () =>
      oauth.processClientCredentialsResponse(as, client, await oauth.clientCredentialsGrantRequest(as, client, auth, parameters, oauthHttpOptions(as.token_endpoint!, input.fetch))),
    );
  });
}
