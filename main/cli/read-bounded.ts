// Reads a piped credential (a PEM key, an ID token) from standard input, up to a
// size no real one comes near: a runaway pipe ends with a clear error instead of
// filling memory. Never from argv or the environment.
import { KeyringError } from '../core/errors';

export const MAX_CREDENTIAL_BYTES = 16 * 1024;

export async function readPipedCredential(what: string, input: NodeJS.ReadStream = process.stdin, maxBytes = MAX_CREDENTIAL_BYTES): Promise<string> {
  if (input.isTTY) throw new KeyringError('invalid-input', `Pipe the ${what} into standard input (e.g. \`… < file\`).`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      input.destroy();
      throw new KeyringError('invalid-input', `The ${what} on standard input is larger than ${maxBytes / 1024} KiB; that is not a ${what}.`);
    }
    chunks.push(Buffer.from(chunk as Buffer));
  }
  const value = Buffer.concat(chunks).toString('utf8').trim();
  if (!value) throw new KeyringError('invalid-input', `Expected the ${what} on standard input, but it was empty.`);
  return value;
}
