// A process that holds a lock and can be frozen (SIGSTOP) like a laptop that went
// to sleep mid-refresh. Prints "held" once it holds the lock; on "check" (a line on
// standard input) it asks whether it still holds it and prints "still held" or the
// error's message, then releases and exits.
import readline from 'node:readline';
import { withFileLock } from '../../main/core/fs/file-lock';

const target = process.argv[2]!;
await withFileLock(
  target,
  async (lock) => {
    process.stdout.write('held\n');
    for await (const line of readline.createInterface({ input: process.stdin })) {
      if (line.trim() !== 'check') continue;
      try {
        await lock.assertHeld();
        process.stderr.write('still held\n');
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
      }
      break;
    }
  },
  { staleMs: 600, updateMs: 200 },
);
