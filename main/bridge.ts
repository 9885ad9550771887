// The stdio bridge bundle (dist/bridge-bundle.cjs), loaded by dist/bridge.cjs
// (main/bridge-launcher.ts) through V8's code cache. It is on Claude Desktop's
// start path, so it does as little as it can before the first message: no
// discovery, no network, and the keychain read starts before the server's files
// are read. Imports are static so that the bundler can leave out what the bridge
// never uses (see the SDK note in scripts/build.mjs).
import { reportFatal, runBridgeProcess } from './core/bridge/bridge-process';
import { installHeadersLite } from './core/http/headers-lite';
import { secretNames } from './core/vault/secrets';
import { KeychainVault } from './core/vault/vault';

export interface BridgeStartHooks {
  /** Called once the first reply has reached the client: start-up is over. */
  afterStartUp?: () => void;
}

/** `bridge.cjs <id>`, or `mcp-keyring bridge <id>` (argv after the script). */
export function startBridge(args: readonly string[], hooks: BridgeStartHooks = {}): void {
  // Before anything can touch the global Headers (it would load undici, ~12 MB).
  installHeadersLite();
  const id = args[0] === 'bridge' ? args[1] : args[0];
  if (!id || id.startsWith('-')) {
    process.stderr.write('usage: mcp-keyring bridge <server-id>\n');
    process.exit(2);
  }
  const vault = new KeychainVault();
  vault.prefetch(secretNames.accessToken(id));
  runBridgeProcess(id, vault, hooks).then(() => process.exit(0), reportFatal);
}
