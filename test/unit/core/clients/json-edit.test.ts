import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectStyle, nodeValue, parseDocument, removeEntry, setEntry } from '../../../../main/core/clients/json-edit';

// A small deterministic PRNG so failures can be replayed.
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function parsed(text: string, format: 'json' | 'jsonc' = 'json') {
  const { root, problems } = parseDocument(text, format);
  assert.deepEqual(problems, [], text);
  return { root, value: root ? (nodeValue(root) as Record<string, unknown>) : {} };
}

test('detectStyle', () => {
  assert.deepEqual(detectStyle(''), { indent: '  ', eol: '\n' });
  assert.deepEqual(detectStyle('{\n    "a": 1\n}'), { indent: '    ', eol: '\n' });
  assert.deepEqual(detectStyle('{\r\n\t"a": {\r\n\t\t"b": 1\r\n\t}\r\n}'), { indent: '\t', eol: '\r\n' });
  assert.deepEqual(detectStyle('{\n  /*\n   * x\n   */\n  "a": 1\n}'), { indent: '  ', eol: '\n' });
});

test('set then remove: the document means the intended thing, and removal restores the text', () => {
  const random = rng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const entry = { command: '/n', args: ['/b.mjs', 'x'], env: { A: '1' } };
  for (let i = 0; i < 400; i++) {
    const servers: Record<string, unknown> = {};
    const shape = pick(['before', 'after', 'only', 'none']);
    const count = shape === 'none' ? 0 : Math.floor(random() * 4);
    for (let s = 0; s < count; s++) servers[`s${s}`] = pick([{ command: 'c' }, { url: 'https://x', headers: { a: 'b' } }, {}, [], 1]);
    const document: Record<string, unknown> = {};
    if (shape === 'before' || shape === 'after') document.numStartups = 3;
    if (shape !== 'none') document.mcpServers = servers;
    if (shape === 'before') document.projects = { '/p': { mcpServers: { x: {} } } };
    if (shape === 'none') document.other = [1, { two: 2 }];
    const indent = pick([0, 2, 4, '\t'] as const);
    let text = JSON.stringify(document, null, indent);
    if (random() < 0.5) text += indent === 0 ? '' : '\n';
    if (random() < 0.3) text = text.replaceAll('\n', '\r\n');

    const before = parsed(text);
    const style = detectStyle(text);
    const added = setEntry(text, before.root, 'mcpServers', 'kr', entry, style);
    const after = parsed(added);
    assert.deepEqual(after.value, { ...document, mcpServers: { ...servers, kr: entry } }, `case ${i}: ${text}`);
    if (indent !== 0) {
      // Multi-line documents: our entry is laid out like the rest of the file.
      assert.equal(added.includes('\r\n'), text.includes('\r\n'));
      if (text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(added), `case ${i}: stray LF`);
    } else {
      assert.ok(!added.includes('\n'), `case ${i}: a one-line file stays one line`);
    }
    // Setting the same entry again changes nothing but that entry's text.
    const again = setEntry(added, after.root, 'mcpServers', 'kr', entry, detectStyle(added));
    assert.equal(again, added, `case ${i}: idempotent`);

    const removed = removeEntry(added, after.root, 'mcpServers', 'kr');
    const back = parsed(removed);
    const expected = shape === 'none' ? { ...document, mcpServers: {} } : document;
    assert.deepEqual(back.value, expected, `case ${i}`);
    if (shape !== 'none' && count > 0) assert.equal(removed, text, `case ${i}: removal restores the original text`);
  }
});

test('JSONC: trailing commas stay trailing commas', () => {
  const text = '{\n  "servers": {\n    "a": 1,\n  },\n}\n';
  const { root } = parsed(text, 'jsonc');
  const added = setEntry(text, root, 'servers', 'kr', { url: 'u' }, detectStyle(text));
  assert.equal(added, '{\n  "servers": {\n    "a": 1,\n    "kr": {\n      "url": "u"\n    },\n  },\n}\n');
  const again = parsed(added, 'jsonc');
  assert.equal(removeEntry(added, again.root, 'servers', 'kr'), text);
});

test('JSONC: a file holding only a comment gets the object below it', () => {
  const text = '// nothing yet';
  const { root } = parsed(text, 'jsonc');
  assert.equal(root, undefined);
  const added = setEntry(text, root, 'servers', 'kr', { url: 'u' }, detectStyle(text));
  assert.equal(added, '// nothing yet\n{\n  "servers": {\n    "kr": {\n      "url": "u"\n    }\n  }\n}\n');
});

test('replacing an entry written on one line inside a multi-line file', () => {
  const text = '{\n  "mcpServers": {\n    "kr": {"command": "old"},\n    "b": {}\n  }\n}';
  const { root } = parsed(text);
  const out = setEntry(text, root, 'mcpServers', 'kr', { command: 'new' }, detectStyle(text));
  assert.equal(out, '{\n  "mcpServers": {\n    "kr": {\n      "command": "new"\n    },\n    "b": {}\n  }\n}');
});

test('JSONC with comments on random lines: meaning is right and every comment survives an insertion', () => {
  const random = rng(7);
  const entry = { type: 'stdio', command: '/n', args: ['/b.mjs'] };
  for (let i = 0; i < 300; i++) {
    const servers: Record<string, unknown> = {};
    const count = Math.floor(random() * 4);
    for (let s = 0; s < count; s++) servers[`s${s}`] = random() < 0.5 ? { url: 'u' } : {};
    const hasServers = random() < 0.8;
    const document = hasServers ? { inputs: [], servers } : { inputs: [] };
    const finalServers = hasServers ? servers : {};
    const lines = JSON.stringify(document, null, random() < 0.5 ? 2 : '\t').split('\n');
    let n = 0;
    const text = lines
      .map((line) => {
        const roll = random();
        if (roll < 0.25) return `${line} // c${n++}`;
        if (roll < 0.35) return `${line} /* c${n++} */`;
        if (roll < 0.45) return `// c${n++}\n${line}`;
        return line;
      })
      .join('\n');
    const before = parsed(text, 'jsonc');
    const added = setEntry(text, before.root, 'servers', 'kr', entry, detectStyle(text));
    const after = parsed(added, 'jsonc');
    assert.deepEqual(after.value, { ...document, servers: { ...finalServers, kr: entry } }, `case ${i}:\n${text}\n---\n${added}`);
    for (let c = 0; c < n; c++) assert.ok(added.includes(`c${c}`), `case ${i}: comment c${c} lost`);
    const removed = removeEntry(added, after.root, 'servers', 'kr');
    assert.deepEqual(parsed(removed, 'jsonc').value, { ...document, servers: finalServers }, `case ${i}:\n${added}\n---\n${removed}`);
  }
});
