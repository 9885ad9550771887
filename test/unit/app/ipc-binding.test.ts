import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_CHANNELS, type AppSettings, type IpcEvents } from '../../../shared/ipc-contract';
import { bindIpc, FORBIDDEN, isTrustedSender, senderInfo, sendEvent, type IpcMainLike } from '../../../main/app/ipc-binding';
import { Keyring } from '../../../main/core/keyring';
import { createKeyringService, type KeyringService } from '../../../main/core/service/keyring-service';

const rendererUrl = pathToFileURL(path.join(os.tmpdir(), 'app', 'dist', 'renderer', 'index.html')).href;

test('sender check: our window, its top frame, showing our page', () => {
  const ok = { frameUrl: rendererUrl, isMainFrame: true, isOwnWindow: true };
  assert.equal(isTrustedSender(ok, rendererUrl), true);
  assert.equal(isTrustedSender({ ...ok, frameUrl: `${rendererUrl}#/server/x` }, rendererUrl), true);
  assert.equal(isTrustedSender({ ...ok, isOwnWindow: false }, rendererUrl), false, 'another web contents');
  assert.equal(isTrustedSender({ ...ok, isMainFrame: false }, rendererUrl), false, 'a subframe');
  assert.equal(isTrustedSender({ ...ok, frameUrl: undefined }, rendererUrl), false, 'a frame that is gone');
  for (const frameUrl of ['https://evil.example/', 'http://127.0.0.1:5173/index.html', pathToFileURL('/tmp/evil/index.html').href, 'about:blank', 'devtools://devtools/bundled/x.html', '']) {
    assert.equal(isTrustedSender({ ...ok, frameUrl }, rendererUrl), false, frameUrl);
  }
});

test('sender facts are read off the invoke event', () => {
  const own = { id: 7 } as WebContents;
  const ownWindow = (contents: WebContents) => contents.id === 7;
  const top = { url: rendererUrl, parent: null };
  assert.deepEqual(senderInfo({ senderFrame: top, sender: own } as unknown as IpcMainInvokeEvent, ownWindow), { frameUrl: rendererUrl, isMainFrame: true, isOwnWindow: true });
  assert.deepEqual(senderInfo({ senderFrame: { url: rendererUrl, parent: top }, sender: { id: 8 } } as unknown as IpcMainInvokeEvent, ownWindow), {
    frameUrl: rendererUrl,
    isMainFrame: false,
    isOwnWindow: false,
  });
  assert.deepEqual(senderInfo({ senderFrame: null, sender: own } as unknown as IpcMainInvokeEvent, ownWindow), { frameUrl: undefined, isMainFrame: false, isOwnWindow: true });
});

// --- bindIpc over a recording stand-in for ipcMain and the real service on a temp profile ---
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;
class RecordingIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    assert.equal(this.handlers.has(channel), false, `${channel} bound twice`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    assert.ok(handler, `no handler for ${channel}`);
    return handler(event, ...args);
  }
}

const trustedEvent = { senderFrame: { url: rendererUrl, parent: null }, sender: { id: 1 } } as unknown as IpcMainInvokeEvent;
const strangerEvent = { senderFrame: { url: 'https://evil.example/', parent: null }, sender: { id: 1 } } as unknown as IpcMainInvokeEvent;
const trusted = (event: IpcMainInvokeEvent) => isTrustedSender(senderInfo(event, (c) => c.id === 1), rendererUrl);

let home: string;
let service: KeyringService;
const opened: string[] = [];
let settings: AppSettings = { startAtLogin: false };

before(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-ipc-'));
  // These channels never reach the keychain: no server has a secret here.
  service = createKeyringService(new Keyring({ home, service: `mcp-keyring-test-ipc-${process.pid}` }), {
    openBrowser: async () => undefined,
    openExternal: async (url) => {
      opened.push(url);
    },
    getSettings: async () => settings,
    setSettings: async (patch) => {
      if (patch.startAtLogin === true) throw new Error('the login item service is down');
      settings = { ...settings, ...patch };
      return settings;
    },
    bridgeLaunch: (id) => ({ kind: 'stdio', command: '/usr/bin/node', args: ['/app/bridge.mjs', id] }),
  });
});
after(async () => {
  service.dispose();
  await fs.rm(home, { recursive: true, force: true });
});

