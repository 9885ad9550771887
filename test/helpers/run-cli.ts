// Runs the built CLI (dist/cli.mjs) as a user would, with a private profile.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { cliPath, repoRoot } from './keyring-env';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const scriptedBrowser = path.join(repoRoot, 'test', 'helpers', 'scripted-browser.mjs');

export function runCli(args: string[], options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-keyring ${args.join(' ')} did not finish in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
