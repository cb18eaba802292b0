import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { InvalidCursorError } from './errors.js';
import { csvField, csvRecord, csvStream, ndjsonStream } from './export.js';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

async function* pages<T>(...ps: T[][]): AsyncGenerator<T[]> {
  for (const p of ps) yield p;
}

describe('CSV export (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(42)).toBe('42');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvRecord(['x', 'y,z'])).toBe('x,"y,z"\r\n');
  });

  it('neutralises spreadsheet formulas unless told not to', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-1', { escapeFormulas: false })).toBe('-1');
    expect(csvField(-1)).toBe('-1');
  });

  it('streams a header and every page', async () => {
    const rows = [{ id: 'a', n: 1 }, { id: 'b,"c"', n: 2 }, { id: 'd', n: 3 }];
    const csv = await text(csvStream(pages(rows.slice(0, 2), rows.slice(2)), [{ header: 'id', value: (r) => r.id }, { header: 'n', value: (r) => r.n }]));
    expect(csv).toBe('id,n\r\na,1\r\n"b,""c""",2\r\nd,3\r\n');
    const nd = await text(ndjsonStream(pages(rows.slice(0, 1), rows.slice(1))));
    expect(nd.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(rows);
  });
});

describe('cursor', () => {
  it('round-trips and rejects what it did not produce', () => {
    expect(decodeCursor(encodeCursor({ ts: 123, id: 'ev-1' }))).toEqual({ ts: 123, id: 'ev-1' });
    expect(decodeCursor(encodeCursor({ ts: 5, id: 7 }))).toEqual({ ts: 5, id: 7 });
    for (const bad of ['', 'xyz', Buffer.from('[1]').toString('base64url'), Buffer.from('["a","b"]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});
