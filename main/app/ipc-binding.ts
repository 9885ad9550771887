// Binds the window contract (shared/ipc-contract.ts) to ipcMain: exactly the
// channels of IPC_CHANNELS, each answering only our own window's page, each
// result wrapped as IpcResult (errors cross as data, with the KeyringError code).
// Only `import type` from electron: ipcMain and the webContents are passed in, so
// this runs (and is tested) under plain Node.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_CHANNELS, type IpcContract, type IpcEventName, type IpcEvents, type IpcResult, type KeyringApi } from '../../shared/ipc-contract';
import { invokeChannel } from '../core/service/keyring-service';
import { isRendererUrl } from './window-options';

/** The sender facts the check needs (a slice of IpcMainInvokeEvent). */
export interface SenderInfo {
  /** event.senderFrame?.url; undefined when the frame is gone. */
  frameUrl: string | undefined;
  /** The frame is a top-level frame (no parent). */
  isMainFrame: boolean;
  /** event.sender is the app's own window. */
  isOwnWindow: boolean;
}

/**
 * A request is answered only when it comes from the top frame of our window and
 * that frame shows our renderer page (file://…/dist/renderer/index.html). Anything
 * else (a navigated-away frame, an iframe, another window) gets "forbidden".
 */
export function isTrustedSender(sender: SenderInfo, rendererUrl: string): boolean {
  return sender.isOwnWindow && sender.isMainFrame && isRendererUrl(sender.frameUrl, rendererUrl);
}

/** Reads the sender facts off an Electron invoke event. */
export function senderInfo(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>, ownWindow: (contents: WebContents) => boolean): SenderInfo {
  const frame = event.senderFrame;
  return {
    frameUrl: frame?.url,
    isMainFrame: frame !== null && frame !== undefined && frame.parent === null,
    isOwnWindow: ownWindow(event.sender),
  };
}

export const FORBIDDEN: IpcResult<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'This request did not come from the MCP Keyring window.' },
};

export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler'>;

/**
 * Registers one handler per channel of IPC_CHANNELS (and no other). Returns the
 * function that removes them again.
 */
export function bindIpc(ipcMain: IpcMainLike, api: KeyringApi, trusted: (event: IpcMainInvokeEvent) => boolean): () => void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      let allowed = false;
      try {
        allowed = trusted(event);
      } catch {
        allowed = false;
      }
      if (!allowed) return FORBIDDEN;
      // One argument, the request; anything more is ignored rather than passed on.
      return invokeChannel(api, channel, args[0] as IpcContract[typeof channel]['request']);
    });
  }
  return () => {
    for (const channel of IPC_CHANNELS) ipcMain.removeHandler(channel);
  };
}

export type WebContentsLike = Pick<WebContents, 'send' | 'isDestroyed'>;

/** Sends one typed event to the window, if it is still there. */
export function sendEvent<E extends IpcEventName>(webContents: WebContentsLike | undefined | null, name: E, payload: IpcEvents[E]): boolean {
  if (!webContents || webContents.isDestroyed()) return false;
  webContents.send(name, payload);
  return true;
}
