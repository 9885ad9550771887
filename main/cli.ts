// The command-line front end: `mcp-keyring add|connect|status|bridge|disconnect|remove`.
// Output for people goes to stderr; what scripts read (an id, JSON) to stdout.
// Secrets are never taken from argv (they would show in `ps`): only stdin or a prompt.
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import type { ServerAuth } from '../shared/server-config';
import type { ServerView } from '../shared/server-state';
import { openInSystemBrowser } from './core/authorize/open-browser';
import { SIGNED_OUT_HEADERS, helperHeaders } from './core/bridge/credentials';
import { resolveHttpBridgePort, startHttpBridge } from './core/bridge/http-bridge';
import { START_OVER_HINT_AFTER_MS } from './core/authorize/fresh-registration';
import { DEFAULT_SIGN_IN_TIMEOUT_MS } from './core/authorize/sign-in';
import { KeyringError, errorMessage, isKeyringError } from './core/errors';
import { actorLabel } from './core/actor';
import { Keyring } from './core/keyring';
import { redact } from './core/redact';
import { readSecret } from './cli/read-secret';
import { formatDuration, formatStatusTable } from './cli/format';
import { displayLines } from '../shared/display-text';
import { adoptCommand, logCommand } from './cli/adopt';
import { searchCommand } from './cli/search';
import { addBrowserless, BROWSERLESS_ADD_OPTIONS, publicKeyCommand, wantsBrowserless } from './cli/browserless';
import { IDP_USAGE, idpCommand } from './cli/idp';

const USAGE = `usage: mcp-keyring <command> [options]

  add <url> [--name NAME] [--id ID]        add a remote MCP server; prints its id
      [--client-id ID] [--client-secret]   use your own OAuth client (secret read from stdin)
      [--scope S]... [--audience A]        scopes to ask for; Auth0-style audience
      [--no-resource] [--callback-port N]  leave out RFC 8707 resource; fixed redirect port
      [--client-metadata-url URL]          Client ID Metadata Document to use as client id
      [--header NAME [--scheme Bearer]]    a server with a static key in NAME (key read from stdin)
      [--no-auth]                          a server that needs no credentials
      --client-credentials --client-id ID  machine-to-machine, no browser: with --client-secret (stdin),
        --private-key [--signing-alg ES256] (PKCS#8 PEM on stdin) or --generate-key (prints the public JWK)
      --idp IDP --client-id ID [--client-secret]  enterprise-managed: tokens via the identity provider
  public-key <id>                          print the public JWK of a server's private key
  connect <id> [--timeout 5m]              sign in through the browser; tokens go to the keychain
      [--new-registration]                 register MCP Keyring afresh first (the server shows invalid_client)
  status [<id>] [--json]                   show servers and their token state
  bridge <id>                              stdio MCP server for Claude Desktop & co.
  headers <id>                             print fresh request headers as JSON (Claude Code headersHelper)
  serve [--port 8737]                      local Streamable HTTP bridge: http://127.0.0.1:<port>/servers/<id>/mcp
  disconnect <id>                          revoke where supported and delete the tokens
  remove <id>                              disconnect and forget the server
  adopt [<name|url>...] [--dry-run] [--yes] [--keep-plaintext] [--json]
                                           take over remote servers already in your clients' configs
  log <id> [--json]                        the server's history, newest first
  search <words> [--registry URL] [--json] remote servers in the MCP registry, how each signs in
${IDP_USAGE}

environment: MCP_KEYRING_HOME (data directory), MCP_KEYRING_SERVICE (keychain service),
             MCP_KEYRING_HTTP_PORT (serve's port), MCP_KEYRING_REGISTRY_URL, BROWSER, HTTPS_PROXY / NO_PROXY, NODE_EXTRA_CA_CERTS`;

class UsageError extends Error {}

