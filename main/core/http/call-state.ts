// One fetch call's life: the caller's AbortSignal and the deadline
// (./deadlines.ts) tied to the request and response in flight, and the errors a
// call fails with, shaped as undici's (TypeError 'fetch failed' / 'terminated'
// with Node's error as the cause; the signal's own reason for an abort).
import type http from 'node:http';
import { DeadlineError } from './deadlines';


export function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** What a body that broke off midway fails with: the abort's reason, else TypeError('terminated'), as undici. */
export function terminated(state: CallState, error: unknown): unknown {
  return state.aborted ? state.reason : new TypeError('terminated', { cause: error });
}

/** Per fetch call: ties the caller's AbortSignal to the request and response in flight. */
export class CallState {
  aborted = false;
  reason: unknown;
  request: http.ClientRequest | undefined;
  response: http.IncomingMessage | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity; // when #timer fires
  #deadlineAt = Infinity; // when the call fails, unless disarmed or re-armed
  #reason: (() => Error) | undefined;

  constructor(signal: AbortSignal | null | undefined) {
    this.#signal = signal ?? undefined;
    if (signal) {
      if (signal.aborted) {
        this.aborted = true;
        this.reason = abortReason(signal);
      } else {
        this.#onAbort = () => this.abort();
        signal.addEventListener('abort', this.#onAbort, { once: true });
      }
    }
  }

  abort(): void {
    if (this.aborted || !this.#signal) return;
    this.fail(abortReason(this.#signal));
  }

  /** Ends the call with `reason` (an abort, a passed deadline, a refused body): the request and response are destroyed with it. */
  fail(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const error = reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
    this.response?.destroy(error);
    this.request?.destroy(error);
    this.release();
  }

  /** (Re)starts the deadline: unless disarmed or re-armed first, the call fails with `reason()` after `ms`. */
  arm(ms: number, reason: () => Error): void {
    if (this.aborted) return;
    this.#deadlineAt = Date.now() + ms;
    this.#reason = reason;
    // One timer per call, moved only when it must fire sooner: an event stream arms and disarms once per
    // event, and timer churn on that path costs more than a timer that wakes up early and looks again.
    if (this.#timerAt > this.#deadlineAt) this.#schedule();
  }

  /** Stops the deadline (until armed again); a pending timer finds nothing to do. */
  disarm(): void {
    this.#deadlineAt = Infinity;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timerAt = this.#deadlineAt;
    this.#timer = setTimeout(() => this.#check(), Math.max(0, this.#deadlineAt - Date.now()));
    this.#timer.unref(); // the socket keeps the process alive while the call is in flight; the timer alone must not
  }

  #check(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#deadlineAt === Infinity) return;
    if (Date.now() >= this.#deadlineAt) this.fail(this.#reason?.() ?? new DeadlineError('deadline passed'));
    else this.#schedule();
  }

  /** Stops listening to the signal and the deadline (the body was read, cancelled or failed). Removing the listener matters: the SDK reuses one signal for every request. */
  release(): void {
    this.#deadlineAt = Infinity;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#onAbort) this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}
