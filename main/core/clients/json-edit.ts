// Minimal text edits to a JSON / JSONC document: set or remove one member of one
// object, leaving every other byte of the file as it was.
//
// jsonc-parser's `modify` with formatting options re-formats whole lines around
// the edit (and a one-line file entirely), which would touch other servers and,
// in ~/.claude.json, unrelated state. So the edits are computed here from the
// parse tree, only the inserted text is formatted (with the file's own
// indentation and line endings), and jsonc-parser's `applyEdits` applies them.
import {
  applyEdits,
  createScanner,
  findNodeAtLocation,
  getNodeValue,
  parseTree,
  printParseErrorCode,
  type Edit,
  type Node,
  type ParseError,
  type ParseOptions,
} from 'jsonc-parser';

export type DocumentFormat = 'json' | 'jsonc';

export interface TextStyle {
  /** One level of indentation: '\t' or N spaces. */
  indent: string;
  eol: '\n' | '\r\n';
}

export function parseOptions(format: DocumentFormat): ParseOptions {
  return format === 'jsonc'
    ? { disallowComments: false, allowTrailingComma: true, allowEmptyContent: true }
    : { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true };
}

export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

const friendlyErrors: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name (a trailing comma?)',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected text after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in this file',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export interface ParsedDocument {
  /** undefined for an empty document (only whitespace or comments). */
  root: Node | undefined;
  problems: SyntaxProblem[];
}

export function parseDocument(text: string, format: DocumentFormat): ParsedDocument {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, parseOptions(format));
  const problems = errors.map((error) => {
    const code = printParseErrorCode(error.error);
    return { ...lineAndColumn(text, error.offset), message: friendlyErrors[code] ?? code };
  });
  return { root, problems };
}

export function propertyKey(property: Node): string | undefined {
  const key = property.children?.[0];
  return key && typeof key.value === 'string' ? key.value : undefined;
}

/** The property nodes of an object node whose key is `key` (more than one if the file repeats a key). */
export function propertiesNamed(object: Node, key: string): Node[] {
  return (object.children ?? []).filter((property) => propertyKey(property) === key);
}

/** The node's value as plain JSON data (jsonc-parser builds null-prototype objects). */
export function nodeValue(node: Node): unknown {
  const json = JSON.stringify(getNodeValue(node));
  return json === undefined ? undefined : JSON.parse(json);
}

/** The file's indentation unit and line ending, defaulting to two spaces and '\n'. */
export function detectStyle(text: string): TextStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let indent = '  ';
  // Lines that start with a property name or a bracket, not lines inside block comments.
  const indents = [...text.matchAll(/(?:^|\n)([ \t]+)["{}[\]]/g)].map((match) => match[1] ?? '');
  if (indents.length > 0) {
    if (indents[0]!.startsWith('\t')) indent = '\t';
    else {
      const widths = indents.filter((ws) => !ws.includes('\t')).map((ws) => ws.length);
      const smallest = Math.min(...widths);
      if (Number.isFinite(smallest) && smallest > 0 && smallest <= 8) indent = ' '.repeat(smallest);
    }
  }
  return { indent, eol };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the line break that ends the line holding `offset` (text.length if none). */
function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  if (newline === -1) return text.length;
  return newline > 0 && text[newline - 1] === '\r' ? newline - 1 : newline;
}

function breakLength(text: string, offset: number): number {
  if (text.startsWith('\r\n', offset)) return 2;
  return text[offset] === '\n' ? 1 : 0;
}

function leadingWhitespace(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))?.[0] ?? '';
}

function firstOnLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

/** Nothing but whitespace, or a line comment, up to the end of the line. */
function restOfLineFree(text: string, offset: number): boolean {
  return /^[ \t]*(?:\/\/.*)?$/.test(text.slice(offset, lineEnd(text, offset)));
}

function end(node: Node): number {
  return node.offset + node.length;
}

/** The first token after `offset` that is not whitespace or a comment. */
function nextToken(text: string, offset: number): { kind: number; offset: number; length: number } {
  const scanner = createScanner(text, true);
  scanner.setPosition(offset);
  for (;;) {
    const kind = scanner.scan();
    // 12: LineCommentTrivia, 13: BlockCommentTrivia
    if (kind === 12 || kind === 13) continue;
    return { kind, offset: scanner.getTokenOffset(), length: scanner.getTokenLength() };
  }
}

