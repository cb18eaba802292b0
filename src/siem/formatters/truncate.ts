/**
 * Length limits for SIEM fields. Formats cap field lengths (CEF `msg` 1023,
 * `externalId` 40, syslog APP-NAME 48, RFC 3164 messages 1024 octets, …);
 * hostile input (a 1 MB user agent) must not produce an unparseable record.
 *
 * How we cut: never in the middle of a character (a surrogate pair or a
 * multi-byte UTF-8 sequence), and a cut value ends with `…` (U+2026) so an
 * analyst can see it was cut. Cutting happens before escaping, so an escape
 * sequence is never split.
 */

export const ELLIPSIS = '\u2026';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replace unpaired surrogates (not encodable as UTF-8) with U+FFFD, as String.prototype.toWellFormed does. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** At most `max` code points; a cut value keeps `max - 1` code points and ends with `…`. */
export function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text; // UTF-16 length >= code point count
  let count = 0;
  let i = 0;
  // Find the UTF-16 index after `max - 1` code points, and check there are more than `max` in all.
  let cutAt = -1;
  while (i < text.length) {
    if (count === max - 1) cutAt = i;
    const code = text.charCodeAt(i);
    i += code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? 2 : 1;
    count++;
    if (count > max) return text.slice(0, cutAt) + ELLIPSIS;
  }
  return text;
}

/** Size in UTF-8 bytes. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** At most `maxBytes` UTF-8 bytes, cut on a character boundary, ending with `…` (3 bytes) when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - 3);
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i) as number;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > budget) break;
    bytes += size;
    i += code >= 0x10000 ? 2 : 1;
  }
  return maxBytes >= 3 ? text.slice(0, i) + ELLIPSIS : text.slice(0, i);
}
