// The real mcp-remote 0.15.1 (devDependency), run the way a client runs it, so
// that it signs in by itself (opening $BROWSER, here the scripted browser) and
// writes its own token cache under $HOME/.mcp-auth (or MCP_REMOTE_CONFIG_DIR).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './keyring-env';
import { scriptedBrowser } from './run-cli';

export const mcpRemoteClient = path.join(repoRoot, 'node_modules', 'mcp-remote', 'dist', 'client.js');

/**
 * Runs `mcp-remote-client <args>`: it connects (signing in first if it has no
 * usable tokens), lists the tools and exits. Resolves with its exit code and output.
 */
export function runMcpRemoteClient(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [mcpRemoteClient, ...args], { env: { BROWSER: scriptedBrowser, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-remote-client did not finish in ${timeoutMs} ms: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