/** Every line for people goes through here: whatever a server managed to put in it, no escape sequence reaches the terminal. */
function say(line: string): void {
  process.stderr.write(`${displayLines(line)}\n`);
}

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--timeout "${text}" is not a duration; use e.g. 90s or 5m.`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
  if (ms < 1000) throw new UsageError('--timeout must be at least one second.');
  return ms;
}

async function add(keyring: Keyring, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      id: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'boolean' },
      'client-metadata-url': { type: 'string' },
      scope: { type: 'string', multiple: true },
      audience: { type: 'string' },
      'no-resource': { type: 'boolean' },
      'callback-port': { type: 'string' },
      header: { type: 'string' },
      scheme: { type: 'string' },
      'no-auth': { type: 'boolean' },
      ...BROWSERLESS_ADD_OPTIONS,
    },
  });
  const url = positionals[0];
  if (!url || positionals.length > 1) throw new UsageError('add takes one URL: mcp-keyring add <url> [--name NAME]');
  let auth: ServerAuth;
  let secret: string | undefined;
  if (values['no-auth']) {
    auth = { kind: 'none' };
  } else if (values.header) {
    auth = { kind: 'header', headerName: values.header, ...(values.scheme ? { scheme: values.scheme } : {}) };
    secret = await readSecret(`Value for the ${values.header} header: `);
  } else {
    const port = values['callback-port'] === undefined ? undefined : Number(values['callback-port']);
    if (port !== undefined && (!Number.isInteger(port) || port < 1024 || port > 65535)) {
      throw new UsageError(`--callback-port "${values['callback-port']}" is not a port between 1024 and 65535.`);
    }
    auth = {
      kind: 'oauth',
      sendResource: !values['no-resource'],
      ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
      ...(values['client-metadata-url'] ? { clientMetadataUrl: values['client-metadata-url'] } : {}),
      ...(values.scope?.length ? { scopes: values.scope.flatMap((s) => s.split(/\s+/)).filter(Boolean) } : {}),
      ...(values.audience ? { audience: values.audience } : {}),
      ...(port ? { callbackPort: port } : {}),
    };
  }
  if (wantsBrowserless(values)) return addBrowserless(keyring, url, values, auth, say);
  const clientSecret = values['client-secret'] ? await readSecret('Client secret: ') : undefined;
  const server = await keyring.add({
    url,
    auth,
    ...(values.name ? { name: values.name } : {}),
    ...(values.id ? { id: values.id } : {}),
    ...(secret ? { secret } : {}),
    ...(clientSecret ? { clientSecret } : {}),
  });
  say(`Added ${server.name} (${server.url}).${auth.kind === 'oauth' ? ` Next: mcp-keyring connect ${server.id}` : ''}`);
  process.stdout.write(`${server.id}\n`);
}

async function connect(keyring: Keyring, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { timeout: { type: 'string' }, 'new-registration': { type: 'boolean' } } });
  const id = positionals[0];
  if (!id) throw new UsageError('connect needs a server id: mcp-keyring connect <id>');
  const timeoutMs = values.timeout ? parseDuration(values.timeout) : DEFAULT_SIGN_IN_TIMEOUT_MS;
  const server = await keyring.registry.get(id);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  // An AS that forgot our registration shows invalid_client and never redirects: say what to do meanwhile.
  let hint: NodeJS.Timeout | undefined;
  const hintAfterMs = Number(process.env.MCP_KEYRING_START_OVER_HINT_MS) || START_OVER_HINT_AFTER_MS;
  try {
    const state = await keyring.connect(id, {
      openBrowser: openInSystemBrowser,
      timeoutMs,
      signal: controller.signal,
      ...(values['new-registration'] ? { freshRegistration: true } : {}),
      onProgress: (progress) => {
        if (progress.step === 'discovering') say('Looking up how the server is protected…');
        if (progress.step === 'registering') say(`Authorization server: ${progress.issuer}`);
        if (progress.step === 'waiting-for-browser') {
          say(`Opening your browser to sign in. If it does not open, visit:\n  ${progress.url}`);
          say(`Waiting for you in the browser (up to ${formatDuration(progress.timeoutMs)}; Ctrl-C cancels)…`);
          if (server.auth.kind === 'oauth' && !server.auth.clientId && hintAfterMs < timeoutMs) {
            hint = setTimeout(
              () => say(`If the browser shows invalid_client, the authorization server has forgotten MCP Keyring: press Ctrl-C and run \`mcp-keyring connect ${id} --new-registration\`.`),
              hintAfterMs,
            );
            hint.unref();
          }
        }
        if (progress.step === 'exchanging-code') {
          clearTimeout(hint);
          say('Finishing sign-in…');
        }
      },
    });
    const expiry = state.expiresAt ? `; the access token is valid for ${formatDuration(state.expiresAt - Date.now())}${state.hasRefreshToken ? ' and renews itself' : ''}` : '';
    say(`Connected${state.scopes.length ? ` with ${state.scopes.join(' ')}` : ''}${expiry}. Tokens are in the system keychain.`);
  } finally {
    clearTimeout(hint);
  }
}


