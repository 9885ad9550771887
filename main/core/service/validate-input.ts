// Input checks for the window's requests: they come from a renderer, so nothing is
// taken on trust. Each failure is an 'invalid-input' error naming the field.
import type { AppSettings } from '../../../shared/ipc-contract';
import { ServerAuthSchema, type ServerAuth } from '../../../shared/server-config';
import { KeyringError } from '../errors';

export function invalid(message: string): KeyringError {
  return new KeyringError('invalid-input', message);
}

/** The request as an object, or an error naming which request was malformed. */
export function record(request: unknown, what: string): Record<string, unknown> {
  if (!request || typeof request !== 'object' || Array.isArray(request)) throw invalid(`The ${what} request is malformed.`);
  return request as Record<string, unknown>;
}

export function text(value: unknown, field: string, options: { optional?: boolean } = {}): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (options.optional) return undefined;
    throw invalid(`${field} is missing.`);
  }
  if (typeof value !== 'string') throw invalid(`${field} must be text.`);
  return value;
}

export function serverId(request: unknown): string {
  return text(record(request, 'server').id, 'The server id')!;
}

export function parseAuth(value: unknown): ServerAuth | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = ServerAuthSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw invalid(`The sign-in settings are not valid (${where}${issue?.message ?? 'unexpected shape'}).`);
  }
  return parsed.data;
}

/** Only http(s) links are ever opened. */
export function httpUrl(value: unknown): string {
  const url = text(value, 'The link')!;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`"${url}" is not a valid link.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(`Only http:// and https:// links can be opened, not ${parsed.protocol}// links.`);
  }
  return parsed.href;
}

const SETTING_KEYS: ReadonlyArray<keyof AppSettings> = ['startAtLogin'];

export function settingsPatch(request: unknown): Partial<AppSettings> {
  const input = record(request, 'settings');
  const patch: Partial<AppSettings> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) throw invalid(`Unknown setting "${key}".`);
    if (typeof value !== 'boolean') throw invalid(`The setting "${key}" is on or off (true or false).`);
    patch[key as keyof AppSettings] = value;
  }
  return patch;
}
