// The hostile-input harness: runs the real CLI (or `serve`/`bridge`) against a
// malicious party and checks the three things every hostile case must hold:
//   1. the clear error it gets (the test asserts that itself);
//   2. nothing secret reached another origin, a file, a log or the terminal (assertNoLeak);
//   3. the process stayed within a memory bound and did not hang (assertBounded).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { cliPath, repoRoot } from '../helpers/keyring-env';

const preload = path.join(repoRoot, 'test', 'hostile', 'peak-rss.cjs');

/** A unique, recognisable secret to plant and then look for everywhere. */
export function canary(label = 'canary'): string {
  return `${label}-${randomBytes(12).toString('hex')}`;
}

/** Peak resident set (VmHWM) of a live process, in MB; null once it has gone. */
export function peakRssMb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak RSS over the whole run, MB (from the process itself at exit, else the last poll). */
  peakRssMb: number;
  durationMs: number;
  /** True when the harness had to kill it at the deadline: a hang. */
  timedOut: boolean;
}

export interface MeasuredProcess {
  pid: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr (rejects on exit or timeout). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Peak RSS so far, MB. */
  peakRssMb(): number;
  done: Promise<MeasuredRun>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts `node [nodeArgs] dist/cli.mjs ...args` (or another script via `script`),
 * measuring its peak RSS. It never rejects on a hang: at `timeoutMs` it kills the
 * process and reports `timedOut`, so the test can assert on it.
 */
export function startMeasured(
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; script?: string; nodeArgs?: string[] },
): MeasuredProcess {
  const hwmFile = path.join(os.tmpdir(), `mcp-keyring-hwm-${randomBytes(6).toString('hex')}`);
  const started = Date.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--require', preload, options.script ?? cliPath, ...args], {
    env: { ...options.env, MCP_KEYRING_TEST_HWM_FILE: hwmFile },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let polled = 0;
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const check of watchers) check();
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  const poll = setInterval(() => {
    const now = peakRssMb(child.pid!);
    if (now !== null) polled = Math.max(polled, now);
  }, 20);
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  const done = new Promise<MeasuredRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(deadline);
      for (const check of watchers) check();
      let reported = 0;
      try {
        reported = Math.max(0, ...fs.readFileSync(hwmFile, 'utf8').split('\n').filter(Boolean).map((kb) => Number(kb) / 1024));
        fs.rmSync(hwmFile, { force: true });
      } catch {}
      resolve({ code, signal, stdout, stderr, peakRssMb: Math.max(reported, polled), durationMs: Date.now() - started, timedOut });
    });
  });
  return {
    pid: child.pid!,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    peakRssMb: () => Math.max(polled, peakRssMb(child.pid!) ?? 0),
    waitForStderr(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no ${pattern} in stderr within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        const check = () => {
          const match = pattern.exec(stderr);
          if (match) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}; stderr: ${stderr}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Runs the CLI to completion (or to its deadline), measured. */
export function runMeasured(args: string[], options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<MeasuredRun> {
  return startMeasured(args, { input: '', ...options }).done;
}

/** The process ended by itself, in time, within `maxRssMb`. */
export function assertBounded(run: Pick<MeasuredRun, 'timedOut' | 'peakRssMb' | 'durationMs' | 'stderr'>, limits: { maxRssMb?: number; maxMs?: number } = {}): void {
  assert.equal(run.timedOut, false, `the process hung (killed after ${run.durationMs} ms); stderr: ${run.stderr.slice(-2000)}`);
  const maxRssMb = limits.maxRssMb ?? 200;
  assert.ok(run.peakRssMb > 0, 'peak RSS was not measured');
  assert.ok(run.peakRssMb <= maxRssMb, `peak RSS ${run.peakRssMb.toFixed(1)} MB is over the ${maxRssMb} MB bound`);
  if (limits.maxMs !== undefined) assert.ok(run.durationMs <= limits.maxMs, `took ${run.durationMs} ms, over ${limits.maxMs} ms`);
}

/** A request a trap server saw, whole. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A server on another origin (127.0.0.1, its own port) that records everything it
 * is sent, so a test can prove no secret reached it. `respond` decides the answer
 * (default: 404).
 */
export interface TrapServer {
  origin: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startTrapServer(respond?: (req: SeenRequest, res: http.ServerResponse) => void): Promise<TrapServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      if (respond) respond(entry, res);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * No secret (whole, or its last 16 characters) appears in any file under `dirs`,
 * in any of `outputs` (stdout, stderr, logs), or in any request a trap server saw.
 */
export async function assertNoLeak(secrets: string[], where: { dirs?: string[]; outputs?: string[]; traps?: TrapServer[] }): Promise<void> {
  const needles = secrets.filter(Boolean).flatMap((s) => (s.length > 24 ? [s, s.slice(-16)] : [s]));
  const hit = (text: string) => needles.find((n) => text.includes(n));
  for (const dir of where.dirs ?? []) {
    for (const file of await filesUnder(dir)) {
      // A file may vanish between listing and reading (a lock a running process just released).
      const text = await fsp.readFile(file, 'latin1').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      const found = hit(text);
      assert.equal(found, undefined, `a secret is in the file ${file}`);
    }
  }
  for (const [i, text] of (where.outputs ?? []).entries()) {
    assert.equal(hit(text), undefined, `a secret was printed (output #${i})`);
  }
  for (const trap of where.traps ?? []) {
    for (const req of trap.seen) {
      const found = hit(JSON.stringify(req.headers)) ?? hit(req.url) ?? hit(req.body);
      assert.equal(found, undefined, `a secret reached ${trap.origin}: ${req.method} ${req.url}`);
    }
  }
}
