// The `mcp-keyring` executable (package.json "bin" → dist/mcp-keyring.mjs), kept
// tiny: `bridge` is on MCP clients' start path, so it loads only the bridge bundle;
// every other command loads the CLI. Nothing else is read, parsed or evaluated first.
import { useLeanV8 } from './core/bridge/lean-v8';

if (process.argv[2] === 'bridge') {
  // Before the bridge bundle is even parsed (bridge.mjs sets them too, for its other launchers).
  useLeanV8();
  // @ts-expect-error -- resolved at run time next to the built file
  await import('./bridge.mjs');
} else {
  // @ts-expect-error -- resolved at run time next to the built file
  await import('./cli.mjs');
}
