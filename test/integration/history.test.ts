// Each server's history: real sign-in, refreshes by the CLI and by a bridge, a
// bridge's 401, a step-up (403 insufficient_scope), a failed refresh and a
// revocation all land in the log, newest first, with who did it and never a
// secret. The log is bounded, and several processes append to it without tearing lines.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { HistoryEventKind } from '../../shared/history';
import type { ServerConfig } from '../../shared/server-config';
import { HISTORY_FILE_CAP_BYTES, HISTORY_OLD_GENERATIONS, readHistory, recordHistory } from '../../main/core/history/history';
import { secretNames } from '../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { connectBridge, text } from '../helpers/bridge-client';
import { createKeyringEnv, repoRoot, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { runCli } from '../helpers/run-cli';
import { scriptedSignIn } from '../helpers/stack';
import { assertNoLeak } from '../hostile/harness';

let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;
let server: ServerConfig;
const secrets = new Set<string>();
const outputs: string[] = [];

async function remember(): Promise<void> {
  for (const { password } of await profile.secrets()) secrets.add(password);
}

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 60 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('history');
});
after(async () => {
  await profile?.cleanup();
  await mcp?.close();
  await as?.close();
});

test('sign-in, refreshes, a bridge 401, a step-up, a failed refresh and a revocation are all recorded', async () => {
  server = await profile.keyring.add({ url: mcp.url, name: 'history' });
  await profile.keyring.connect(server.id, scriptedSignIn);
  await remember();

  // The token is recorded as expired: the CLI's headers helper refreshes it.
  const signedIn = await profile.keyring.states.read(server.id);
  await profile.keyring.states.write({ ...signedIn, expiresAt: Date.now() - 1_000 });
  const headers = await runCli(['headers', server.id], { env: profile.env });
  assert.equal(headers.code, 0, headers.stderr);
  outputs.push(headers.stderr);
  await remember();

  // A token the server rejects: the bridge sees a 401, refreshes and retries.
  await profile.keyring.vault.set(secretNames.accessToken(server.id), 'not-a-valid-token-xxxxxxxx');
  const state = await profile.keyring.states.read(server.id);
  await profile.keyring.states.write({ ...state, expiresAt: Date.now() + 3_600_000 });
  const bridge = await connectBridge(server.id, profile.env);
  try {
    assert.equal(text(await bridge.client.callTool({ name: 'echo', arguments: { text: 'after 401' } })), 'after 401');
    // The admin tool needs mcp:admin, which the token lacks: 403 insufficient_scope → step-up.
    await assert.rejects(bridge.client.callTool({ name: 'admin', arguments: {} }));
  } finally {
    outputs.push(bridge.stderr());
    await bridge.close();
  }
  await remember();

  // A refresh token the authorization server no longer accepts.
  const goodRefresh = await profile.keyring.vault.get(secretNames.refreshToken(server.id));
  await profile.keyring.vault.set(secretNames.refreshToken(server.id), 'refresh-token-the-as-never-issued');
  await assert.rejects(profile.keyring.tokens.getAccessToken(server, { rejected: await profile.keyring.vault.get(secretNames.accessToken(server.id)) ?? undefined }));
  assert.ok(goodRefresh);

  // Sign in again and disconnect: the refresh token is revoked.
  await profile.keyring.connect(server.id, scriptedSignIn);
  await remember();
  const result = await profile.keyring.disconnect(server.id);
  assert.equal(result.revoked, true, result.revokeError);

  const events = readHistory(profile.keyring.registry.paths, server.id);
  const kinds = events.map((e) => e.kind).reverse(); // oldest first, for reading
  const expected: HistoryEventKind[] = ['added', 'signed-in', 'refreshed', 'bridge-401', 'refreshed', 'step-up-requested', 'refresh-failed', 'signed-in', 'revoked'];
  let at = 0;
  for (const kind of expected) {
    const found = kinds.indexOf(kind, at);
    assert.ok(found >= at, `expected ${kind} after position ${at} in ${kinds.join(', ')}`);
    at = found + 1;
  }
  const signInEvent = events.find((e) => e.kind === 'signed-in')!;
  assert.ok(signInEvent.scopes?.includes('mcp:tools'));
  const refreshes = events.filter((e) => e.kind === 'refreshed').map((e) => e.by);
  assert.ok(refreshes.some((by) => /^cli \(pid \d+\)$/.test(by)), refreshes.join());
  assert.ok(refreshes.some((by) => /^bridge.*\(pid \d+\)$/.test(by)), refreshes.join());
  assert.match(events.find((e) => e.kind === 'bridge-401')!.by, /^bridge.*\(pid \d+\)$/);
  assert.ok(events.find((e) => e.kind === 'step-up-requested')!.scopes?.includes('mcp:admin'));
  assert.match(events.find((e) => e.kind === 'refresh-failed')!.message ?? '', /refused the refresh token/);
  for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.at >= events[i]!.at, 'newest first');
});

