/**
 * Every regular expression the web classifier runs on untrusted input lives
 * here, so the ReDoS guard test can exercise all of them. Hot paths use
 * hand-written scanners instead; keep this list short, and keep each pattern
 * free of nested or overlapping quantifiers.
 */

/** `{cat,/etc/passwd}`: bash brace expansion used to avoid spaces. */
export const BRACE_EXPANSION = /\{([a-z0-9_./-]{1,64}),([^{}\s]{1,200})\}/gu;

/** A value that could be base64 (checked before trying to decode it). */
export const BASE64_VALUE = /^[A-Za-z0-9+/]{8,}={0,2}$/u;

/** All of the above, for the ReDoS guard. */
export const WEB_PATTERNS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'BRACE_EXPANSION', pattern: BRACE_EXPANSION },
  { name: 'BASE64_VALUE', pattern: BASE64_VALUE },
];
