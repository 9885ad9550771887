// How long an outbound request may take (DESIGN "Security baseline": every
// outbound step has a deadline), enforced by the fetch (./call-state.ts) on top
// of whatever AbortSignal the caller passes:
// - a response that is not an event stream must be complete (connect, headers,
//   whole body) within `responseMs`: a server that never answers, or trickles
//   a body a byte at a time, is given up on;
// - an event stream must send its headers within `responseMs`; after that, each
//   event, once its first byte came, must be complete within `eventIdleMs`: a
//   stream stuck or trickling mid-event is given up on. Silence *between* events
//   has no deadline: MCP streams rightly stay open and quiet for hours (a client
//   left idle), and a legacy HTTP+SSE session does not survive a reconnect, so
//   dropping quiet streams would break them; a dead peer is noticed by TCP
//   keep-alive (the fetch turns it on for event streams), and memory stays bounded by the event
//   size limit (./body-limits.ts) whatever the stream does.
// OAuth requests get 15 s (outbound.ts). MCP traffic gets 5 minutes each: an MCP
// server may answer a long tool call with one JSON body at the end, and MCP
// clients give up on a call after a minute or more on their own.
// MCP_KEYRING_MCP_TIMEOUT (seconds) changes both MCP deadlines, for slow servers.
import { KeyringError } from '../errors';

export interface Deadlines {
  /** Connect, headers and (except for event streams) the whole body. */
  readonly responseMs: number;
  /** Event streams: the longest time from an event's first byte to its end. */
  readonly eventIdleMs: number;
}

export const MCP_TIMEOUT_ENV = 'MCP_KEYRING_MCP_TIMEOUT';
const DEFAULT_MCP_TIMEOUT_MS = 300_000;

/** The deadlines of MCP traffic (the bridges), from MCP_KEYRING_MCP_TIMEOUT when it is set. */
export function mcpDeadlines(env: Readonly<Record<string, string | undefined>> = process.env): Deadlines {
  const text = env[MCP_TIMEOUT_ENV]?.trim();
  if (!text) return { responseMs: DEFAULT_MCP_TIMEOUT_MS, eventIdleMs: DEFAULT_MCP_TIMEOUT_MS };
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new KeyringError('invalid-input', `${MCP_TIMEOUT_ENV}="${text}" is not a number of seconds between 0 and 86400.`);
  }
  const ms = Math.round(seconds * 1000);
  return { responseMs: ms, eventIdleMs: ms };
}

/** A deadline passed. Named TimeoutError, like AbortSignal.timeout()'s reason, so existing handlers treat it as one. */
export class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ERR_DEADLINE';
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
