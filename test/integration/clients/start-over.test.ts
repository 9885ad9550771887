// A registration the authorization server forgot: its authorize page shows
// invalid_client and never redirects, so the sign-in cannot notice. The CLI says
// what to do while it waits (and `--new-registration` registers afresh), the
// service's "start over" cancels and signs in again with a new registration in
// the same connect call, and after a timed-out sign-in the next one registers afresh.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { ConnectProgress } from '../../../shared/ipc-contract';
import { createKeyringService, type KeyringService } from '../../../main/core/service/keyring-service';
import { runCli, scriptedBrowser, startCli } from '../../helpers/run-cli';
import { useStack } from '../../helpers/stack';
import { completeLogin } from '../../helpers/user-agent';

const stack = useStack('start-over');
let service: KeyringService | undefined;
let scratch: string | undefined;
after(async () => {
  service?.dispose();
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

/** A "browser" that loads the sign-in page and stays there, as a user looking at an error page. */
async function staringBrowser(): Promise<{ path: string; seen: () => Promise<string> }> {
  scratch ??= await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-start-over-'));
  const seenFile = path.join(scratch, 'seen.html');
  const file = path.join(scratch, 'staring-browser.mjs');
  await fs.writeFile(file, `#!/usr/bin/env node\nconst r = await fetch(process.argv[2]);\nawait (await import('node:fs/promises')).writeFile(${JSON.stringify(seenFile)}, r.status + ' ' + (await r.text()));\n`, { mode: 0o755 });
  return { path: file, seen: () => fs.readFile(seenFile, 'utf8').catch(() => '') };
}

async function forgottenRegistration(name: string): Promise<string> {
  const { id } = await stack.connected(name);
  await stack.as.forgetClients();
  return id;
}

test('CLI: while the browser shows invalid_client, connect says how to start over; --new-registration registers afresh', async () => {
  const id = await forgottenRegistration('cli');
  const browser = await staringBrowser();
  const registrations = stack.as.stats.registrations;
  const waiting = startCli(['connect', id, '--timeout', '60s'], { env: { ...stack.profile.env, BROWSER: browser.path, MCP_KEYRING_START_OVER_HINT_MS: '300' } });
  await waiting.waitForStderr(/If the browser shows invalid_client.*press Ctrl-C and run `mcp-keyring connect cli --new-registration`/);
  try {
    for (let i = 0; i < 200 && !(await browser.seen()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(await browser.seen(), /invalid_client/, 'the authorization server page shows invalid_client');
  } finally {
    waiting.kill('SIGINT');
  }
  const cancelled = await waiting.done;
  assert.notEqual(cancelled.code, 0);

  const fresh = await runCli(['connect', id, '--new-registration', '--timeout', '60s'], { env: { ...stack.profile.env, BROWSER: scriptedBrowser } });
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.match(fresh.stderr, /Connected/);
  assert.equal(stack.as.stats.registrations, registrations + 1);
  assert.equal((await stack.profile.keyring.states.read(id)).status, 'connected');
});

test('CLI: after a sign-in that timed out with a reused registration, the next connect registers afresh', async () => {
  const id = await forgottenRegistration('timeout');
  const browser = await staringBrowser();
  const registrations = stack.as.stats.registrations;
  const timedOut = await runCli(['connect', id, '--timeout', '2s'], { env: { ...stack.profile.env, BROWSER: browser.path } });
  assert.notEqual(timedOut.code, 0);
  assert.equal(stack.as.stats.registrations, registrations, 'the timed-out attempt reused the (forgotten) registration');
  const again = await runCli(['connect', id, '--timeout', '60s'], { env: { ...stack.profile.env, BROWSER: scriptedBrowser } });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(stack.as.stats.registrations, registrations + 1);
});

test('service: start over cancels the waiting sign-in and the same connect call finishes with a new registration', async () => {
  const id = await forgottenRegistration('window');
  const registrations = stack.as.stats.registrations;
  const pages: string[] = [];
  let signInWorks = false;
  service = createKeyringService(stack.profile.keyring, {
    async openBrowser(url) {
      if (signInWorks) await completeLogin(url);
      else pages.push(await (await fetch(url)).text());
    },
    async openExternal() {},
    async getSettings() {
      return { startAtLogin: false };
    },
    async setSettings() {
      return { startAtLogin: false };
    },
    bridgeLaunch: () => {
      throw new Error('not used');
    },
    signInTimeoutMs: 30_000,
  });
  const steps: ConnectProgress['step'][] = [];
  let waitingSeen!: () => void;
  const waiting = new Promise<void>((resolve) => (waitingSeen = resolve));
  service.subscribe((event, payload) => {
    if (event !== 'connect:progress') return;
    const progress = payload as ConnectProgress;
    steps.push(progress.step);
    if (progress.step === 'waiting-for-browser') waitingSeen();
  });

  await assert.rejects(service.api['servers:start-over']({ id }), /No sign-in to window is in progress/);
  const connecting = service.api['servers:connect']({ id });
  await waiting;
  while (!pages.length) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.match(pages[0]!, /invalid_client/);
  signInWorks = true;
  await service.api['servers:start-over']({ id });
  const view = await connecting;
  assert.equal(view.status, 'connected');
  assert.equal(stack.as.stats.registrations, registrations + 1);
  assert.ok(!steps.includes('cancelled') && !steps.includes('failed'), steps.join(' → '));
  assert.equal(steps.filter((s) => s === 'waiting-for-browser').length, 2);
  assert.equal(steps.at(-1), 'done');
});
