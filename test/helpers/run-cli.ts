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

/** Runs the CLI to completion. */
export function runCli(args: string[], options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * The CLI as a running process whose output can be watched while it runs: for
 * `serve`, and for `connect` without a browser, where the user copies the sign-in
 * URL the CLI prints ("If it does not open, visit: …") into a browser themselves.
 */
export interface CliProcess {
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<CliResult>;
  /** Sends a signal (e.g. SIGINT, as Ctrl-C does). */
  kill(signal?: NodeJS.Signals): void;
}

export function startCli(args: string[], options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): CliProcess {
  const child = spawn(process.execPath, [cliPath, ...args], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const check of watchers) check();
  });
  child.stdin.end(options.input ?? '');
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-keyring ${args.join(' ')} did not finish in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const check of watchers) check();
      resolve({ code, stdout, stderr });
    });
  });
  return {
    stderr: () => stderr,
    done,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitForStderr(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`mcp-keyring ${args[0]}: no ${pattern} in stderr within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        const check = () => {
          const match = pattern.exec(stderr);
          if (match) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve(match);
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(new Error(`mcp-keyring ${args[0]} exited (${child.exitCode}) before printing ${pattern}; stderr: ${stderr}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
  };
}
