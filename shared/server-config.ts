// The non-secret description of one remote MCP server, as stored in servers.json
// and as it crosses the IPC boundary. Secrets never appear here: they live in the keychain.
import * as z from 'zod';

export const SERVER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Machine-to-machine (MCP client-credentials extension): tokens come from the
 * `client_credentials` grant, no browser. The credential is the client secret, or
 * a private key for `private_key_jwt` (both only in the keychain).
 */
export const ClientCredentialsGrantSchema = z.object({
  type: z.literal('client-credentials'),
  credential: z.enum(['client-secret', 'private-key']),
  /** JWS algorithm of the private key's assertions, e.g. ES256 (default: the key's own). */
  signingAlg: z.string().regex(/^[A-Za-z0-9]{2,10}$/, 'a JWS algorithm name such as ES256').optional(),
});

/**
 * Enterprise-managed authorization (cross-app access): an ID-JAG from the company's
 * identity provider (RFC 8693 token exchange), redeemed with the RFC 7523 jwt-bearer grant.
 */
export const IdJagGrantSchema = z.object({
  type: z.literal('id-jag'),
  /** Id of the identity provider (see IdentityProviderConfigSchema). */
  idp: z.string().regex(SERVER_ID_PATTERN),
});

export const BrowserlessGrantSchema = z.discriminatedUnion('type', [ClientCredentialsGrantSchema, IdJagGrantSchema]);
export type BrowserlessGrant = z.infer<typeof BrowserlessGrantSchema>;

export const OAuthOptionsSchema = z.object({
  kind: z.literal('oauth'),
  /** Tokens without a browser (machine-to-machine or enterprise-managed); absent: sign-in in the browser. */
  grant: BrowserlessGrantSchema.optional(),
  /** A client id the user registered with the authorization server themselves. */
  clientId: z.string().min(1).optional(),
  /** URL of a Client ID Metadata Document to use as the client id where the AS supports it. */
  clientMetadataUrl: z.string().url().optional(),
  /** Scopes to ask for; default: the 401 challenge's scope, else the resource metadata's scopes_supported. */
  scopes: z.array(z.string().min(1)).optional(),
  /** Auth0-style `audience` parameter, sent on authorization and token requests. */
  audience: z.string().min(1).optional(),
  /** RFC 8707 `resource`; some servers (Entra) reject it, so it can be turned off. */
  sendResource: z.boolean().default(true),
  /** Fixed loopback port for the redirect, for clients registered with one exact redirect URI. */
  callbackPort: z.number().int().min(1024).max(65535).optional(),
});
export type OAuthOptions = z.infer<typeof OAuthOptionsSchema>;

export const HeaderAuthSchema = z.object({
  kind: z.literal('header'),
  /** The header that carries the key, e.g. `X-API-Key` or `Authorization`. */
  headerName: z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name has only token characters'),
  /** Prefix put before the key, e.g. `Bearer` for a fixed bearer token. */
  scheme: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
});
export type HeaderAuth = z.infer<typeof HeaderAuthSchema>;

export const NoAuthSchema = z.object({ kind: z.literal('none') });

export const ServerAuthSchema = z.discriminatedUnion('kind', [OAuthOptionsSchema, HeaderAuthSchema, NoAuthSchema]);
export type ServerAuth = z.infer<typeof ServerAuthSchema>;

export const ServerConfigSchema = z.object({
  id: z.string().regex(SERVER_ID_PATTERN),
  name: z.string().min(1).max(100),
  /** The MCP endpoint, canonical form (RFC 8707 resource). */
  url: z.string().url(),
  auth: ServerAuthSchema,
  createdAt: z.string(),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

export const ServersFileSchema = z.object({
  version: z.literal(1),
  servers: z.array(ServerConfigSchema),
});
export type ServersFile = z.infer<typeof ServersFileSchema>;

/** A company identity provider that MCP Keyring signs in to once (enterprise-managed authorization). */
export const IdentityProviderConfigSchema = z.object({
  id: z.string().regex(SERVER_ID_PATTERN),
  name: z.string().min(1).max(100),
  /** The IdP's issuer (OpenID Connect discovery starts here). */
  issuer: z.string().url(),
  /** MCP Keyring's client id at the IdP. Its secret, if any, is in the keychain. */
  clientId: z.string().min(1),
  createdAt: z.string(),
});
export type IdentityProviderConfig = z.infer<typeof IdentityProviderConfigSchema>;
