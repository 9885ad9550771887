// Entry of dist/cli.mjs, the CLI bundle (the packaged app runs it for Claude Code's
// headersHelper; `node dist/cli.mjs bridge <id>` also works). `bridge` goes straight
// to the small bridge bundle without evaluating the CLI (the MCP SDK, oauth4webapi,
// zod, …): the CLI bundled below is only initialised when another command runs.
// The `mcp-keyring` executable is the even smaller main/mcp-keyring.ts.
import { useLeanV8 } from './core/bridge/lean-v8';

if (process.argv[2] === 'bridge') {
  useLeanV8(); // before the bridge bundle is parsed
  // @ts-expect-error -- resolved at run time next to the built CLI
  await import('./bridge.mjs');
} else {
  await import('./cli');
}
