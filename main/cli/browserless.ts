// CLI for servers that need no browser: `add … --client-credentials` (secret,
// imported PEM key, or a generated key), `add … --idp <idp>`, and `public-key <id>`.
// Secrets and keys come from standard input only, never from argv.
import type { BrowserlessGrant, OAuthOptions, ServerAuth } from '../../shared/server-config';
import { KeyringError } from '../core/errors';
import type { Keyring } from '../core/keyring';
import { addBrowserlessServer, serverPublicJwk } from '../core/browserless-servers';
import { readPipedCredential } from './read-bounded';
import { readSecret } from './read-secret';

export const BROWSERLESS_ADD_OPTIONS = {
  'client-credentials': { type: 'boolean' },
  'private-key': { type: 'boolean' },
  'generate-key': { type: 'boolean' },
  'signing-alg': { type: 'string' },
  idp: { type: 'string' },
} as const;

export interface BrowserlessAddValues {
  'client-credentials'?: boolean;
  'private-key'?: boolean;
  'generate-key'?: boolean;
  'signing-alg'?: string;
  idp?: string;
  'client-secret'?: boolean;
  name?: string;
  id?: string;
}

/** Any of the browserless options (so that one given alone gets an error instead of being ignored). */
export function wantsBrowserless(values: BrowserlessAddValues): boolean {
  return Boolean(values['client-credentials'] || values.idp || values['private-key'] || values['generate-key'] || values['signing-alg']);
}

export async function addBrowserless(keyring: Keyring, url: string, values: BrowserlessAddValues, auth: ServerAuth, say: (line: string) => void): Promise<void> {
  if (values['client-credentials'] && values.idp) throw new KeyringError('invalid-input', '--client-credentials and --idp are two different kinds of server; use one.');
  if (!values['client-credentials'] && !values.idp) throw new KeyringError('invalid-input', '--private-key, --generate-key and --signing-alg go with --client-credentials.');
  if (auth.kind !== 'oauth') throw new KeyringError('invalid-input', `${values.idp ? '--idp' : '--client-credentials'} is OAuth without a browser; it does not go with --header or --no-auth.`);
  const oauth: OAuthOptions = auth;
  if (!oauth.clientId) throw new KeyringError('invalid-input', `${values.idp ? '--idp' : '--client-credentials'} needs --client-id ID.`);
  let grant: BrowserlessGrant;
  let clientSecret: string | undefined;
  let privateKeyPem: string | undefined;
  if (values.idp) {
    if (values['private-key'] || values['generate-key']) throw new KeyringError('invalid-input', '--idp servers authenticate with --client-secret (or none), not a private key.');
    grant = { type: 'id-jag', idp: values.idp };
    if (values['client-secret']) clientSecret = await readSecret('Client secret: ');
  } else {
    const chosen = [values['client-secret'], values['private-key'], values['generate-key']].filter(Boolean).length;
    if (chosen !== 1) throw new KeyringError('invalid-input', '--client-credentials needs exactly one of --client-secret (secret on stdin), --private-key (PKCS#8 PEM on stdin) or --generate-key.');
    if (values['signing-alg'] && values['client-secret']) throw new KeyringError('invalid-input', '--signing-alg goes with --private-key.');
    const credential = values['client-secret'] ? 'client-secret' : 'private-key';
    grant = { type: 'client-credentials', credential, ...(values['signing-alg'] ? { signingAlg: values['signing-alg'] } : {}) };
    if (values['client-secret']) clientSecret = await readSecret('Client secret: ');
    if (values['private-key']) privateKeyPem = await readPipedCredential('PEM private key');
  }
  const { server, publicJwk } = await addBrowserlessServer(keyring, {
    url,
    auth: { ...oauth, grant },
    ...(values.name ? { name: values.name } : {}),
    ...(values.id ? { id: values.id } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    ...(privateKeyPem ? { privateKeyPem } : {}),
    ...(values['generate-key'] ? { generateKey: true } : {}),
  });
  if (values['generate-key']) {
    say(`Added ${server.name} (${server.url}) as ${server.id}, with a new ES256 key kept in the system keychain.`);
    say(`Register this public key (JWK) for client ${oauth.clientId} at the authorization server, then run: mcp-keyring connect ${server.id}`);
    process.stdout.write(`${JSON.stringify(publicJwk)}\n`);
    return;
  }
  say(`Added ${server.name} (${server.url}). Next: mcp-keyring connect ${server.id} (no browser needed)`);
  process.stdout.write(`${server.id}\n`);
}

export async function publicKeyCommand(keyring: Keyring, args: string[]): Promise<void> {
  const id = args[0];
  if (!id || args.length > 1) throw new KeyringError('invalid-input', 'public-key takes one server id: mcp-keyring public-key <id>');
  process.stdout.write(`${JSON.stringify(await serverPublicJwk(keyring, id))}\n`);
}
