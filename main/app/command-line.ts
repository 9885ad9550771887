// One command (program, arguments, extra environment) written as a single shell
// command line, for config settings that hold a line a client hands to its shell:
// Claude Code's `headersHelper`. Pure, so both dialects are unit-tested anywhere.
//
// POSIX sh (macOS, Linux): `NAME='value' … '/path/to/program' 'arg' …`, every word
// that is not plainly safe in single quotes ('\'' for a quote inside).
//
// Windows cmd.exe: `set "NAME=value" && … && "C:\path\program.exe" "arg" …`.
// cmd has no inline environment assignment, so `set` comes first (the variables
// live only in that one cmd process). Inside double quotes cmd takes & | < > ^
// literally; the program then splits its command line by the C runtime's rules,
// so backslashes before a closing quote are doubled. A double quote or a percent
// sign (cmd expands %NAME% even inside quotes) cannot be written safely: such a
// value is refused rather than quoted wrongly.
import { KeyringError } from '../core/errors';

export interface CommandSpec {
  /** Absolute path of the program. */
  command: string;
  args: string[];
  /** Extra environment for the program (only these; the rest is inherited). */
  env?: Record<string, string>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SH_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const CMD_SAFE = /^[A-Za-z0-9_.-]+$/;

function checkName(name: string): void {
  if (!ENV_NAME.test(name)) throw new KeyringError('invalid-input', `"${name}" is not a valid environment variable name.`);
}

function checkNoNul(word: string): void {
  if (word.includes('\0')) throw new KeyringError('invalid-input', 'A command line cannot contain a NUL character.');
}

function singleQuoted(word: string): string {
  checkNoNul(word);
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One word for POSIX sh: as it is when plainly safe, else in single quotes. */
export function shQuote(word: string): string {
  if (word !== '' && SH_SAFE.test(word)) return word;
  return singleQuoted(word);
}

function checkCmdText(word: string): void {
  checkNoNul(word);
  // eslint-disable-next-line no-control-regex
  if (/["%\r\n\u0000-\u001f]/.test(word)) {
    throw new KeyringError(
      'invalid-input',
      `${JSON.stringify(word)} contains a character (a double quote, %, or a control character) that cannot be written safely in a Windows command line.`,
    );
  }
}

/** One argument for cmd.exe and the C runtime's argument splitting: as it is when plainly safe, else in double quotes. */
export function cmdQuote(word: string): string {
  checkCmdText(word);
  if (word !== '' && CMD_SAFE.test(word)) return word;
  // Backslashes are literal except before a quote: the closing quote must not be escaped.
  return `"${word.replace(/(\\+)$/, '$1$1')}"`;
}

/** `set "NAME=value"`: cmd itself parses this, taking everything between the quotes literally. */
function cmdSet(name: string, value: string): string {
  checkName(name);
  checkCmdText(value);
  return `set "${name}=${value}"`;
}

/** The command as one line for `platform`'s shell: cmd.exe on Windows, POSIX sh elsewhere. */
export function shellCommandLine(spec: CommandSpec, platform: NodeJS.Platform): string {
  const env = Object.entries(spec.env ?? {});
  if (platform === 'win32') {
    const run = [spec.command, ...spec.args].map(cmdQuote).join(' ');
    return [...env.map(([name, value]) => cmdSet(name, value)), run].join(' && ');
  }
  const assignments = env.map(([name, value]) => {
    checkName(name);
    return `${name}=${shQuote(value)}`;
  });
  // A bare first word with "=" would read as one more assignment: quote it.
  const command = spec.command.includes('=') ? singleQuoted(spec.command) : shQuote(spec.command);
  return [...assignments, command, ...spec.args.map(shQuote)].join(' ');
}