async function status(keyring: Keyring, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  let views: ServerView[] = await keyring.list();
  if (positionals[0]) {
    views = views.filter((v) => v.id === positionals[0]);
    if (!views.length) await keyring.registry.get(positionals[0]); // throws the unknown-server error
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(positionals[0] ? views[0] : views, null, 2)}\n`);
    return;
  }
  process.stdout.write(views.length ? `${formatStatusTable(views)}\n` : 'No servers yet. Add one: mcp-keyring add <url>\n');
}

/**
 * For Claude Code's headersHelper: the headers to send, as JSON on stdout.
 * Signed out, it still exits 0, with a placeholder Authorization that the server
 * refuses: a helper that fails makes Claude Code start its own OAuth sign-in and
 * keep that token in its own file, while a helper-supplied Authorization turns its
 * OAuth fallback off and it reports that the helper's credential was refused.
 * Our message goes to stderr, and the needs-sign-in state turns the app's tray red.
 */
async function headers(keyring: Keyring, args: string[]): Promise<void> {
  const id = args[0];
  if (!id) throw new UsageError('headers needs a server id.');
  const server = await keyring.registry.get(id);
  let values: Record<string, string>;
  try {
    values = await helperHeaders(server, keyring);
  } catch (error) {
    if (!isKeyringError(error, 'needs-sign-in')) throw error;
    say(`mcp-keyring: ${redact(errorMessage(error))}`);
    values = SIGNED_OUT_HEADERS;
  }
  process.stdout.write(`${JSON.stringify(values)}\n`);
}

/** The local HTTP bridge, until Ctrl-C. */
async function serve(keyring: Keyring, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } } });
  const port = resolveHttpBridgePort(values.port);
  const bridge = await startHttpBridge(keyring, { port, log: (line) => say(`[mcp-keyring serve] ${line}`) });
  say(`MCP Keyring HTTP bridge listening on http://127.0.0.1:${bridge.port} (Ctrl-C stops it).`);
  for (const server of await keyring.registry.list()) say(`  ${server.name}: ${bridge.url(server.id)}`);
  say('Clients send "Authorization: Bearer <bridge secret>"; MCP Keyring writes it into client configs (the secret stays in the keychain).');
  await new Promise<void>((resolve) => {
    const stop = () => void bridge.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function disconnectCommand(keyring: Keyring, args: string[], remove: boolean): Promise<void> {
  const id = args[0];
  if (!id) throw new UsageError(`${remove ? 'remove' : 'disconnect'} needs a server id.`);
  const result = remove ? await keyring.remove(id) : await keyring.disconnect(id);
  if (result.revokeError) say(`Could not revoke at the authorization server: ${result.revokeError}`);
  say(`${result.revoked ? 'Revoked and deleted' : 'Deleted'} the stored tokens${remove ? ' and removed the server' : ''}.`);
}

export async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'bridge') {
    // The bridge is its own bundle, kept small for a fast start (the front doors load it directly).
    createRequire(import.meta.url)('./bridge.cjs');
    return new Promise<number>(() => undefined); // the bridge exits the process itself
  }
  const keyring = new Keyring({ actor: actorLabel(command === 'serve' ? 'http-bridge' : 'cli') });
  try {
    switch (command) {
      case 'add':
        await add(keyring, args);
        break;
      case 'connect':
        await connect(keyring, args);
        break;
      case 'status':
        await status(keyring, args);
        break;
      case 'headers':
        await headers(keyring, args);
        break;
      case 'serve':
        await serve(keyring, args);
        break;
      case 'disconnect':
        await disconnectCommand(keyring, args, false);
        break;
      case 'remove':
        await disconnectCommand(keyring, args, true);
        break;
      case 'adopt':
        await adoptCommand(keyring, args);
        break;
      case 'log':
        await logCommand(keyring, args);
        break;
      case 'search':
        await searchCommand(args, keyring.fetch);
        break;
      case 'public-key':
        await publicKeyCommand(keyring, args);
        break;
      case 'idp':
        await idpCommand(keyring, args, say, parseDuration);
        break;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      say(`mcp-keyring: ${errorMessage(error)}\n${USAGE}`);
      return 2;
    }
    say(`mcp-keyring: ${redact(errorMessage(error))}`);
    return error instanceof KeyringError ? 1 : 1;
  }
}

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
