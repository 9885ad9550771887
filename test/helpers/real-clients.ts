// Real MCP clients nobody here wrote, run the way their users run them:
// Claude Code's `claude` and mcporter, from node_modules, with a private HOME.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './keyring-env';

export const claudeBin = path.join(repoRoot, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
export const mcporterBin = path.join(repoRoot, 'node_modules', 'mcporter', 'dist', 'cli.js');

let claudeReady = false;
/** Runs Claude Code's install script if npm did not (see scripts/setup-test-clients.mjs). */
export function ensureClaudeCode(): void {
  if (claudeReady) return;
  const setup = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'setup-test-clients.mjs')], { encoding: 'utf8' });
  if (setup.status !== 0) throw new Error(`Claude Code is not runnable: ${setup.stderr}`);
  claudeReady = true;
}

export interface ClientRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client command asynchronously (the test's own servers must keep answering meanwhile). */
export function runClient(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(command)} ${args.join(' ')} did not finish in ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A throwaway HOME for a client: its config, caches and credential files stay in there. */
export async function privateHome(label: string): Promise<{ home: string; env: NodeJS.ProcessEnv; cleanup(): Promise<void> }> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), `mcp-keyring-${label}-home-`));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, USERPROFILE: home, XDG_CONFIG_HOME: path.join(home, '.config'), LANG: 'C.UTF-8' };
  // The keychain's session (D-Bus) must reach the helper/bridge the client starts.
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR']) if (process.env[name]) env[name] = process.env[name];
  return { home, env, cleanup: () => fs.rm(home, { recursive: true, force: true }) };
}
