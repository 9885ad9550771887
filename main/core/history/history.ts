// Each server's history: a bounded, append-only JSON-lines log in the data
// directory (history/<server id>.jsonl), written by every process that acts on
// the server (the app, the CLI, any number of bridges). Appends use O_APPEND with
// one write() per line, so lines from several processes never interleave. When
// the file passes the size cap it is renamed to a unique older generation and only
// the newest generations are kept, so the log never grows without bound.
//
// Recording never throws and never blocks a token operation on a failure: history
// is an aid, not a gate. Nothing secret goes in: callers pass scopes and reasons,
// and every message is redacted, stripped of control characters and capped anyway.
import fs from 'node:fs';
import path from 'node:path';
import type { HistoryEvent, HistoryEventKind } from '../../../shared/history';
import { SERVER_ID_PATTERN } from '../../../shared/server-config';
import type { KeyringPaths } from '../paths';
import { displayText } from '../../../shared/display-text';
import { redact } from '../redact';

export type { HistoryEvent, HistoryEventKind } from '../../../shared/history';

/** A generation is rotated out past this size. */
export const HISTORY_FILE_CAP_BYTES = 256 * 1024;
/** Older generations kept besides the current file. */
export const HISTORY_OLD_GENERATIONS = 2;
const MAX_MESSAGE = 300;
const MAX_LINE = 4096;

export interface HistoryInput {
  kind: HistoryEventKind;
  by?: string;
  scopes?: string[];
  client?: string;
  path?: string;
  message?: string;
}

function historyDir(paths: Pick<KeyringPaths, 'home'>): string {
  return path.join(paths.home, 'history');
}

function currentFile(paths: Pick<KeyringPaths, 'home'>, serverId: string): string {
  return path.join(historyDir(paths), `${serverId}.jsonl`);
}

/** Server-supplied or error text: no control characters, no secrets, bounded. */
export function cleanText(text: string, max = MAX_MESSAGE): string {
  return displayText(redact(text), max);
}

function defaultBy(): string {
  return `pid ${process.pid}`;
}

/** Appends one event to the server's history. Never throws. */
export function recordHistory(paths: Pick<KeyringPaths, 'home'>, serverId: string, input: HistoryInput): void {
  try {
    if (!SERVER_ID_PATTERN.test(serverId)) return;
    const event: HistoryEvent = { at: Date.now(), kind: input.kind, by: cleanText(input.by ?? defaultBy(), 80) };
    if (input.scopes?.length) event.scopes = input.scopes.slice(0, 50).map((s) => cleanText(s, 100));
    if (input.client) event.client = cleanText(input.client, 100);
    if (input.path) event.path = cleanText(input.path, 500);
    if (input.message) event.message = cleanText(input.message);
    let line = JSON.stringify(event);
    if (line.length > MAX_LINE) line = JSON.stringify({ at: event.at, kind: event.kind, by: event.by });
    const dir = historyDir(paths);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = currentFile(paths, serverId);
    rotateIfFull(dir, file, serverId);
    const fd = fs.openSync(file, 'a', 0o600); // O_APPEND
    try {
      fs.writeSync(fd, `${line}\n`);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // history is best effort
  }
}

function generations(dir: string, serverId: string): string[] {
  const prefix = `${serverId}.`;
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && /^\d{13}-\d+\.jsonl$/.test(name.slice(prefix.length)))
    .sort()
    .map((name) => path.join(dir, name));
}

function rotateIfFull(dir: string, file: string, serverId: string): void {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size < HISTORY_FILE_CAP_BYTES) return;
  // A unique name: two processes rotating at once each move a different file, losing nothing.
  try {
    fs.renameSync(file, path.join(dir, `${serverId}.${Date.now()}-${process.pid}.jsonl`));
  } catch {
    return; // another process moved it first
  }
  const old = generations(dir, serverId);
  for (const stale of old.slice(0, Math.max(0, old.length - HISTORY_OLD_GENERATIONS))) fs.rmSync(stale, { force: true });
}

function parseLines(text: string): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as HistoryEvent;
      if (typeof value?.at === 'number' && typeof value.kind === 'string' && typeof value.by === 'string') out.push(value);
    } catch {
      // a torn or foreign line: skip it
    }
  }
  return out;
}

/** The server's history, newest first. */
export function readHistory(paths: Pick<KeyringPaths, 'home'>, serverId: string, limit = 500): HistoryEvent[] {
  if (!SERVER_ID_PATTERN.test(serverId)) return [];
  const dir = historyDir(paths);
  let files: string[] = [];
  try {
    files = [...generations(dir, serverId), currentFile(paths, serverId)];
  } catch {
    return [];
  }
  const events: HistoryEvent[] = [];
  for (const file of files) {
    try {
      events.push(...parseLines(fs.readFileSync(file, 'utf8')));
    } catch {
      // missing generation
    }
  }
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => b.event.at - a.event.at || b.index - a.index)
    .slice(0, limit)
    .map(({ event }) => event);
}
