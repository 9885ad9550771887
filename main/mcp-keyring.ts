// The two front doors of the command line, built from this file: dist/mcp-keyring.cjs
// (the `mcp-keyring` executable, package.json "bin") and dist/cli.mjs (what the app
// and the README name). Kept tiny: `bridge` is on MCP clients' start path, so it
// loads only the bridge (bridge.cjs); every other command loads the CLI proper
// (cli-main.mjs). Nothing else is read, parsed or evaluated first.
import { createRequire } from 'node:module';

if (process.argv[2] === 'bridge') {
  createRequire(import.meta.url)('./bridge.cjs');
} else {
  // @ts-expect-error -- resolved at run time next to the built file
  void import('./cli-main.mjs');
}
