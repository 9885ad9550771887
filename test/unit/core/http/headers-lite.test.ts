// HeadersLite (main/core/http/headers-lite.ts) against the Fetch standard's Headers rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadersLite } from '../../../../main/core/http/headers-lite';

describe('HeadersLite', () => {
  test('names are case-insensitive; get joins repeated values; set replaces; delete removes', () => {
    const headers = new HeadersLite();
    headers.append('Accept', 'text/html');
    headers.append('ACCEPT', 'application/json');
    assert.equal(headers.get('accept'), 'text/html, application/json');
    assert.equal(headers.has('AcCePt'), true);
    headers.set('accept', 'text/event-stream');
    assert.equal(headers.get('Accept'), 'text/event-stream');
    headers.delete('ACCEPT');
    assert.equal(headers.has('accept'), false);
    assert.equal(headers.get('accept'), null);
    headers.delete('not-there');
  });

  test('iteration: sorted lowercase names, values combined, set-cookie one by one', () => {
    const headers = new HeadersLite([
      ['X-B', '2'],
      ['Set-Cookie', 'a=1; Path=/'],
      ['x-a', '1'],
      ['x-b', '3'],
      ['set-cookie', 'b=2, c=3'],
    ]);
    assert.deepEqual(
      [...headers],
      [
        ['set-cookie', 'a=1; Path=/'],
        ['set-cookie', 'b=2, c=3'],
        ['x-a', '1'],
        ['x-b', '2, 3'],
      ],
    );
    assert.deepEqual([...headers.entries()], [...headers]);
    assert.deepEqual([...headers.keys()], ['set-cookie', 'set-cookie', 'x-a', 'x-b']);
    assert.deepEqual([...headers.values()], ['a=1; Path=/', 'b=2, c=3', '1', '2, 3']);
    assert.deepEqual(headers.getSetCookie(), ['a=1; Path=/', 'b=2, c=3']);
    assert.equal(headers.get('set-cookie'), 'a=1; Path=/, b=2, c=3');
    assert.deepEqual(new HeadersLite().getSetCookie(), []);
    const seen: Array<[string, string, boolean]> = [];
    const self = {};
    headers.forEach(function (this: unknown, value, key, parent) {
      seen.push([key, value, parent === headers && this === self]);
    }, self);
    assert.deepEqual(seen, [
      ['set-cookie', 'a=1; Path=/', true],
      ['set-cookie', 'b=2, c=3', true],
      ['x-a', '1', true],
      ['x-b', '2, 3', true],
    ]);
    assert.equal(Object.prototype.toString.call(headers), '[object Headers]');
  });

  test('constructs from records, pairs, Maps, HeadersLite and any iterable Headers (no instanceof)', () => {
    assert.deepEqual([...new HeadersLite({ 'Content-Type': 'a/b', 'X-Y': 'z' })], [['content-type', 'a/b'], ['x-y', 'z']]);
    assert.deepEqual([...new HeadersLite(new Map([['A', '1']]))], [['a', '1']]);
    const original = new HeadersLite([['a', '1'], ['a', '2']]);
    const copy = new HeadersLite(original);
    copy.append('a', '3');
    assert.equal(original.get('a'), '1, 2');
    assert.equal(copy.get('a'), '1, 2, 3');
    // A foreign Headers-like object: iterable of pairs, like undici's Headers.
    const foreign = {
      *[Symbol.iterator](): Generator<[string, string]> {
        yield ['x-foreign', 'yes'];
      },
    };
    assert.equal(new HeadersLite(foreign).get('x-foreign'), 'yes');
    // And undici's real Headers (this test process may load undici; the bridge never does).
    const undiciHeaders = new globalThis.Headers([['x-undici', '1']]);
    undiciHeaders.append('set-cookie', 'a=1');
    undiciHeaders.append('set-cookie', 'b=2');
    const fromUndici = new HeadersLite(undiciHeaders);
    assert.equal(fromUndici.get('x-undici'), '1');
    assert.deepEqual(fromUndici.getSetCookie(), ['a=1', 'b=2']);
    // And the other way round: undici accepts HeadersLite as HeadersInit.
    assert.equal(new globalThis.Headers(fromUndici).get('x-undici'), '1');
    assert.deepEqual({ ...Object.fromEntries(new HeadersLite({ A: '1' })) }, { a: '1' });
    assert.deepEqual([...new HeadersLite(undefined)], []);
    assert.deepEqual([...new HeadersLite(null)], []);
  });

  test('validation: invalid names, values with CR/LF/NUL or beyond latin-1, and malformed pairs throw TypeError', () => {
    const headers = new HeadersLite();
    for (const name of ['', 'a b', 'a:b', 'é', 'a\nb', '(x)']) {
      assert.throws(() => headers.append(name, 'v'), TypeError, `name ${JSON.stringify(name)}`);
      assert.throws(() => headers.set(name, 'v'), TypeError);
      assert.throws(() => headers.get(name), TypeError);
    }
    for (const value of ['a\r\nb', 'a\nb', 'a\rb', 'a\0b', 'snow ☃']) {
      assert.throws(() => headers.append('x', value), TypeError, `value ${JSON.stringify(value)}`);
      assert.throws(() => headers.set('x', value), TypeError);
    }
    assert.throws(() => new HeadersLite([['a', '1', '2']] as unknown as string[][]), TypeError);
    assert.throws(() => new HeadersLite([['a']] as unknown as string[][]), TypeError);
    assert.throws(() => new HeadersLite({ 'bad name': 'x' }), TypeError);
    assert.throws(() => new HeadersLite('a: b' as unknown as Record<string, string>), TypeError);
  });

  test('values are trimmed of leading/trailing HTTP whitespace; inner whitespace and latin-1 are kept', () => {
    const headers = new HeadersLite({ a: ' \t x  y \n', b: 'café' });
    assert.equal(headers.get('a'), 'x  y');
    assert.equal(headers.get('b'), 'café');
    headers.set('c', '\r\n');
    assert.equal(headers.get('c'), '');
  });
});
