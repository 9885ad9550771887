// The app's log: one line per event in <data dir>/logs/app.log (and stderr), every
// line through redact() first, so a message that carried a token would still not
// write it. The file is cut back to its last half when it passes 1 MB.
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors';
import { redact } from '../core/redact';

const MAX_BYTES = 1024 * 1024;

export interface AppLog {
  info(message: string): void;
  error(message: string, error?: unknown): void;
  readonly file: string;
}

export function createAppLog(logDir: string, options: { stderr?: boolean } = {}): AppLog {
  const file = path.join(logDir, 'app.log');
  let ready = false;
  const write = (level: 'info' | 'error', message: string): void => {
    const line = `${new Date().toISOString()} ${level} ${redact(message).replace(/[\r\n]+/g, ' ')}\n`;
    if (options.stderr ?? true) process.stderr.write(line);
    try {
      if (!ready) {
        fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
        ready = true;
      }
      const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
      if (size > MAX_BYTES) {
        const keep = fs.readFileSync(file).subarray(size - MAX_BYTES / 2);
        const start = keep.indexOf(0x0a) + 1;
        fs.writeFileSync(file, keep.subarray(start), { mode: 0o600 });
      }
      fs.appendFileSync(file, line, { mode: 0o600 });
    } catch {
      // Logging must never take the app down.
    }
  };
  return {
    file,
    info: (message) => write('info', message),
    error: (message, error) => write('error', error === undefined ? message : `${message}: ${errorMessage(error)}`),
  };
}