const COMMA_TOKEN = 5;

/**
 * Where to insert a new line after `offset`: after a comment that finishes the
 * line (so the comment stays with the line it belongs to), else at `offset`.
 */
function insertionPoint(text: string, offset: number): number {
  const stop = lineEnd(text, offset);
  const rest = text.slice(offset, stop);
  return /^[ \t]*(?:\/\/.*|\/\*(?:(?!\*\/).)*\*\/[ \t]*)?$/.test(rest) ? stop : offset;
}

function pretty(value: unknown, baseIndent: string, style: TextStyle): string {
  return JSON.stringify(value, null, style.indent).split('\n').join(style.eol + baseIndent);
}

/** Compact files (the object's members start on its `{` line) get compact insertions. */
function compactSeparators(text: string, object: Node): { colon: string; comma: string } {
  const members = object.children ?? [];
  const last = members[members.length - 1];
  const key = last?.children?.[0];
  const value = last?.children?.[1];
  const colon = key && value && /\s/.test(text.slice(end(key), value.offset)) ? ': ' : ':';
  let comma = colon === ': ' ? ', ' : ',';
  const first = members[0];
  const second = members[1];
  if (first && second) comma = /\s/.test(text.slice(end(first), second.offset)) ? ', ' : ',';
  return { colon, comma };
}

function insertMember(text: string, object: Node, key: string, value: unknown, style: TextStyle): Edit[] {
  const members = object.children ?? [];
  const last = members[members.length - 1];
  const openEnd = object.offset + 1;
  const closeStart = end(object) - 1;
  if (last) {
    const valueEnd = end(last);
    const after = nextToken(text, valueEnd);
    const trailingComma = after.kind === COMMA_TOKEN;
    const anchor = trailingComma ? after.offset + after.length : valueEnd;
    const compact = !text.slice(object.offset, last.offset).includes('\n');
    if (compact) {
      const { colon, comma } = compactSeparators(text, object);
      const member = `${JSON.stringify(key)}${colon}${JSON.stringify(value)}`;
      return [{ offset: anchor, length: 0, content: trailingComma ? `${comma.slice(1)}${member},` : `${comma}${member}` }];
    }
    const indent = leadingWhitespace(text, last.offset);
    const member = `${style.eol}${indent}${JSON.stringify(key)}: ${pretty(value, indent, style)}${trailingComma ? ',' : ''}`;
    const at = insertionPoint(text, anchor);
    if (trailingComma) return [{ offset: at, length: 0, content: member }];
    if (at === valueEnd) return [{ offset: valueEnd, length: 0, content: `,${member}` }];
    return [
      { offset: valueEnd, length: 0, content: ',' },
      { offset: at, length: 0, content: member },
    ];
  }
  const interior = text.slice(openEnd, closeStart);
  // An empty object inside a one-line file stays on one line; a bare `{}` file is laid out.
  const oneLineFile = !text.trim().includes('\n') && text.trim() !== text.slice(object.offset, end(object));
  if (oneLineFile && interior.trim() === '') {
    return [{ offset: openEnd, length: interior.length, content: `${JSON.stringify(key)}:${JSON.stringify(value)}` }];
  }
  const baseIndent = leadingWhitespace(text, object.offset);
  const indent = baseIndent + style.indent;
  const member = `${style.eol}${indent}${JSON.stringify(key)}: ${pretty(value, indent, style)}`;
  if (interior.trim() === '') {
    return [{ offset: openEnd, length: interior.length, content: `${member}${style.eol}${baseIndent}` }];
  }
  // Only comments inside: keep them, put the member first.
  return [{ offset: insertionPoint(text, openEnd), length: 0, content: member }];
}

function replaceValue(text: string, property: Node, value: unknown, style: TextStyle): Edit[] {
  const valueNode = property.children?.[1];
  if (!valueNode) throw new Error('Malformed parse tree: a property without a value.');
  const old = text.slice(valueNode.offset, end(valueNode));
  const multiline = old.includes('\n') || firstOnLine(text, property.offset);
  const content = multiline ? pretty(value, leadingWhitespace(text, property.offset), style) : JSON.stringify(value);
  return [{ offset: valueNode.offset, length: valueNode.length, content }];
}

