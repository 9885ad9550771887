// Puts MCP Keyring's entry into an MCP client's config file, or takes it out,
// without disturbing anything else in the file.
//
// Safety rules:
// - a file that does not parse, or has the wrong shape, is refused and left untouched;
// - only our entry's bytes change: other servers, unrelated keys, comments, key order,
//   indentation and line endings stay as they were (see json-edit.ts);
// - before a change the original is copied to `<path>.mcp-keyring-backup-<YYYYMMDDTHHMMSS>`;
// - the new file replaces the old one atomically and is 0600, as is every backup (the
//   entry may carry the HTTP-bridge secret); a file owned by another user is refused
//   untouched; a symlinked config file is written through the link, not replaced;
// - the result is parsed again and compared with the intended document before it is written;
// - if the client rewrites the file while we are editing it, we start over.
import type { InstallResult } from '../../../shared/ipc-contract';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Node } from 'jsonc-parser';
import { KeyringError, errorMessage, isKeyringError } from '../errors';
import { assertOwnFile, writeFileAtomic } from '../fs/atomic-write';
import { detectStyle, nodeValue, parseDocument, propertiesNamed, removeEntry, setEntry, type DocumentFormat } from './json-edit';
import type { BridgeLaunch } from './launch';
import { CLIENT_IDS, clientTarget, type ClientId, type ClientTarget } from './targets';

export type { ClientId } from './targets';

export interface ClientFileOptions {
  client: ClientId;
  /** The entry's name in the client, e.g. "mcp-keyring-example". */
  name: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  /** Use this file instead of the client's usual one (tests, non-standard installs). */
  configPath?: string;
}

export interface WriteClientEntryOptions extends ClientFileOptions {
  launch: BridgeLaunch;
  /** Timestamp for the backup's name. */
  now?: Date;
}

/** What a write did; the IPC contract's InstallResult is this plus the client id. */
export type WriteClientEntryResult = Omit<InstallResult, 'client'>;

export interface RemoveClientEntryOptions extends ClientFileOptions {
  now?: Date;
}

export interface RemoveClientEntryResult {
  path: string;
  backupPath: string | null;
  changed: boolean;
  restartHint: string;
}

export interface ClientInfo {
  id: ClientId;
  label: string;
  path: string;
  /** Whether the client's config file exists. */
  exists: boolean;
}

const MAX_ATTEMPTS = 3;
const BACKUP_MARKER = '.mcp-keyring-backup-';

/** Non-empty, no control characters; the name ends up as a JSON key the client shows to users. */
export function validateEntryName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new KeyringError('invalid-input', 'The client entry name is empty.');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) {
    throw new KeyringError('invalid-input', `The client entry name ${JSON.stringify(name)} contains control characters.`);
  }
  if (name === '__proto__') throw new KeyringError('invalid-input', 'The client entry name "__proto__" is not allowed.');
}

export function clientConfigPath(
  client: ClientId,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  homedir: string = os.homedir(),
): string {
  return clientTarget(client).configPath(platform, env, homedir);
}

function resolvePath(options: ClientFileOptions, target: ClientTarget): string {
  return options.configPath ?? target.configPath(options.platform ?? process.platform, options.env ?? process.env, options.homedir ?? os.homedir());
}

/** Our entry as the user would paste it: {"mcpServers": {"name": {...}}}. */
export function clientEntrySnippet(client: ClientId, name: string, launch: BridgeLaunch): string {
  validateEntryName(name);
  const target = clientTarget(client);
  return JSON.stringify({ [target.container]: { [name]: target.entry(launch) } }, null, 2);
}

interface LoadedFile {
  /** The path the caller knows (backups go next to it). */
  file: string;
  /** Where the bytes are: `file`, or the end of its symlink chain. */
  realFile: string;
  /** The bytes as read, or undefined for a missing file. */
  raw: Buffer | undefined;
  bom: string;
  text: string;
  root: Node | undefined;
  /** The whole document as a value ({} for a missing or empty file). */
  document: Record<string, unknown>;
  /** Our current entry, or undefined. */
  entry: unknown;
  hasEntry: boolean;
}

function ioError(action: string, file: string, error: unknown): KeyringError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : errorMessage(error);
  return new KeyringError('config-write-failed', `Could not ${action} ${file}: ${reason}.`, { cause: error });
}

