// What the preload exposes as window.mcpKeyring (RendererBridge), built over an
// ipcRenderer passed in, so the allow-lists are unit-tested under plain Node.
// - invoke: only the channels of IPC_CHANNELS; anything else never reaches ipcMain.
// - on: only the events of IPC_EVENTS; the page's listener gets the payload alone,
//   never the IpcRendererEvent (which would hand it `sender`, i.e. ipcRenderer).
// - An 'app:focus-server' that arrives before the page listens (the window was just
//   opened from a notification) is kept and handed to the first listener.
import type { IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, IPC_EVENTS, type IpcChannel, type IpcEventName, type IpcEvents, type IpcResult, type RendererBridge } from '../../shared/ipc-contract';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
}

/** Events whose latest payload waits for a listener instead of being dropped. */
const KEPT_UNTIL_HEARD: readonly IpcEventName[] = ['app:focus-server'];

export function createRendererBridge(ipc: IpcRendererLike): RendererBridge {
  const channels = new Set<string>(IPC_CHANNELS);
  const events = new Set<string>(IPC_EVENTS);
  const listeners = new Map<IpcEventName, Set<(payload: unknown) => void>>();
  const kept = new Map<IpcEventName, unknown>();

  const deliver = (listener: (payload: unknown) => void, payload: unknown): void => {
    try {
      listener(payload);
    } catch (error) {
      // One failing listener must not keep the event from the others.
      console.error(error);
    }
  };

  // One ipcRenderer listener per event, for the life of the page.
  for (const event of IPC_EVENTS) {
    ipc.on(event, (_event, payload) => {
      const current = listeners.get(event);
      if (!current || current.size === 0) {
        if (KEPT_UNTIL_HEARD.includes(event)) kept.set(event, payload);
        return;
      }
      for (const listener of [...current]) deliver(listener, payload);
    });
  }

  const invoke = async (channel: string, request: unknown): Promise<IpcResult<unknown>> => {
    if (typeof channel !== 'string' || !channels.has(channel)) {
      return { ok: false, error: { code: 'invalid-input', message: `"${String(channel)}" is not a channel of the MCP Keyring app.` } };
    }
    try {
      return (await ipc.invoke(channel, request)) as IpcResult<unknown>;
    } catch (error) {
      return { ok: false, error: { code: 'ipc-failed', message: error instanceof Error ? error.message : String(error) } };
    }
  };

  const on = (event: string, listener: (payload: unknown) => void): (() => void) => {
    if (typeof event !== 'string' || !events.has(event)) throw new TypeError(`"${String(event)}" is not an event of the MCP Keyring app.`);
    if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
    const name = event as IpcEventName;
    let set = listeners.get(name);
    if (!set) {
      set = new Set();
      listeners.set(name, set);
    }
    set.add(listener);
    if (kept.has(name)) {
      const payload = kept.get(name);
      kept.delete(name);
      // After the caller has its unsubscribe function in hand.
      queueMicrotask(() => deliver(listener, payload));
    }
    return () => {
      set.delete(listener);
    };
  };

  return {
    invoke: invoke as <C extends IpcChannel>(channel: C, request: unknown) => Promise<IpcResult<never>>,
    on: on as <E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void) => () => void,
  } as RendererBridge;
}
