// Files are replaced, never rewritten in place: a crash or a full disk leaves
// either the old file or the new one, never half of each.
//
// What we write may hold a secret (a client config with the HTTP-bridge secret), so:
// the result always gets the mode asked for (default 0600), whatever mode the old
// file had; the temp file is created exclusively (O_EXCL: a planted file or symlink
// at its name is never followed or reused); and a file owned by another user is not
// replaced (that would take it over, with our mode and our owner).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { KeyringError } from '../errors';

export interface AtomicWriteOptions {
  /** Mode of the written file, new or replaced (default 0o600). */
  mode?: number;
  /** Name part of the first temp file to try (tests plant files there); later tries are random. */
  tempSuffix?: string;
}

const TEMP_ATTEMPTS = 5;

/** Refuses to replace `file` if another user owns it (POSIX only; a missing file is fine). */
export async function assertOwnFile(file: string): Promise<void> {
  if (typeof process.getuid !== 'function') return;
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const uid = process.getuid();
  if (stat.uid !== uid) {
    throw new KeyringError(
      'config-write-failed',
      `${file} belongs to another user (uid ${stat.uid}, you are uid ${uid}); MCP Keyring does not replace other users' files. Change its owner or remove it, then try again.`,
    );
  }
}

export async function writeFileAtomic(file: string, data: string, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  await assertOwnFile(file);
  const mode = options.mode ?? 0o600;
  let temp = '';
  let handle: fs.FileHandle | undefined;
  for (let attempt = 0; !handle; attempt++) {
    const suffix = attempt === 0 && options.tempSuffix ? options.tempSuffix : `${process.pid}.${randomBytes(6).toString('hex')}`;
    temp = path.join(dir, `.${path.basename(file)}.${suffix}.tmp`);
    try {
      handle = await fs.open(temp, 'wx', mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt + 1 >= TEMP_ATTEMPTS) throw error;
    }
  }
  try {
    try {
      await handle.chmod(mode); // the umask may have narrowed (or a caller widened) it
    } catch {
      // best effort (e.g. Windows)
    }
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Reads a file, or returns undefined when it does not exist. */
export async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
