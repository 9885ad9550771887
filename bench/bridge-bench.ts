// `npm run bench`: every documented way to start the stdio bridge, side by side
// with a direct SDK client and mcp-remote, against the same local MCP server with
// the same stored token, each checked against the budget in ../shared/DESIGN.md.
//
// Every client runs in a process of its own (bench/client-process.mjs), as an MCP
// client does; this process only hosts the authorization server and the MCP server.
// Per launch path: spawn → first tools/list result (median of STARTS fresh starts),
// CALLS echo calls after WARMUP (p50/p99, and the p50 of each call's difference from the
// same call straight to the server right after it),
// and the peak RSS of the process running the bridge after those calls.
//
//   node scripts/build.mjs && scripts/with-keyring.sh node --import tsx bench/bridge-bench.ts
// BENCH_STARTS / BENCH_CALLS override the counts for a quick look; BENCH_ONLY (a regular
// expression) keeps the launch paths whose name matches.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bridgeLaunch } from '../main/core/clients/launch';
import { secretNames } from '../main/core/vault/secrets';
import { startAuthServer } from '../test/helpers/auth-server';
import { bridgePath, createKeyringEnv, repoRoot } from '../test/helpers/keyring-env';
import { startMcpServer } from '../test/helpers/mcp-server';
import { completeLogin } from '../test/helpers/user-agent';
import { buildSdkFloor } from './sdk-floor/build.mjs';

const STARTS = Number(process.env.BENCH_STARTS ?? 10);
const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const WARMUP = 100;
const BUDGET = { startMs: 150, addedP50Ms: 0.25, rssMb: 66 };
const FLOOR = 'bare node (the floor)';
/** What the start budget assumes a bare node stdio echo takes (../shared/DESIGN.md). */
const REFERENCE_FLOOR_MS = 60;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

type Job =
  | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string; pair?: { url: string; headers: Record<string, string> } }
  | { kind: 'http'; url: string; headers: Record<string, string>; nodeFetch?: boolean };

interface Contender {
  name: string;
  /** The command line as a user or a client config spells it. */
  shows: string;
  job: Job;
  /** Judged against the budget (the references are not). */
  budgeted: boolean;
}

interface Result {
  starts: number[];
  /** CPU time (user + system) of the launch path's processes per start, in ms: steadier than wall time on a busy machine. */
  startCpu: number[];
  latencies: number[];
  /** Per call: through the launch path minus the same call straight to the server right after it. */
  added: number[];
  rss: { bridge: number; tree: number } | null;
}

const clientProcess = path.join(repoRoot, 'bench', 'client-process.mjs');

function runClient(job: Job, counts: { starts: number; warmup: number; calls: number }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const loader = (job.kind === 'http' && job.nodeFetch) || (job.kind === 'stdio' && job.pair) ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...loader, clientProcess, JSON.stringify({ ...job, ...counts })], {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(job.kind === 'stdio' && job.cwd ? { cwd: job.cwd } : {}),
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Result) : reject(new Error(`the client process exited with ${code}`))));
  });
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

