// `mcp-keyring idp …`: the company identity providers of enterprise-managed
// authorization. One sign-in at the IdP serves every MCP server added with `--idp`.
import { parseArgs } from 'node:util';
import { openInSystemBrowser } from '../core/authorize/open-browser';
import { DEFAULT_SIGN_IN_TIMEOUT_MS } from '../core/authorize/sign-in';
import { KeyringError } from '../core/errors';
import type { IdpView } from '../core/idp/identity-providers';
import { signInToIdp } from '../core/idp/idp-sign-in';
import type { Keyring } from '../core/keyring';
import { identityProviders, reconnectThroughIdp } from '../core/browserless-servers';
import { formatDuration } from './format';
import { readPipedCredential } from './read-bounded';
import { readSecret } from './read-secret';

export const IDP_USAGE = `  idp add <issuer> --client-id ID          add your company's identity provider; prints its id
      [--client-secret] [--id ID] [--name N]  (secret read from stdin)
  idp connect <idp> [--timeout 5m]         sign in there once, in the browser
  idp import-id-token <idp>                use an ID token you already have (read from stdin)
  idp status [--json]                      identity providers and their sign-in
  idp sign-out <idp>                       forget the sign-in
  idp remove <idp>                         forget the identity provider`;

function describe(view: IdpView, now = Date.now()): string {
  const { config, session } = view;
  const who = session.email ?? session.subject;
  let status: string = session.status;
  if (session.status === 'signed-in' && session.expiresAt !== null) {
    status = session.expiresAt > now ? `signed-in${who ? ` as ${who}` : ''}, ID token valid ${formatDuration(session.expiresAt - now)}${session.hasRefreshToken ? ' (renews itself)' : ''}` : `expired${session.hasRefreshToken ? ' (renews on use)' : ''}`;
  }
  return `${config.id}  ${config.name}  ${config.issuer}  client ${config.clientId}  ${status}${session.lastError ? `\n  ${session.lastError}` : ''}`;
}

function reportReconnected(results: Array<{ id: string; error?: string }>, say: (line: string) => void): void {
  for (const result of results) say(result.error ? `${result.id}: still not connected (${result.error})` : `${result.id}: connected again.`);
}

export async function idpCommand(keyring: Keyring, args: string[], say: (line: string) => void, parseDuration: (text: string) => number): Promise<void> {
  const [sub, ...rest] = args;
  const idps = identityProviders(keyring);
  switch (sub) {
    case 'add': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { 'client-id': { type: 'string' }, 'client-secret': { type: 'boolean' }, id: { type: 'string' }, name: { type: 'string' } },
      });
      const issuer = positionals[0];
      if (!issuer || positionals.length > 1) throw new KeyringError('invalid-input', 'idp add takes one issuer URL: mcp-keyring idp add <issuer> --client-id ID');
      if (!values['client-id']) throw new KeyringError('invalid-input', 'idp add needs --client-id ID (MCP Keyring\'s client at the identity provider).');
      const clientSecret = values['client-secret'] ? await readSecret('Client secret: ') : undefined;
      const config = await idps.add({ issuer, clientId: values['client-id'], ...(clientSecret ? { clientSecret } : {}), ...(values.id ? { id: values.id } : {}), ...(values.name ? { name: values.name } : {}) });
      say(`Added the identity provider ${config.name} (${config.issuer}). Next: mcp-keyring idp connect ${config.id}`);
      process.stdout.write(`${config.id}\n`);
      return;
    }
    case 'connect': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { timeout: { type: 'string' } } });
      const id = positionals[0];
      if (!id) throw new KeyringError('invalid-input', 'idp connect needs an identity provider id.');
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const timeoutMs = values.timeout ? parseDuration(values.timeout) : DEFAULT_SIGN_IN_TIMEOUT_MS;
      const session = await signInToIdp(idps, id, {
        openBrowser: openInSystemBrowser,
        timeoutMs,
        signal: controller.signal,
        onUrl: (url) => {
          say(`Opening your browser to sign in. If it does not open, visit:\n  ${url}`);
          say(`Waiting for you in the browser (up to ${formatDuration(timeoutMs)}; Ctrl-C cancels)…`);
        },
      });
      say(`Signed in${session.email ?? session.subject ? ` as ${session.email ?? session.subject}` : ''}. Servers added with --idp ${id} now connect without a browser.`);
      reportReconnected(await reconnectThroughIdp(keyring, id), say);
      return;
    }
    case 'import-id-token': {
      const id = rest[0];
      if (!id || rest.length > 1) throw new KeyringError('invalid-input', 'idp import-id-token takes one identity provider id; the ID token comes on standard input.');
      const session = await idps.importIdToken(id, await readPipedCredential('ID token'));
      say(`Stored the ID token${session.subject ? ` of ${session.email ?? session.subject}` : ''} in the system keychain${session.expiresAt ? `; it is valid for ${formatDuration(session.expiresAt - Date.now())}` : ''}.`);
      reportReconnected(await reconnectThroughIdp(keyring, id), say);
      return;
    }
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const views = await idps.list();
      if (values.json) {
        process.stdout.write(`${JSON.stringify(views.map(({ config, session }) => ({ ...config, session })), null, 2)}\n`);
        return;
      }
      process.stdout.write(views.length ? `${views.map((v) => describe(v)).join('\n')}\n` : 'No identity providers yet. Add one: mcp-keyring idp add <issuer> --client-id ID\n');
      return;
    }
    case 'sign-out': {
      const id = rest[0];
      if (!id) throw new KeyringError('invalid-input', 'idp sign-out needs an identity provider id.');
      await idps.signOut(id);
      say('Signed out: the ID token and refresh token are deleted from the keychain.');
      return;
    }
    case 'remove': {
      const id = rest[0];
      if (!id) throw new KeyringError('invalid-input', 'idp remove needs an identity provider id.');
      const users = (await keyring.registry.list()).filter((s) => s.auth.kind === 'oauth' && s.auth.grant?.type === 'id-jag' && s.auth.grant.idp === id);
      if (users.length) throw new KeyringError('invalid-input', `${users.map((s) => s.id).join(', ')} still use${users.length === 1 ? 's' : ''} this identity provider; remove ${users.length === 1 ? 'it' : 'them'} first.`);
      await idps.remove(id);
      say('Removed the identity provider and its sign-in.');
      return;
    }
    default:
      throw new KeyringError('invalid-input', `Unknown idp command "${sub ?? ''}". Commands:\n${IDP_USAGE}`);
  }
}
