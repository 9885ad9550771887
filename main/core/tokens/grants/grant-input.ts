// What a browserless grant works with: the server (with its grant), its
// authorization server's metadata, the scopes to ask for, the keychain, the paths, the fetch and the clock.
import type * as oauth from 'oauth4webapi';
import type { BrowserlessGrant, OAuthOptions, ServerConfig } from '../../../../shared/server-config';
import type { Clock } from '../../clock';
import type { NodeFetch } from '../../http/node-fetch';
import type { KeyringPaths } from '../../paths';
import type { Vault } from '../../vault/vault';

export type BrowserlessServer = ServerConfig & { auth: OAuthOptions & { grant: BrowserlessGrant } };

export interface GrantInput {
  server: BrowserlessServer;
  as: oauth.AuthorizationServer;
  scopes: string[];
  vault: Vault;
  paths: KeyringPaths;
  /** The fetch for the token (and IdP) requests. */
  fetch: NodeFetch;
  /** What time it is (../../clock.ts): decides whether the IdP's ID token needs renewing. */
  clock: Clock;
}
