// The usual world of an integration test: a real authorization server, a real
// MCP server it protects, and a private MCP Keyring profile — started before the
// file's tests and torn down after them.
import { after, before } from 'node:test';
import type { ServerConfig } from '../../shared/server-config';
import { startAuthServer, type AuthServer, type AuthServerOptions } from './auth-server';
import { createKeyringEnv, type KeyringEnv } from './keyring-env';
import { startMcpServer, type McpTestServer } from './mcp-server';
import { completeLogin } from './user-agent';

export interface Stack {
  as: AuthServer;
  mcp: McpTestServer;
  profile: KeyringEnv;
  /** Adds a server (default: the stack's MCP server) and signs in through the scripted browser. */
  connected(name: string, url?: string): Promise<ServerConfig>;
}

/** Sign-in options whose "browser" completes the login over HTTP. */
export const scriptedSignIn = { openBrowser: (url: string) => completeLogin(url).then(() => undefined), timeoutMs: 20_000 };

export function useStack(label: string, options: AuthServerOptions = {}): Stack {
  const stack = {} as Stack;
  before(async () => {
    stack.as = await startAuthServer(options);
    stack.mcp = await startMcpServer({ auth: { issuer: stack.as.issuer, jwksUri: stack.as.jwksUri } });
    stack.profile = await createKeyringEnv(label);
    stack.connected = async (name, url = stack.mcp.url) => {
      const server = await stack.profile.keyring.add({ url, name });
      await stack.profile.keyring.connect(server.id, scriptedSignIn);
      return server;
    };
  });
  after(async () => {
    await stack.profile?.cleanup();
    await stack.mcp?.close();
    await stack.as?.close();
  });
  return stack;
}
