// One set of file watches per keyring, shared by every subscriber (the window's
// service and the HTTP bridge in the app): real files in a temp directory, the
// real StateStore's watch, counted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { keyringPaths } from '../../../../main/core/paths';
import { StateStore } from '../../../../main/core/registry/state-store';
import { watchRegistry, type WatchedRegistry } from '../../../../main/core/registry/registry-watcher';

function profile(t: { after(fn: () => void): void }): { source: WatchedRegistry; paths: ReturnType<typeof keyringPaths>; opened: () => number } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-watcher-'));
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  const paths = keyringPaths(home);
  const states = new StateStore(paths);
  let opened = 0;
  const source: WatchedRegistry = {
    registry: { paths },
    states: {
      watch: (onChange) => {
        opened += 1;
        return states.watch(onChange);
      },
    },
  };
  return { source, paths, opened: () => opened };
}

/** Resolves once `check` holds, or fails after 3 s naming what was awaited. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Writes the way the registry does: a temporary file renamed over the real one. */
function atomicWrite(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

test('two subscribers share one watch, both hear servers.json and state-file writes, and a throwing one stops neither', async (t) => {
  const { source, paths, opened } = profile(t);
  const first = { servers: 0, states: [] as string[] };
  const second = { servers: 0, states: [] as string[] };
  const a = watchRegistry(source, {
    onServersChanged: () => {
      first.servers += 1;
      throw new Error('a broken listener');
    },
    onStateChanged: (id) => first.states.push(id),
  });
  const b = watchRegistry(source, { onServersChanged: () => (second.servers += 1), onStateChanged: (id) => second.states.push(id) });
  t.after(() => {
    a.unsubscribe();
    b.unsubscribe();
  });
  assert.equal(opened(), 1, 'the state directory is watched once for both subscribers');
  assert.deepEqual([a.problems, b.problems], [[], []]);

  atomicWrite(paths.serversFile, '{"servers":[]}');
  await until('both to hear servers.json', () => first.servers > 0 && second.servers > 0);

  atomicWrite(path.join(paths.stateDir, 'notion.json'), '{}');
  await until('both to hear the state file', () => first.states.includes('notion') && second.states.includes('notion'));
});

test('the last unsubscribe closes the watches; a new subscriber opens them again', async (t) => {
  const { source, paths, opened } = profile(t);
  let heard = 0;
  const a = watchRegistry(source, { onServersChanged: () => (heard += 1) });
  const b = watchRegistry(source, {});
  a.unsubscribe();
  a.unsubscribe(); // twice is harmless
  b.unsubscribe();

  atomicWrite(paths.serversFile, '{"servers":[]}');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(heard, 0, 'nobody hears a write after unsubscribing');

  let again = 0;
  const c = watchRegistry(source, { onServersChanged: () => (again += 1) });
  t.after(() => c.unsubscribe());
  assert.equal(opened(), 2, 'watches reopen for a new subscriber');
  atomicWrite(paths.serversFile, '{"servers":[{}]}');
  await until('the new subscriber to hear servers.json', () => again > 0);
  assert.equal(heard, 0);
});

test('a registry whose state directory cannot be watched reports why and still follows servers.json', async (t) => {
  const { source, paths } = profile(t);
  let heard = 0;
  const broken: WatchedRegistry = {
    registry: source.registry,
    states: {
      watch: () => {
        throw new Error('ENOSPC: inotify watches exhausted');
      },
    },
  };
  const subscription = watchRegistry(broken, { onServersChanged: () => (heard += 1) });
  t.after(() => subscription.unsubscribe());
  assert.equal(subscription.problems.length, 1);
  assert.match(subscription.problems[0]!, /token states.*ENOSPC/);
  atomicWrite(paths.serversFile, '{"servers":[]}');
  await until('servers.json to be heard', () => heard > 0);
});