async function realPathOf(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return file;
    throw ioError('read', file, error);
  }
}

async function readRaw(file: string, shownAs: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read', shownAs, error);
  }
}

function malformed(file: string, what: string): KeyringError {
  return new KeyringError('config-malformed', `${file} ${what}; left it untouched.`);
}

function describeNode(node: Node): string {
  return node.type === 'array' ? 'an array' : node.type === 'null' ? 'null' : `a ${node.type}`;
}

async function loadFile(file: string, target: ClientTarget, name: string): Promise<LoadedFile> {
  const realFile = await realPathOf(file);
  const raw = await readRaw(realFile, file);
  const format: DocumentFormat = target.format;
  if (raw === undefined) {
    return { file, realFile, raw, bom: '', text: '', root: undefined, document: {}, entry: undefined, hasEntry: false };
  }
  let decoded: string;
  try {
    // Strips a UTF-8 byte order mark; it is put back when writing.
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw malformed(file, 'is not UTF-8 text');
  }
  const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? '\uFEFF' : '';
  const { root, problems } = parseDocument(decoded, format);
  const first = problems[0];
  if (first) {
    const kind = format === 'jsonc' ? 'JSON (with comments)' : 'JSON';
    const more = problems.length > 1 ? ` and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}` : '';
    throw malformed(file, `is not valid ${kind} (line ${first.line}, column ${first.column}: ${first.message}${more})`);
  }
  if (!root) {
    return { file, realFile, raw, bom, text: decoded, root, document: {}, entry: undefined, hasEntry: false };
  }
  if (root.type !== 'object') throw malformed(file, `holds ${describeNode(root)} at the top level, not a JSON object`);
  const containers = propertiesNamed(root, target.container);
  if (containers.length > 1) throw malformed(file, `has the key "${target.container}" ${containers.length} times`);
  const containerNode = containers[0]?.children?.[1];
  let entry: unknown;
  let hasEntry = false;
  if (containerNode) {
    if (containerNode.type !== 'object') {
      throw malformed(file, `has "${target.container}" as ${describeNode(containerNode)}, not an object of servers`);
    }
    const entries = propertiesNamed(containerNode, name);
    if (entries.length > 1) throw malformed(file, `has the server "${name}" ${entries.length} times in "${target.container}"`);
    const entryNode = entries[0]?.children?.[1];
    if (entryNode) {
      entry = nodeValue(entryNode);
      hasEntry = true;
    }
  }
  return { file, realFile, raw, bom, text: decoded, root, document: nodeValue(root) as Record<string, unknown>, entry, hasEntry };
}

const REMOVE = Symbol('remove');

/** The document we mean to produce, for checking the edited text against. */
function intended(document: Record<string, unknown>, container: string, name: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(document);
  const servers = (copy[container] ?? {}) as Record<string, unknown>;
  if (value === REMOVE) delete servers[name];
  else servers[name] = value;
  if (value !== REMOVE || container in copy) copy[container] = servers;
  return copy;
}

function verify(text: string, loaded: LoadedFile, target: ClientTarget, expected: Record<string, unknown>): void {
  const { root, problems } = parseDocument(text, target.format);
  const value = root ? nodeValue(root) : {};
  if (problems.length > 0 || !isDeepStrictEqual(value, expected)) {
    // A bug in the editing, not in the file: never write such a result.
    throw new KeyringError(
      'config-write-failed',
      `Could not update ${loaded.file}: the edited file did not come out as intended; left it untouched.`,
    );
  }
}

