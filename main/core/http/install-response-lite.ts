// The one global patch for responses, for the bridge process only.
import { isUndiciLoaded } from './headers-lite';
import { ResponseLite } from './response-lite';

/**
 * For the bridge process only (see ./headers-lite.ts): makes the global `Response`
 * ResponseLite without loading undici. oauth4webapi checks that a token response
 * is a Response (by class or toStringTag); with this, a refresh in the bridge
 * loads neither undici nor its WebAssembly parser — which the bridge's V8 flags
 * (--lite-mode) do not even allow. Only responses made by createNodeFetch() exist
 * in such a process; nothing there constructs a Response itself.
 */
export function installResponseLite(): void {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'Response');
  if (descriptor && ('value' in descriptor || !descriptor.configurable)) return;
  if (isUndiciLoaded()) return;
  Object.defineProperty(globalThis, 'Response', { value: ResponseLite, writable: true, configurable: true, enumerable: false });
}
