// Sign-ins the window started: at most one per server, each cancellable, and
// "start over" (abort and run again with a fresh registration, answered by the
// same connect call). Progress goes to the window as 'connect:progress'.
import type { ConnectProgress } from '../../../shared/ipc-contract';
import type { ServerView } from '../../../shared/server-state';
import type { SignInProgress } from '../authorize/sign-in';
import { KeyringError, errorMessage, isKeyringError } from '../errors';
import type { Keyring } from '../keyring';
import type { ChangeFeed } from './change-feed';

export interface SignInHost {
  openBrowser(url: string): Promise<void>;
  signInTimeoutMs?: number;
}

export class SignInTracker {
  readonly #signIns = new Map<string, AbortController>();
  /** Sign-ins aborted by "start over", which their connect call runs again. */
  readonly #startingOver = new Set<AbortController>();

  constructor(
    private readonly keyring: Keyring,
    private readonly host: SignInHost,
    private readonly feed: ChangeFeed,
  ) {}

  async connect(id: string): Promise<ServerView> {
    const server = await this.keyring.registry.get(id);
    if (this.#signIns.has(id)) {
      throw new KeyringError('invalid-input', `A sign-in to ${server.name} is already waiting for the browser; finish or cancel it first.`);
    }
    for (let freshRegistration = false; ; freshRegistration = true) {
      const controller = new AbortController();
      this.#signIns.set(id, controller);
      try {
        await this.keyring.connect(id, {
          signal: controller.signal,
          ...(this.host.signInTimeoutMs ? { timeoutMs: this.host.signInTimeoutMs } : {}),
          ...(freshRegistration ? { freshRegistration } : {}),
          onProgress: (step: SignInProgress) => {
            if (step.step === 'waiting-for-browser') this.#progress(id, step.step, { url: step.url });
            else this.#progress(id, step.step);
          },
          // The browser is opened without waiting for it: the sign-in waits for the
          // callback (and for Cancel) meanwhile. A browser that will not open is
          // reported, and the page address stays in the row for the user to open.
          openBrowser: async (url: string) => {
            if (controller.signal.aborted) return;
            this.host.openBrowser(url).catch((error: unknown) => {
              if (controller.signal.aborted) return;
              this.#progress(id, 'waiting-for-browser', { url, message: `The browser did not open (${errorMessage(error)}); open the sign-in page yourself.` });
            });
          },
        });
        // A sign-in that completed while Cancel was on its way stands: the tokens are stored.
        const result = await this.keyring.view(await this.keyring.registry.get(id));
        this.#progress(id, 'done');
        return this.feed.changed(result);
      } catch (error) {
        if (this.#startingOver.delete(controller)) continue;
        if (controller.signal.aborted || isKeyringError(error, 'cancelled')) {
          this.#progress(id, 'cancelled');
          this.feed.schedule();
          throw isKeyringError(error, 'cancelled') ? error : new KeyringError('cancelled', 'Sign-in cancelled.', { cause: error });
        }
        this.#progress(id, 'failed', { message: errorMessage(error) });
        this.feed.schedule();
        throw error;
      } finally {
        this.#startingOver.delete(controller);
        if (this.#signIns.get(id) === controller) this.#signIns.delete(id);
      }
    }
  }

  /** Aborts the sign-in to `id`, if one is waiting; true when there was one. */
  cancel(id: string): boolean {
    const controller = this.#signIns.get(id);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /** Aborts the sign-in to `id` and has its connect call run it again with a new registration. */
  async startOver(id: string): Promise<void> {
    const server = await this.keyring.registry.get(id);
    const controller = this.#signIns.get(id);
    if (!controller) throw new KeyringError('invalid-input', `No sign-in to ${server.name} is in progress; click Connect.`);
    this.#startingOver.add(controller);
    controller.abort();
  }

  /** Cancels every sign-in in progress. */
  dispose(): void {
    for (const controller of this.#signIns.values()) controller.abort();
  }

  #progress(id: string, step: ConnectProgress['step'], extra: Omit<ConnectProgress, 'id' | 'step'> = {}): void {
    this.feed.emit('connect:progress', { id, step, ...extra });
  }
}
