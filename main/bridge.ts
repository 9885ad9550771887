// Entry of the stdio bridge bundle (dist/bridge.mjs): `bridge.mjs <server-id>`.
// It is on Claude Desktop's start path, so it does as little as it can before the
// first message: no discovery, no network, and the keychain read starts before the
// rest of the bundle (the MCP SDK, zod) is even evaluated.

import { useLeanV8 } from './core/bridge/lean-v8';
import { installHeadersLite } from './core/http/headers-lite';
import { secretNames } from './core/vault/secrets';
import { KeychainVault } from './core/vault/vault';

// Before the rest of the bundle is compiled: the bridge is small whichever way it was started.
useLeanV8();
// Before anything can touch the global Headers (it would load undici, ~12 MB).
installHeadersLite();


// Started as `bridge.mjs <id>`, or by the CLI as `mcp-keyring bridge <id>`.
const args = process.argv.slice(2);
const id = args[0] === 'bridge' ? args[1] : args[0];
if (!id || id.startsWith('-')) {
  process.stderr.write('usage: mcp-keyring bridge <server-id>\n');
  process.exit(2);
}
const vault = new KeychainVault();
vault.prefetch(secretNames.accessToken(id));

const { runBridgeProcess, reportFatal } = await import('./core/bridge/bridge-process');
runBridgeProcess(id, vault).then(() => process.exit(0), reportFatal);
