// The window's only way to the app: window.mcpKeyring (the preload's bridge, or
// the test harness's). Results come back as IpcResult; here they become values
// or ApiErrors that keep the app's error code and message.
import type { IpcChannel, IpcContract, IpcEventName, IpcEvents, RendererBridge } from '../shared/ipc-contract';

declare global {
  interface Window {
    mcpKeyring?: RendererBridge;
  }
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
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
  throw new ApiError(result.error.code, result.error.message);
}

export function on<E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void): () => void {
  return bridge().on(event, listener);
}

/** A message for the user, whatever was thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

export function codeOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.code : undefined;
}
