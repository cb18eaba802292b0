/**
 * `s` without its trailing slashes. A loop, not `/\/+$/`: that regex is
 * quadratic on a long run of slashes that does not end the string (it retries
 * the run from every start position), and one caller trims a request's
 * Origin header, which an attacker controls.
 */
export function trimTrailingSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 47 /* / */) end--;
  return end === s.length ? s : s.slice(0, end);
}
