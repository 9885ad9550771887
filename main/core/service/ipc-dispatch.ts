// Dispatch of one IPC call: the channel checked against the contract, the handler
// run, and its outcome wrapped as data (Electron does not keep error classes).
import type { IpcChannel, IpcContract, IpcError, IpcResult, KeyringApi } from '../../../shared/ipc-contract';
import { IPC_CHANNELS } from '../../../shared/ipc-contract';
import { errorMessage, isKeyringError } from '../errors';

/** Errors cross the boundary as data: a KeyringError keeps its code and message. */
export function toIpcError(error: unknown): IpcError {
  if (isKeyringError(error)) return { code: error.code, message: error.message };
  return { code: 'internal', message: errorMessage(error) || 'Something went wrong.' };
}

/** Runs one channel and wraps the outcome as the preload hands it to the window. */
export async function invokeChannel<C extends IpcChannel>(api: KeyringApi, channel: C, request: IpcContract[C]['request']): Promise<IpcResult<IpcContract[C]['response']>> {
  if (!isIpcChannel(channel)) return { ok: false, error: { code: 'invalid-input', message: `Unknown channel "${String(channel)}".` } };
  try {
    const handler = api[channel] as (request: IpcContract[C]['request']) => Promise<IpcContract[C]['response']>;
    return { ok: true, value: await handler(request) };
  } catch (error) {
    return { ok: false, error: toIpcError(error) };
  }
}

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && (IPC_CHANNELS as readonly string[]).includes(value);
}
