// Files that hold a secret (issue 7, class 4): a client config entry carrying the
// HTTP-bridge secret is written 0600 and so is its backup, whatever the old file's
// mode; another user's file is refused untouched; a file or symlink planted at the
// temp or backup path is never followed. Each write runs in its own measured process.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../helpers/keyring-env';
import { assertBounded, assertNoLeak, canary, startMeasured, type MeasuredRun } from './harness';

const script = path.join(repoRoot, 'test', 'hostile', 'state-write-entry.ts');
let dir: string;
let outside: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-files-'));
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-victim-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

async function write(job: Record<string, unknown>): Promise<MeasuredRun> {
  const run = await startMeasured([], { env: process.env, input: JSON.stringify(job), script, nodeArgs: ['--import', 'tsx'], timeoutMs: 30_000 }).done;
  assertBounded(run, { maxRssMb: 250, maxMs: 20_000 });
  return run;
}

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;
const original = '{\n  "mcpServers": {\n    "other": { "command": "x" }\n  }\n}\n';

test('a 0644 config that gets the bridge secret is written 0600, and so is its backup', async () => {
  const file = path.join(dir, 'mcp.json');
  await fs.writeFile(file, original);
  await fs.chmod(file, 0o644);
  const secret = canary('bridge-secret');
  const run = await write({ kind: 'entry', file, secret });
  assert.equal(run.code, 0, run.stderr);
  const { backupPath } = JSON.parse(run.stdout) as { backupPath: string };
  assert.ok((await fs.readFile(file, 'utf8')).includes(secret), 'the entry was written');
  assert.equal(await mode(file), 0o600);
  assert.equal(await mode(backupPath), 0o600);
  assert.equal(await fs.readFile(backupPath, 'utf8'), original);
  // Once the file holds the secret, its next backup holds it too: still 0600.
  const second = await write({ kind: 'entry', file, secret: canary('rotated') });
  assert.equal(second.code, 0, second.stderr);
  const next = (JSON.parse(second.stdout) as { backupPath: string }).backupPath;
  assert.ok((await fs.readFile(next, 'utf8')).includes(secret));
  assert.equal(await mode(next), 0o600);
  await assertNoLeak([secret], { outputs: [run.stdout, run.stderr, second.stdout, second.stderr], dirs: [outside] });
  for (const name of await fs.readdir(dir)) assert.ok(!name.endsWith('.tmp'), `temp file ${name} left behind`);
});

test("a config owned by another user is refused with a clear message and left untouched (no backup)", { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async () => {
  const sub = await fs.mkdtemp(path.join(dir, 'foreign-'));
  const file = path.join(sub, 'mcp.json');
  await fs.writeFile(file, original);
  await fs.chmod(file, 0o644);
  await fs.chown(file, 65534, 65534);
  const secret = canary('bridge-secret');
  const run = await write({ kind: 'entry', file, secret });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /belongs to another user \(uid 65534, you are uid 0\); MCP Keyring does not replace other users' files/);
  const stat = await fs.stat(file);
  assert.equal(stat.uid, 65534);
  assert.equal(stat.mode & 0o777, 0o644);
  assert.equal(await fs.readFile(file, 'utf8'), original);
  assert.deepEqual(await fs.readdir(sub), ['mcp.json'], 'no backup, no temp file');
  await assertNoLeak([secret], { dirs: [sub], outputs: [run.stdout, run.stderr] });
});

test('a symlink or a file planted at the temp path is not followed nor reused', async () => {
  for (const plant of ['symlink', 'file'] as const) {
    const file = path.join(dir, `state-${plant}.json`);
    const victim = path.join(outside, `victim-${plant}`);
    await fs.writeFile(victim, 'victim\n');
    const suffix = `planted-${plant}`;
    const temp = path.join(dir, `.${path.basename(file)}.${suffix}.tmp`);
    if (plant === 'symlink') await fs.symlink(victim, temp);
    else await fs.writeFile(temp, 'planted\n', { mode: 0o666 });
    const secret = canary('atomic-secret');
    const run = await write({ kind: 'atomic', file, secret, tempSuffix: suffix });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await fs.readFile(victim, 'utf8'), 'victim\n', 'the symlink target was not written');
    assert.equal(await fs.readFile(temp, 'utf8'), plant === 'symlink' ? 'victim\n' : 'planted\n', 'the planted file was not reused');
    assert.ok((await fs.readFile(file, 'utf8')).includes(secret));
    assert.equal(await mode(file), 0o600);
    assert.equal((await fs.lstat(file)).isSymbolicLink(), false);
    await assertNoLeak([secret], { dirs: [outside], outputs: [run.stdout, run.stderr] });
  }
});

test('a symlink planted at the backup name is not followed: the backup goes to the next name', async () => {
  const file = path.join(dir, 'backup-plant.json');
  await fs.writeFile(file, original, { mode: 0o644 });
  const victim = path.join(outside, 'backup-victim');
  await fs.writeFile(victim, 'victim\n');
  // The backup name carries the local time to the second: plant a link at this second's and the next few.
  const pad = (n: number) => String(n).padStart(2, '0');
  const now = Date.now();
  for (let s = 0; s < 15; s++) {
    const t = new Date(now + s * 1000);
    const stamp = `${t.getFullYear()}${pad(t.getMonth() + 1)}${pad(t.getDate())}T${pad(t.getHours())}${pad(t.getMinutes())}${pad(t.getSeconds())}`;
    await fs.symlink(victim, `${file}.mcp-keyring-backup-${stamp}`).catch(() => undefined);
  }
  const secret = canary('bridge-secret');
  const run = await write({ kind: 'entry', file, secret });
  assert.equal(run.code, 0, run.stderr);
  const { backupPath } = JSON.parse(run.stdout) as { backupPath: string };
  assert.match(backupPath, /-2$/);
  assert.equal((await fs.lstat(backupPath)).isSymbolicLink(), false);
  assert.equal(await mode(backupPath), 0o600);
  assert.equal(await fs.readFile(victim, 'utf8'), 'victim\n');
  await assertNoLeak([secret], { dirs: [outside], outputs: [run.stdout, run.stderr] });
});
