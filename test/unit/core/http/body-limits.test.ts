// Event boundaries as the body meter sees them (main/core/http/body-limits.ts),
// against a byte-by-byte reading of the SSE spec.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BodyMeter } from '../../../../main/core/http/body-limits';

describe('event boundaries (BodyMeter)', () => {
  test('finds where events begin and end like the SSE parser (LF, CR, CRLF, split anywhere)', () => {
    // Reference: byte by byte, the way the SSE spec reads lines; an event ends at an empty line after content.
    const reference = (text: string): string => {
      let out = '';
      let line = 0;
      let since = 0;
      let afterCR = false;
      for (const ch of text) {
        if (ch === '\n' && afterCR) {
          afterCR = false;
          continue;
        }
        afterCR = ch === '\r';
        if (ch === '\n' || ch === '\r') {
          if (line === 0 && since > 0) {
            since = 0;
            out += 'e';
          }
          line = 0;
        } else {
          if (since === 0) out += 'b';
          line++;
          since++;
        }
      }
      return out;
    };
    const limits = { maxBodyBytes: 1, maxEventBytes: 1 << 20, maxInflateRatio: 100, inflateGraceBytes: 1 };
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: 1 + random(60) }, () => ['a', 'b', '\n', '\r', ' '][random(5)]).join('');
      let seen = '';
      const meter = new BodyMeter(limits, 'http://x', true, false, { begun: () => (seen += 'b'), ended: () => (seen += 'e') });
      const data = Buffer.from(text);
      for (let at = 0; at < data.length; ) {
        const size = 1 + random(8);
        assert.equal(meter.check(data.subarray(at, at + size)), undefined);
        at += size;
      }
      assert.equal(seen, reference(text), JSON.stringify(text));
    }
  });
});
