// Text from a server (error_description, metadata names, scopes, response
// bodies) is shown in a terminal and in the window. Raw, it could carry terminal
// escape sequences (clear the screen, fake a "Connected" line, set the window
// title, write to the clipboard via OSC 52), bidi overrides that reorder what is
// read, or a megabyte of text. Everything shown goes through here first. Pure,
// no imports: the renderer may use it too.

/** The longest piece of server text shown (RFC 6749 error_description is meant to be one sentence). */
export const SERVER_TEXT_MAX = 300;
/** The longest whole message shown (our own words plus a few capped server pieces). */
export const MESSAGE_MAX = 2_000;

// ESC-introduced sequences, 7-bit and their 8-bit (C1) forms, removed whole so no
// parameter bytes remain visible: CSI (ESC [ / 0x9B), OSC/DCS/SOS/PM/APC strings up
// to their terminator (BEL or ST), and any other two-byte ESC sequence.
const ESCAPE_SEQUENCES = new RegExp(
  [
    '(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?',
    '(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?',
    '\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?',
  ].join('|'),
  'g',
);
// Line breaks and tabs become a space (server text is shown on one line).
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// What is left of C0, DEL and C1; bidi embeddings, overrides and isolates (U+202A–202E,
// U+2066–2069), marks (U+200E/200F, U+061C); zero-width and BOM characters that hide text.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

function strip(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(BREAKS, ' ').replace(INVISIBLE, '');
}

function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Never cut a surrogate pair in half.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * One line of server-supplied text, safe to show: no control characters, escape
 * sequences or bidi controls, whitespace runs collapsed, at most `max` characters
 * (an ellipsis marks a cut). Non-strings become '' (a JSON field that is not text).
 */
export function displayText(value: unknown, max = SERVER_TEXT_MAX): string {
  if (typeof value !== 'string') return '';
  // Only the head can be shown: bound the work on a huge value.
  const head = value.length > max * 8 + 64 ? value.slice(0, max * 8 + 64) : value;
  return cap(strip(head).replace(/ {2,}/g, ' ').trim(), max);
}

/**
 * The last line of defence before a terminal or a page: like displayText, but keeps
 * our own line breaks (multi-line usage text, a URL on its own line) and indentation.
 */
export function displayLines(text: string, max = 20_000): string {
  const head = text.length > max ? cap(text, max) : text;
  return head
    .split('\n')
    .map((line) => strip(line))
    .join('\n');
}
