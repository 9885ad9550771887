// Runs every client scenario of @modelcontextprotocol/conformance against MCP
// Keyring (test/conformance/adapter.mjs), a few at a time, and prints one table row
// per scenario. Exits non-zero on an unexpected failure or on a stale entry in
// test/conformance/expected-failures.yml. Started by scripts/conformance.sh (inside
// its own network namespace); `node scripts/conformance-run.mjs [scenario…]` runs a
// subset, `--concurrency N` sets how many run at once (default 4), `--timeout MS`
// the suite's per-scenario deadline (default 90 s: generous for a loaded 2-core box).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The suite imports fs.globSync (Node 22); MCP Keyring itself runs on the system Node.
// Both live in their own package (test/conformance/suite), installed by conformance.sh.
const suiteModules = path.join(root, 'test', 'conformance', 'suite', 'node_modules');
const suiteNode = path.join(suiteModules, 'node', 'bin', 'node');
const suiteEntry = path.join(suiteModules, '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const adapter = path.join(root, 'test', 'conformance', 'adapter.mjs');
const expectedFile = path.join(root, 'test', 'conformance', 'expected-failures.yml');
// The YAML parser the suite itself reads --expected-failures files with.
const YAML = createRequire(suiteEntry)('yaml');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { concurrency: { type: 'string', default: '4' }, timeout: { type: 'string', default: '90000' } },
});
const concurrency = Math.max(1, Number(values.concurrency) || 4);

function runProcess(command, args, logFile) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      if (logFile) writeFileSync(logFile, output);
      resolve({ code: code ?? 1, output });
    });
  });
}

async function clientScenarios() {
  const { code, output } = await runProcess(suiteNode, [suiteEntry, 'list']);
  if (code !== 0) throw new Error(`conformance list failed:\n${output}`);
  const section = output.split(/Client scenarios[^\n]*\n/)[1] ?? '';
  return [...section.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}

function readExpected() {
  const parsed = YAML.parse(readFileSync(expectedFile, 'utf8')) ?? {};
  const client = (parsed.client ?? []).map(String);
  const reasons = parsed.reasons ?? {};
  for (const name of client) if (!reasons[name]) throw new Error(`${expectedFile}: ${name} has no entry under "reasons"`);
  return { client: new Set(client), reasons };
}

function findChecks(dir) {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (entry === 'checks.json') return JSON.parse(readFileSync(full, 'utf8'));
    if (statSync(full).isDirectory()) {
      const found = findChecks(full);
      if (found) return found;
    }
  }
  return undefined;
}

const outDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-keyring-conformance-'));

async function runScenario(name) {
  const started = Date.now();
  const dir = mkdtempSync(path.join(outDir, `${name.replace(/\//g, '_')}-`));
  const { code } = await runProcess(
    suiteNode,
    [suiteEntry, 'client', '--command', `${process.execPath} ${adapter}`, '--scenario', name, '--timeout', values.timeout, '-o', dir],
    path.join(dir, 'suite.log'),
  );
  const checks = findChecks(dir) ?? [];
  const count = (status) => checks.filter((c) => c.status === status).length;
  return {
    name,
    passed: code === 0,
    success: count('SUCCESS'),
    total: count('SUCCESS') + count('FAILURE'),
    warnings: count('WARNING'),
    failedChecks: checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.name}: ${c.errorMessage ?? c.description}`),
    seconds: (Date.now() - started) / 1000,
    dir,
  };
}

async function pool(items, size, work) {
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        results.push(await work(item));
      }
    }),
  );
  return results;
}

const started = Date.now();
const all = await clientScenarios();
const unknown = positionals.filter((name) => !all.includes(name));
if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
const selected = positionals.length ? positionals : all;
const expected = readExpected();
for (const name of expected.client) if (!all.includes(name)) throw new Error(`${expectedFile} lists ${name}, which is not a client scenario of this suite`);

const results = await pool(selected, concurrency, async (name) => {
  const result = await runScenario(name);
  process.stderr.write(`${result.passed ? 'pass' : 'FAIL'} ${name} (${result.seconds.toFixed(1)} s)\n`);
  return result;
});
results.sort((a, b) => all.indexOf(a.name) - all.indexOf(b.name));

let unexpected = 0;
let stale = 0;
const rows = results.map((r) => {
  let verdict;
  if (r.passed) {
    verdict = expected.client.has(r.name) ? 'STALE expected failure' : 'pass';
    if (expected.client.has(r.name)) stale++;
  } else {
    verdict = expected.client.has(r.name) ? 'expected failure' : 'FAIL';
    if (!expected.client.has(r.name)) unexpected++;
  }
  return [r.name, verdict, `${r.success}/${r.total}${r.warnings ? ` (+${r.warnings} warn)` : ''}`, `${r.seconds.toFixed(1)} s`];
});
const header = ['scenario', 'result', 'checks', 'time'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
const passedCount = results.filter((r) => r.passed).length;
console.log(`\n${passedCount}/${results.length} scenarios passed, ${results.length - passedCount - unexpected} expected failure(s), ${unexpected} unexpected failure(s), ${stale} stale expected failure(s); ${((Date.now() - started) / 1000).toFixed(0)} s, concurrency ${concurrency}.`);
for (const r of results) {
  if (r.passed && !expected.client.has(r.name)) continue;
  if (expected.client.has(r.name) && !r.passed) {
    console.log(`\n${r.name} (expected): ${String(expected.reasons[r.name]).trim()}`);
    continue;
  }
  console.log(`\n${r.name}: ${r.passed ? 'passes now: remove it from test/conformance/expected-failures.yml' : `see ${r.dir}/suite.log`}`);
  for (const failure of r.failedChecks.slice(0, 8)) console.log(`  - ${failure}`);
}
// The suite's logs stay only where something needs looking at.
if (results.every((r) => r.passed !== expected.client.has(r.name))) rmSync(outDir, { recursive: true, force: true });
process.exit(unexpected || stale ? 1 : 0);