function removeMember(text: string, object: Node, property: Node): Edit[] {
  const members = object.children ?? [];
  const index = members.indexOf(property);
  const propertyEnd = end(property);
  const after = nextToken(text, propertyEnd);
  const commaAfter = after.kind === COMMA_TOKEN ? after.offset + after.length : undefined;
  const openEnd = object.offset + 1;
  const closeStart = end(object) - 1;

  if (members.length === 1) {
    const rest = text.slice(openEnd, property.offset) + text.slice(commaAfter ?? propertyEnd, closeStart);
    if (rest.trim() === '') return [{ offset: openEnd, length: closeStart - openEnd, content: '' }];
  }
  if (commaAfter !== undefined) {
    let start = property.offset;
    let stop = commaAfter;
    // A whole line goes, with a comment that ends it (it was about this entry).
    if (firstOnLine(text, start) && restOfLineFree(text, stop)) {
      start = lineStart(text, start);
      stop = lineEnd(text, stop);
      stop += breakLength(text, stop);
    } else {
      while (text[stop] === ' ' || text[stop] === '\t') stop++;
    }
    return [{ offset: start, length: stop - start, content: '' }];
  }
  const previous = members[index - 1];
  if (previous) {
    const comma = nextToken(text, end(previous));
    if (comma.kind !== COMMA_TOKEN) throw new Error('Malformed parse tree: members without a comma between them.');
    if (firstOnLine(text, property.offset)) {
      let start = lineStart(text, property.offset);
      // Also drop the line break that ends the line before.
      start -= text.slice(0, start).endsWith('\r\n') ? 2 : 1;
      const stop = restOfLineFree(text, propertyEnd) ? lineEnd(text, propertyEnd) : propertyEnd;
      if (start >= comma.offset + comma.length) {
        return [
          { offset: comma.offset, length: comma.length, content: '' },
          { offset: start, length: stop - start, content: '' },
        ];
      }
    }
    return [{ offset: comma.offset, length: propertyEnd - comma.offset, content: '' }];
  }
  // The only member, with comments around it that stay.
  if (firstOnLine(text, property.offset)) {
    let start = lineStart(text, property.offset);
    if (start > openEnd) start -= text.slice(0, start).endsWith('\r\n') ? 2 : 1;
    const stop = restOfLineFree(text, propertyEnd) ? lineEnd(text, propertyEnd) : propertyEnd;
    return [{ offset: start, length: stop - start, content: '' }];
  }
  return [{ offset: property.offset, length: propertyEnd - property.offset, content: '' }];
}

/**
 * Sets root[container][name] = value. The document must already be known to be
 * well-formed with an object root (or empty) and an object (or absent) container,
 * each key present at most once.
 */
export function setEntry(text: string, root: Node | undefined, container: string, name: string, value: unknown, style: TextStyle): string {
  if (!root) {
    const document = pretty({ [container]: { [name]: value } }, '', style) + style.eol;
    if (text.trim() === '') return document;
    // Only comments: keep them above.
    return text + (text.endsWith('\n') ? '' : style.eol) + document;
  }
  const containerNode = findNodeAtLocation(root, [container]);
  if (!containerNode) return applyEdits(text, insertMember(text, root, container, { [name]: value }, style));
  const existing = propertiesNamed(containerNode, name)[0];
  if (existing) return applyEdits(text, replaceValue(text, existing, value, style));
  return applyEdits(text, insertMember(text, containerNode, name, value, style));
}

/** Removes root[container][name]; returns the text unchanged if it is not there. */
export function removeEntry(text: string, root: Node | undefined, container: string, name: string): string {
  if (!root) return text;
  const containerNode = findNodeAtLocation(root, [container]);
  if (!containerNode || containerNode.type !== 'object') return text;
  const existing = propertiesNamed(containerNode, name)[0];
  if (!existing) return text;
  return applyEdits(text, removeMember(text, containerNode, existing));
}