async function main() {
  const as = await startAuthServer({ accessTokenTTL: 3600 });
  const mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  const profile = await createKeyringEnv('bench');
  const mcpRemoteHome = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-bench-'));
  const sdkFloorDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-keyring-sdk-floor-'));
  try {
    const server = await profile.keyring.add({ url: mcp.url, name: 'bench' });
    await profile.keyring.connect(server.id, { openBrowser: (url) => completeLogin(url).then(() => undefined), timeoutMs: 30_000 });
    const token = (await profile.keyring.vault.get(secretNames.accessToken(server.id)))!;
    // What an MCP client passes the bridge: the profile, without this sandbox's NODE_EXTRA_CA_CERTS
    // (it makes every node start read and parse a CA bundle, ~40 ms here; clients do not set it).
    const env = stringEnv(profile.env);
    delete env.NODE_EXTRA_CA_CERTS;
    const id = server.id;
    const bin = path.join(repoRoot, JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).bin['mcp-keyring']);
    // What the config writer puts into Claude Desktop & co. in development (see appBridgeLaunch).
    const written = bridgeLaunch({ serverId: id, mode: 'development', execPath: process.execPath, bridgeScript: bridgePath });
    if (written.kind !== 'stdio') throw new Error('unexpected launch');
    const mcpRemoteEntry = path.join(repoRoot, 'node_modules', 'mcp-remote', 'dist', 'proxy.js');
    const sdkFloor = await buildSdkFloor(sdkFloorDir);
    const sdkFloorEnv = { ...env, BENCH_SDK_FLOOR_URL: mcp.url, BENCH_SDK_FLOOR_TOKEN: token, BENCH_SDK_FLOOR_CACHE: path.join(sdkFloorDir, 'cache') };

    const contenders: Contender[] = [
      { name: FLOOR, shows: 'node bench/echo-server.mjs: stdio MCP with no library, no network', job: { kind: 'stdio', command: process.execPath, args: [path.join(repoRoot, 'bench', 'echo-server.mjs')], env }, budgeted: false },
      {
        name: 'SDK floor',
        shows: 'the SDK transports alone (stdio ↔ Streamable HTTP, fixed bearer), launched as the bridge is (bench/sdk-floor)',
        job: { kind: 'stdio', command: process.execPath, args: [sdkFloor], env: sdkFloorEnv },
        budgeted: false,
      },
      { name: 'direct SDK client', shows: 'Streamable HTTP straight to the server (global fetch)', job: { kind: 'http', url: mcp.url, headers: { Authorization: `Bearer ${token}` } }, budgeted: false },
      // The same, over the HTTP stack the bridge itself uses (node:http): "added p50" is measured against the faster direct row.
      { name: 'direct SDK client, bridge HTTP stack', shows: 'the same with createNodeFetch()', job: { kind: 'http', url: mcp.url, headers: { Authorization: `Bearer ${token}` }, nodeFetch: true }, budgeted: false },
      { name: 'written config', shows: `node ${written.args.map((a) => path.basename(a)).join(' ')}`, job: { kind: 'stdio', command: written.command, args: written.args, env }, budgeted: true },
      { name: '`mcp-keyring bridge`', shows: `${path.relative(repoRoot, bin)} bridge ${id} (the bin, via its #!)`, job: { kind: 'stdio', command: bin, args: ['bridge', id], env }, budgeted: true },
      { name: '`node dist/cli.mjs bridge`', shows: `node dist/cli.mjs bridge ${id}`, job: { kind: 'stdio', command: process.execPath, args: [path.join(repoRoot, 'dist', 'cli.mjs'), 'bridge', id], env }, budgeted: true },
      {
        name: 'config written by 0.1',
        shows: 'node --lite-mode --no-expose-wasm dist/bridge.mjs <id> (still works, slower)',
        job: { kind: 'stdio', command: process.execPath, args: ['--lite-mode', '--no-expose-wasm', path.join(repoRoot, 'dist', 'bridge.mjs'), id], env },
        budgeted: false,
      },
      { name: '`npx mcp-keyring bridge`', shows: `npx mcp-keyring bridge ${id} (in the package)`, job: { kind: 'stdio', command: 'npx', args: ['--no-install', 'mcp-keyring', 'bridge', id], env, cwd: repoRoot }, budgeted: true },
      {
        name: 'mcp-remote 0.15.1',
        shows: 'node mcp-remote/dist/proxy.js <url> --header …',
        job: {
          kind: 'stdio',
          command: process.execPath,
          args: [mcpRemoteEntry, mcp.url, '--allow-http', '--transport', 'http-only', '--header', 'Authorization:${MCP_BENCH_AUTH}', '--silent'],
          env: { ...stringEnv(process.env), MCP_BENCH_AUTH: `Bearer ${token}`, MCP_REMOTE_CONFIG_DIR: mcpRemoteHome },
        },
        budgeted: false,
      },
    ];

    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined;
    const chosen = contenders.filter((c) => !only || only.test(c.name));
    // Every stdio launch path's calls are paired with the same call straight to the server.
    const pair = { url: mcp.url, headers: { Authorization: `Bearer ${token}` } };
    for (const c of chosen) if (c.job.kind === 'stdio' && c.name !== FLOOR) c.job.pair = pair;
    // Starts round-robin, one of each launch path per round, so that the machine's drift hits all alike.
    const starts = new Map<Contender, { ms: number[]; cpu: number[] }>(chosen.map((c) => [c, { ms: [], cpu: [] }]));
    for (let round = 0; round < STARTS; round++) {
      for (const contender of chosen) {
        try {
          const one = await runClient(contender.job, { starts: 1, warmup: 0, calls: 0 });
          starts.get(contender)!.ms.push(...one.starts);
          starts.get(contender)!.cpu.push(...one.startCpu);
        } catch (error) {
          console.error(`${contender.name}: ${(error as Error).message}`);
        }
      }
    }
    const rows: Array<{ contender: Contender; start: number; startCpu: number | undefined; p50: number; p99: number; added: number | undefined; rss: Result['rss'] }> = [];
    for (const contender of chosen) {
      try {
        const result = await runClient(contender.job, { starts: 0, warmup: WARMUP, calls: CALLS });
        const s0 = starts.get(contender)!;
        if (!s0.ms.length) continue;
        rows.push({
          contender,
          start: percentile(s0.ms, 50),
          startCpu: s0.cpu.length ? percentile(s0.cpu, 50) : undefined,
          p50: percentile(result.latencies, 50),
          p99: percentile(result.latencies, 99),
          added: result.added.length ? percentile(result.added, 50) : undefined,
          rss: result.rss,
        });
      } catch (error) {
        console.error(`${contender.name}: ${(error as Error).message}`);
      }
    }
    const floor = rows.find((r) => r.contender.name === FLOOR);
    const f = (n: number, digits: number) => n.toFixed(digits);
    const mark = (ok: boolean, budgeted: boolean) => (budgeted ? (ok ? ' ✓' : ' ✗') : '');
    const lines = [
      `| launch path | command | spawn → tools/list (median of ${STARTS}) | over bare node | at a ${REFERENCE_FLOOR_MS} ms floor | start CPU | echo p50 | echo p99 | added p50 | peak RSS (bridge process) |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((r) => {
        const b = r.contender.budgeted;
        const added = r.added;
        const rss = r.rss ? `${f(r.rss.bridge, 1)} MB${mark(r.rss.bridge <= BUDGET.rssMb, b)}${r.rss.tree > r.rss.bridge + 0.05 ? ` (${f(r.rss.tree, 1)} MB with its parents)` : ''}` : '-';
        const stdio = floor && r !== floor && r.contender.job.kind === 'stdio';
        const over = stdio ? `+${f(r.start - floor.start, 1)} ms` : '-';
        // The start scaled by how much slower than the budget's reference this run's bare node was.
        const scaled = stdio ? (r.start * REFERENCE_FLOOR_MS) / floor.start : undefined;
        const atReference = scaled === undefined ? '-' : `${f(scaled, 1)} ms${mark(scaled <= BUDGET.startMs, b)}`;
        const cpu = r.startCpu === undefined ? '-' : `${f(r.startCpu, 0)} ms`;
        return `| ${r.contender.name} | \`${r.contender.shows}\` | ${f(r.start, 1)} ms${mark(r.start <= BUDGET.startMs, b)} | ${over} | ${atReference} | ${cpu} | ${f(r.p50, 3)} ms | ${f(r.p99, 3)} ms | ${added === undefined ? '-' : `${f(added, 3)} ms${mark(added <= BUDGET.addedP50Ms, b)}`} | ${rss} |`;
      }),
    ];
    console.log(`\n${CALLS} echo calls after ${WARMUP} warm-up; node ${process.version}, ${os.cpus().length} CPUs; each client in its own process\n`);
    console.log(lines.join('\n'));
    console.log(
      `\nbudget (✓/✗): spawn → tools/list ≤ ${BUDGET.startMs} ms, added p50 ≤ ${BUDGET.addedP50Ms} ms, peak RSS ≤ ${BUDGET.rssMb} MB; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs.` +
        '\nStarts are taken round-robin (one of each launch path per round). "added p50" is the median over the calls of (call through the launch path − the same call straight to the server right after it, over the bridge\'s HTTP stack).' +
        `\n"over bare node" is the start minus the floor row in the same run. The budget assumes a bare node start of ≈ ${REFERENCE_FLOOR_MS} ms; "at a ${REFERENCE_FLOOR_MS} ms floor" scales the start by ${REFERENCE_FLOOR_MS} / (this run's floor), which is how fast it would be on such a machine if all of it scaled alike (the raw figure is judged too).` +
        '\nThe SDK floor is the MCP SDK\'s own transports with nothing of ours but the HTTP stack: a bridge built on them cannot start faster than that row.' +
        '\nThe packaged app runs the same bridge.cjs through Electron (ELECTRON_RUN_AS_NODE=1); Electron cannot run here.',
    );
  } finally {
    await profile.cleanup();
    fs.rmSync(mcpRemoteHome, { recursive: true, force: true });
    fs.rmSync(sdkFloorDir, { recursive: true, force: true });
    await mcp.close();
    await as.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
