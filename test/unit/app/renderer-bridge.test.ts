// The preload's bridge over a recording stand-in for ipcRenderer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IpcRendererEvent } from 'electron';
import { IPC_EVENTS } from '../../../shared/ipc-contract';
import { createRendererBridge, type IpcRendererLike } from '../../../main/app/renderer-bridge';

class RecordingIpcRenderer implements IpcRendererLike {
  readonly invoked: Array<[string, unknown[]]> = [];
  readonly listeners = new Map<string, Array<(event: IpcRendererEvent, ...args: unknown[]) => void>>();
  answer: (channel: string) => Promise<unknown> = async () => ({ ok: true, value: 'fine' });
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, args]);
    return this.answer(channel);
  }
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  emit(channel: string, payload: unknown): void {
    const event = { sender: this, senderId: 0 } as unknown as IpcRendererEvent;
    for (const listener of this.listeners.get(channel) ?? []) listener(event, payload);
  }
}

test('invoke passes contract channels through and refuses the rest locally', async () => {
  const ipc = new RecordingIpcRenderer();
  const bridge = createRendererBridge(ipc);
  assert.deepEqual(await bridge.invoke('servers:list', undefined), { ok: true, value: 'fine' });
  assert.deepEqual(await bridge.invoke('servers:connect', { id: 'a' }), { ok: true, value: 'fine' });
  for (const channel of ['shell:exec', 'servers:list ', '__proto__', 'constructor']) {
    const result = await bridge.invoke(channel as never, undefined as never);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'invalid-input');
  }
  assert.deepEqual(ipc.invoked, [
    ['servers:list', [undefined]],
    ['servers:connect', [{ id: 'a' }]],
  ]);
});

test('a failed invoke (no handler, main gone) becomes an ipc-failed result, not a rejection', async () => {
  const ipc = new RecordingIpcRenderer();
  ipc.answer = async () => {
    throw new Error("No handler registered for 'servers:list'");
  };
  const result = await createRendererBridge(ipc).invoke('servers:list', undefined);
  assert.deepEqual(result, { ok: false, error: { code: 'ipc-failed', message: "No handler registered for 'servers:list'" } });
});

test('on: contract events only, payload only, and unsubscribing works', () => {
  const ipc = new RecordingIpcRenderer();
  const bridge = createRendererBridge(ipc);
  assert.deepEqual([...ipc.listeners.keys()].sort(), [...IPC_EVENTS].sort());
  const got: unknown[][] = [];
  const off = bridge.on('servers:changed', (...args: unknown[]) => got.push(args));
  ipc.emit('servers:changed', [{ id: 'a' }]);
  off();
  ipc.emit('servers:changed', [{ id: 'b' }]);
  // The listener never sees the IpcRendererEvent (it would expose ipcRenderer via event.sender).
  assert.deepEqual(got, [[[{ id: 'a' }]]]);
  assert.throws(() => bridge.on('shell:exec' as never, () => undefined), TypeError);
  assert.throws(() => bridge.on('servers:changed', 'nope' as never), TypeError);
});

test('one throwing listener does not keep the event from the others', () => {
  const ipc = new RecordingIpcRenderer();
  const bridge = createRendererBridge(ipc);
  const got: string[] = [];
  const originalError = console.error;
  console.error = () => undefined;
  try {
    bridge.on('connect:progress', () => {
      throw new Error('broken listener');
    });
    bridge.on('connect:progress', (p) => got.push(p.step));
    ipc.emit('connect:progress', { id: 'a', step: 'done' });
  } finally {
    console.error = originalError;
  }
  assert.deepEqual(got, ['done']);
});

test('app:focus-server sent before the page listens is delivered to the first listener', async () => {
  const ipc = new RecordingIpcRenderer();
  const bridge = createRendererBridge(ipc);
  ipc.emit('app:focus-server', { id: 'old' });
  ipc.emit('app:focus-server', { id: 'github' });
  ipc.emit('servers:changed', []); // not kept: the page lists the servers when it starts
  const focus: string[] = [];
  const changes: unknown[] = [];
  bridge.on('servers:changed', (p) => changes.push(p));
  bridge.on('app:focus-server', ({ id }) => focus.push(id));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(focus, ['github']);
  assert.deepEqual(changes, []);
  // Delivered once only.
  bridge.on('app:focus-server', ({ id }) => focus.push(`second:${id}`));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(focus, ['github']);
  ipc.emit('app:focus-server', { id: 'linear' });
  assert.deepEqual(focus, ['github', 'linear', 'second:linear']);
});
