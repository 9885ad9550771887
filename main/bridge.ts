// The stdio bridge bundle (dist/bridge-bundle.cjs), loaded by dist/bridge.cjs
// (main/bridge-launcher.ts) through V8's code cache once the launcher has started
// reading the keychain. It is on Claude Desktop's start path, so it does as little
// as it can before the first message: no discovery, no network. Imports are static
// so that the bundler can leave out what the bridge never uses (see the SDK note in
// scripts/build.mjs).
import { reportFatal, runBridgeProcess } from './core/bridge/bridge-process';
import type { BridgeStart } from './core/bridge/bridge-start';
import { installHeadersLite } from './core/http/headers-lite';

export function startBridge(start: BridgeStart): void {
  // Before anything can touch the global Headers (it would load undici, ~12 MB).
  installHeadersLite();
  runBridgeProcess(start.id, start.vault, start).then(() => process.exit(0), reportFatal);
}
