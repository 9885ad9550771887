// The SDK floor for `npm run bench`: what the MCP SDK's transports alone cost to start.
// StdioServerTransport ↔ StreamableHTTPClientTransport with a fixed bearer, over the
// bridge's own node:http fetch, bundled and launched exactly as the bridge is
// (launcher.ts), but with no keychain, no registry, no refresh, no error handling.
// Whatever the bridge takes beyond this row is MCP Keyring's own cost.
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { installHeadersLite } from '../../main/core/http/headers-lite';
import { installResponseLite } from '../../main/core/http/install-response-lite';
import { createNodeFetch } from '../../main/core/http/node-fetch';

export function startProxy(options: { url: string; token: string; afterStartUp: () => void }): void {
  installHeadersLite();
  installResponseLite();
  const remote = new StreamableHTTPClientTransport(new URL(options.url), { fetch: createNodeFetch(), requestInit: { headers: { Authorization: `Bearer ${options.token}` } } });
  const local = new StdioServerTransport();
  let started = false;
  remote.onmessage = (message) => {
    void local.send(message).then(() => {
      if (!started) setImmediate(options.afterStartUp);
      started = true;
    });
  };
  local.onmessage = (message) => void remote.send(message);
  process.stdin.once('end', () => process.exit(0));
  void remote.start().then(() => local.start());
}
