import fc from 'fast-check';

/** Byte soup decoded as UTF-8 (invalid sequences become U+FFFD) or Latin-1 (every byte a char, NULs included). */
export const decodedBytes = fc
  .tuple(fc.uint8Array({ maxLength: 512 }), fc.boolean())
  .map(([bytes, utf8]) => Buffer.from(bytes).toString(utf8 ? 'utf8' : 'latin1'));

/** Any string, any code unit (lone surrogates, NUL, control characters). */
export const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary-ascii', maxLength: 300 }),
  decodedBytes,
);

/** A valid line with random edits: characters inserted, deleted or replaced at random places. */
export function mutated(samples: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat(),
    del: fc.nat({ max: 8 }),
    insert: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom('"', '\\', '{', '}', '[', ']', ':', ',', ' ', '\u0000', '\uFFFD', '\uD800', '-', '.', '=', ';', '%', '\n', '\r', '\t', '9', '999999999999999999999'),
    ),
  });
  return fc.tuple(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([line, edits]) => {
    let s = line;
    for (const e of edits) {
      const at = s.length === 0 ? 0 : e.at % (s.length + 1);
      s = s.slice(0, at) + e.insert + s.slice(at + e.del);
    }
    return s;
  });
}

/** Very long lines: one piece of a sample (or a character) repeated up to ~300k characters. */
export const hugeLine = fc
  .tuple(fc.constantFrom('a', ' ', '"', '{', '[', '\\', '0', 'Failed password for ', '\u0000', '\uFFFD'), fc.integer({ min: 1000, max: 300_000 }))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));

/** Deeply nested JSON arrays/objects (valid or cut short). */
export const deepJson = fc
  .tuple(fc.integer({ min: 100, max: 100_000 }), fc.boolean(), fc.boolean())
  .map(([depth, objects, closed]) =>
    objects ? '{"a":'.repeat(depth) + '1' + (closed ? '}'.repeat(depth) : '') : '['.repeat(depth) + (closed ? ']'.repeat(depth) : ''),
  );

/** JSON records with the right keys and wrong types or odd values. */
export function wrongTypes(keys: readonly string[]): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.constantFrom('', ' ', 'null', '1e999', '-0', 'NaN', '\u0000', '2026-13-45T99:99:99Z', '::ffff:999.1.1.1', '203.0.113.5', 'LOGIN_FAILURE'),
    fc.double(),
    fc.integer(),
  );
  return fc
    .dictionary(fc.constantFrom(...keys), value, { maxKeys: keys.length })
    .map((record) => JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null');
}

/** Everything a line-oriented parser might meet. */
export function lineInputs(samples: readonly string[], keys: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: mutated(samples) },
    { weight: 3, arbitrary: anyText },
    { weight: 2, arbitrary: wrongTypes(keys) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom(...samples) },
  );
}
