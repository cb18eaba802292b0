/**
 * Event time stamps on input: epoch milliseconds (number) or an ISO-8601 /
 * RFC 3339 string. Returns NaN when the value is neither.
 */
export function parseTimestamp(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string') {
    // Date.parse accepts many shapes; insist on a leading YYYY-MM-DD so that
    // "1" or "Tuesday" are not silently turned into a date.
    if (value.length < 10 || value.charCodeAt(4) !== 45 /* - */ || value.charCodeAt(7) !== 45) {
      return Number.NaN;
    }
    // A date-time without a zone is taken as UTC (Date.parse would use the host's zone).
    if (value.length > 10 && !hasZone(value)) return Date.parse(value + 'Z');
    return Date.parse(value);
  }
  return Number.NaN;
}

function hasZone(value: string): boolean {
  const last = value.charCodeAt(value.length - 1);
  if (last === 90 /* Z */ || last === 122 /* z */) return true;
  // An offset (+hh:mm, -hhmm) can only appear after the time part.
  for (let i = 11; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 43 /* + */ || c === 45 /* - */) return true;
  }
  return false;
}