test('mcp-keyring log prints it, newest first, as text or JSON, and nothing secret is in it', async () => {
  const json = await runCli(['log', server.id, '--json'], { env: profile.env });
  assert.equal(json.code, 0, json.stderr);
  const events = JSON.parse(json.stdout) as Array<{ kind: string }>;
  assert.equal(events[0]!.kind, 'revoked');
  const plain = await runCli(['log', server.id], { env: profile.env });
  assert.equal(plain.code, 0, plain.stderr);
  const lines = plain.stdout.trim().split('\n');
  assert.match(lines[0]!, /Revoked/);
  assert.match(lines.at(-1)!, /Added/);
  assert.match(plain.stdout, /Signed in .*scopes: .*mcp:tools/);
  const unknown = await runCli(['log', 'nope'], { env: profile.env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No server with id "nope"/);
  outputs.push(json.stdout, plain.stdout, plain.stderr);
  await assertNoLeak([...secrets], { dirs: [profile.home], outputs });
});

test('the log is bounded: old generations rotate out past the size cap', async () => {
  const paths = profile.keyring.registry.paths;
  const id = 'bounded';
  const filler = 'x'.repeat(200);
  const total = Math.ceil((HISTORY_FILE_CAP_BYTES * (HISTORY_OLD_GENERATIONS + 3)) / 300);
  for (let i = 0; i < total; i++) recordHistory(paths, id, { kind: 'refresh-failed', message: `${i} ${filler}` });
  const dir = path.join(paths.home, 'history');
  const files = (await fs.readdir(dir)).filter((name) => name.startsWith(`${id}.`));
  assert.ok(files.length <= HISTORY_OLD_GENERATIONS + 1, files.join());
  let bytes = 0;
  for (const name of files) bytes += (await fs.stat(path.join(dir, name))).size;
  assert.ok(bytes <= HISTORY_FILE_CAP_BYTES * (HISTORY_OLD_GENERATIONS + 1) + 1024, `${bytes} bytes`);
  const newest = readHistory(paths, id, 1)[0]!;
  assert.match(newest.message!, new RegExp(`^${total - 1} `));
  assert.equal((await fs.stat(path.join(dir, `${id}.jsonl`))).mode & 0o777, 0o600);
});

test('several processes append at once without tearing a line', async () => {
  const paths = profile.keyring.registry.paths;
  const script = `import { recordHistory } from ${JSON.stringify(path.join(repoRoot, 'main/core/history/history.ts'))};
for (let i = 0; i < 300; i++) recordHistory({ home: process.argv[1] }, 'shared', { kind: 'bridge-401', message: 'p' + process.pid + ' ' + i });`;
  const runs = Array.from({ length: 3 }, () =>
    new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, paths.home], { stdio: 'ignore', cwd: repoRoot });
      child.on('error', reject);
      child.on('close', resolve);
    }),
  );
  assert.deepEqual(await Promise.all(runs), [0, 0, 0]);
  const raw = await fs.readFile(path.join(paths.home, 'history', 'shared.jsonl'), 'utf8');
  const lines = raw.trim().split('\n');
  assert.equal(lines.length, 900);
  for (const line of lines) assert.equal(JSON.parse(line).kind, 'bridge-401');
  assert.equal(readHistory(paths, 'shared', 1000).length, 900);
});

test('a secret in a failure message is redacted, control characters are stripped', async () => {
  const paths = profile.keyring.registry.paths;
  recordHistory(paths, 'redacted', { kind: 'refresh-failed', message: 'boom access_token=abcdefghijkl1234 Bearer eyJhbGciOi.eyJzdWIi.sig\u001b[31m red' });
  const [event] = readHistory(paths, 'redacted');
  assert.ok(event);
  assert.doesNotMatch(event.message!, /abcdefghijkl1234|eyJhbGciOi\.eyJzdWIi|\u001b/);
  assert.match(event.message!, /redacted/);
});
