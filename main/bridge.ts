// Entry of the stdio bridge bundle (dist/bridge.mjs): `bridge.mjs <server-id>`.
// It is on Claude Desktop's start path, so it does as little as it can before the
// first message: no discovery, one read of servers.json, the token read from the
// keychain while the client is still sending `initialize`.
import { installHeadersLite } from './core/http/headers-lite';
// Before anything can touch the global Headers (it would load undici, ~12 MB).
installHeadersLite();

import { credentialsFor, OAuthCredentials } from './core/bridge/credentials';
import { createAuthFetch } from './core/bridge/auth-fetch';
import { runStdioBridge } from './core/bridge/stdio-bridge';
import { errorMessage } from './core/errors';
import { createNodeFetch } from './core/http/node-fetch';
import { Keyring } from './core/keyring';
import { redact } from './core/redact';
import { setProcessRole } from './core/tokens/token-manager';

export async function main(argv = process.argv.slice(2)): Promise<void> {
  // Started as `bridge.mjs <id>`, or by the CLI as `mcp-keyring bridge <id>`.
  const id = argv[0] === 'bridge' ? argv[1] : argv[0];
  if (!id || id.startsWith('-')) {
    process.stderr.write('usage: mcp-keyring bridge <server-id>\n');
    process.exit(2);
  }
  setProcessRole('bridge');
  const keyring = new Keyring();
  const server = await keyring.registry.get(id);
  const credentials = credentialsFor(server, keyring.tokens);
  const log = (line: string) => process.stderr.write(`[mcp-keyring bridge ${id}] ${redact(line, credentials.secrets)}\n`);
  if (credentials instanceof OAuthCredentials) {
    credentials.preload();
    // A new sign-in or a disconnect elsewhere takes effect on the next request, without a restart.
    keyring.states.watch((changed) => {
      if (changed === id) credentials.invalidate();
    });
  }
  const { closed } = await runStdioBridge({
    url: server.url,
    fetch: createAuthFetch(createNodeFetch() as never, credentials),
    log,
  });
  await closed;
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`[mcp-keyring bridge] ${redact(errorMessage(error))}\n`);
  process.exit(1);
});