test('bindIpc registers exactly the contract channels, and unbinding removes them', () => {
  const ipc = new RecordingIpcMain();
  const unbind = bindIpc(ipc, service.api, trusted);
  assert.deepEqual([...ipc.handlers.keys()].sort(), [...IPC_CHANNELS].sort());
  unbind();
  assert.equal(ipc.handlers.size, 0);
});

test('answers from the api come back as IpcResult values', async () => {
  const ipc = new RecordingIpcMain();
  bindIpc(ipc, service.api, trusted);
  assert.deepEqual(await ipc.invoke('servers:list', trustedEvent), { ok: true, value: [] });
  assert.deepEqual(await ipc.invoke('settings:get', trustedEvent), { ok: true, value: { startAtLogin: false } });
  assert.deepEqual(await ipc.invoke('app:open-external', trustedEvent, { url: 'https://example.com/docs' }), { ok: true, value: undefined });
  assert.deepEqual(opened, ['https://example.com/docs']);
  // Extra arguments are not passed on.
  assert.deepEqual(await ipc.invoke('settings:set', trustedEvent, { startAtLogin: false }, { startAtLogin: true }), { ok: true, value: { startAtLogin: false } });
});

test('errors cross as data: the KeyringError code, else "internal"', async () => {
  const ipc = new RecordingIpcMain();
  bindIpc(ipc, service.api, trusted);
  const unknown = (await ipc.invoke('servers:connect', trustedEvent, { id: 'nope' })) as { ok: false; error: { code: string; message: string } };
  assert.equal(unknown.ok, false);
  assert.equal(unknown.error.code, 'unknown-server');
  assert.match(unknown.error.message, /nope/);

  const bad = (await ipc.invoke('app:open-external', trustedEvent, { url: 'file:///etc/passwd' })) as { ok: false; error: { code: string } };
  assert.deepEqual(bad.error.code, 'invalid-input');
  assert.deepEqual(await ipc.invoke('servers:add', trustedEvent, 'not an object').then((r) => (r as { error: { code: string } }).error.code), 'invalid-input');

  const plain = await ipc.invoke('settings:set', trustedEvent, { startAtLogin: true });
  assert.deepEqual(plain, { ok: false, error: { code: 'internal', message: 'the login item service is down' } });
  // Errors are plain data (structured-clonable), not Error objects.
  assert.deepEqual(structuredClone(plain), plain);
  assert.deepEqual(opened, ['https://example.com/docs']);
});

test('a request from anywhere but our page is refused before it reaches the api', async () => {
  const ipc = new RecordingIpcMain();
  let called = 0;
  const api = Object.fromEntries(
    IPC_CHANNELS.map((channel) => [
      channel,
      async () => {
        called++;
        return null;
      },
    ]),
  ) as unknown as typeof service.api;
  bindIpc(ipc, api, trusted);
  for (const channel of IPC_CHANNELS) assert.deepEqual(await ipc.invoke(channel, strangerEvent, {}), FORBIDDEN);
  // A sender check that throws counts as a refusal.
  const throwing = new RecordingIpcMain();
  bindIpc(throwing, api, () => {
    throw new Error('frame disposed');
  });
  assert.deepEqual(await throwing.invoke('servers:list', trustedEvent), FORBIDDEN);
  // Another web contents showing the same file is refused too.
  const otherWindow = { senderFrame: { url: rendererUrl, parent: null }, sender: { id: 2 } } as unknown as IpcMainInvokeEvent;
  assert.deepEqual(await ipc.invoke('servers:list', otherWindow), FORBIDDEN);
  assert.equal(called, 0);
  assert.deepEqual(await ipc.invoke('servers:list', trustedEvent), { ok: true, value: null });
  assert.equal(called, 1);
});

test('sendEvent sends typed events to a live window only', () => {
  const sent: Array<[string, unknown]> = [];
  let destroyed = false;
  const contents = { send: (channel: string, payload: unknown) => sent.push([channel, payload]), isDestroyed: () => destroyed };
  const payload: IpcEvents['app:focus-server'] = { id: 'github' };
  assert.equal(sendEvent(contents, 'app:focus-server', payload), true);
  assert.equal(sendEvent(contents, 'servers:changed', []), true);
  destroyed = true;
  assert.equal(sendEvent(contents, 'servers:changed', []), false);
  assert.equal(sendEvent(undefined, 'servers:changed', []), false);
  assert.deepEqual(sent, [
    ['app:focus-server', { id: 'github' }],
    ['servers:changed', []],
  ]);
});