function timestamp(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}T${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

/** Backups are 0600 whatever the original's mode: the file may hold the HTTP-bridge secret. */
async function writeBackup(loaded: LoadedFile, now: Date): Promise<string> {
  const raw = loaded.raw!;
  const mode = 0o600;
  const base = `${loaded.file}${BACKUP_MARKER}${timestamp(now)}`;
  for (let n = 1; n < 100; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      await fs.writeFile(candidate, raw, { flag: 'wx', mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw ioError('back up', loaded.file, error);
    }
    return candidate;
  }
  throw new KeyringError('config-write-failed', `Could not back up ${loaded.file}: too many backups named ${base}-*.`);
}

async function unchangedSince(loaded: LoadedFile): Promise<boolean> {
  const now = await readRaw(loaded.realFile, loaded.file);
  if (now === undefined || loaded.raw === undefined) return now === loaded.raw;
  return now.equals(loaded.raw);
}

async function commit(loaded: LoadedFile, text: string, now: Date): Promise<string | null> {
  // Refuse another user's file before anything is written (not even a backup).
  try {
    await assertOwnFile(loaded.realFile);
  } catch (error) {
    throw isKeyringError(error) ? error : ioError('write', loaded.file, error);
  }
  const backupPath = loaded.raw !== undefined ? await writeBackup(loaded, now) : null;
  try {
    await writeFileAtomic(loaded.realFile, loaded.bom + text, { mode: 0o600 });
  } catch (error) {
    throw isKeyringError(error) ? error : ioError('write', loaded.file, error);
  }
  return backupPath;
}

/** Adds or updates our entry in the client's config file. */
export async function writeClientEntry(options: WriteClientEntryOptions): Promise<WriteClientEntryResult> {
  validateEntryName(options.name);
  const target = clientTarget(options.client);
  const entry = target.entry(options.launch);
  const file = resolvePath(options, target);
  const snippet = JSON.stringify({ [target.container]: { [options.name]: entry } }, null, 2);
  const result = { path: file, snippet, restartHint: target.restartHint };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const loaded = await loadFile(file, target, options.name);
    if (loaded.hasEntry && isDeepStrictEqual(loaded.entry, entry)) {
      return { ...result, backupPath: null, created: false, changed: false };
    }
    const style = detectStyle(loaded.text);
    const text = setEntry(loaded.text, loaded.root, target.container, options.name, entry, style);
    verify(text, loaded, target, intended(loaded.document, target.container, options.name, entry));
    if (!(await unchangedSince(loaded))) continue;
    const backupPath = await commit(loaded, text, options.now ?? new Date());
    return { ...result, backupPath, created: loaded.raw === undefined, changed: true };
  }
  throw new KeyringError('config-write-failed', `Could not update ${file}: it kept changing while we edited it; try again once ${target.label} is idle.`);
}

/** Removes our entry from the client's config file; a no-op when it is not there. */
export async function removeClientEntry(options: RemoveClientEntryOptions): Promise<RemoveClientEntryResult> {
  validateEntryName(options.name);
  const target = clientTarget(options.client);
  const file = resolvePath(options, target);
  const result = { path: file, restartHint: target.restartHint };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const loaded = await loadFile(file, target, options.name);
    if (!loaded.hasEntry) return { ...result, backupPath: null, changed: false };
    const text = removeEntry(loaded.text, loaded.root, target.container, options.name);
    verify(text, loaded, target, intended(loaded.document, target.container, options.name, REMOVE));
    if (!(await unchangedSince(loaded))) continue;
    const backupPath = await commit(loaded, text, options.now ?? new Date());
    return { ...result, backupPath, changed: true };
  }
  throw new KeyringError('config-write-failed', `Could not update ${file}: it kept changing while we edited it; try again once ${target.label} is idle.`);
}

/** Our current entry in the client's config file, or undefined (no file, or no entry). */
export async function readClientEntry(options: ClientFileOptions): Promise<unknown> {
  validateEntryName(options.name);
  const target = clientTarget(options.client);
  const loaded = await loadFile(resolvePath(options, target), target, options.name);
  return loaded.hasEntry ? loaded.entry : undefined;
}

/** Every known client with its config path and whether that file exists. */
export async function listClients(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  homedir: string = os.homedir(),
): Promise<ClientInfo[]> {
  return Promise.all(
    CLIENT_IDS.map(async (id) => {
      const target = clientTarget(id);
      const file = target.configPath(platform, env, homedir);
      let exists = false;
      try {
        exists = (await fs.stat(file)).isFile();
      } catch {
        // absent or unreadable
      }
      return { id, label: target.label, path: file, exists };
    }),
  );
}

/** Backups we made of `file`, oldest first (for a "restore" or clean-up command). */
export async function listBackups(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}${BACKUP_MARKER}`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((entry) => entry.startsWith(prefix) && /^\d{8}T\d{6}(?:-\d+)?$/.test(entry.slice(prefix.length)))
    .sort()
    .map((entry) => path.join(dir, entry));
}
