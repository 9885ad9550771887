// The window's only way to the app: window.mcpKeyring (the preload's bridge, or
// the test harness's). Results come back as IpcResult; here they become values
// or ApiErrors that keep the app's error code and message.
import { isIpcErrorCode, type IpcErrorCode } from '../shared/error-codes';
import type { IpcChannel, IpcContract, IpcEventName, IpcEvents, RendererBridge } from '../shared/ipc-contract';

declare global {
  interface Window {
    mcpKeyring?: RendererBridge;
  }
}

/** The app's codes, plus the window's own for when the app cannot be reached. */
export type ApiErrorCode = IpcErrorCode | 'no-bridge';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const NO_BRIDGE = 'The window cannot reach the MCP Keyring app (its bridge is missing). Quit and reopen MCP Keyring.';

function bridge(): RendererBridge {
  const found = window.mcpKeyring;
  if (!found) throw new ApiError('no-bridge', NO_BRIDGE);
  return found;
}

export function hasBridge(): boolean {
  return Boolean(window.mcpKeyring);
}

export async function call<C extends IpcChannel>(channel: C, request: IpcContract[C]['request']): Promise<IpcContract[C]['response']> {
  let result;
  try {
    result = await bridge().invoke(channel, request);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('ipc-failed', `The app did not answer (${error instanceof Error ? error.message : String(error)}). Try again, or restart MCP Keyring.`);
  }
  if (!result || typeof result !== 'object') throw new ApiError('ipc-failed', 'The app sent an answer the window does not understand. Restart MCP Keyring.');
  if (result.ok) return result.value;
  // The answer crossed a process boundary: a code the contract does not know is an internal error.
  const code = isIpcErrorCode(result.error?.code) ? result.error.code : 'internal';
  throw new ApiError(code, typeof result.error?.message === 'string' ? result.error.message : 'Something went wrong.');
}

export function on<E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void): () => void {
  return bridge().on(event, listener);
}

/** A message for the user, whatever was thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

export function codeOf(error: unknown): ApiErrorCode | undefined {
  return error instanceof ApiError ? error.code : undefined;
}

/** True for an ApiError with this code (typed: a misspelt code does not compile). */
export function hasErrorCode(error: unknown, code: ApiErrorCode): boolean {
  return codeOf(error) === code;
}
