import type { SecurityEvent } from '../../core/event.js';
import { expandIpv6 } from '../login/network-key.js';

/**
 * Features of one login for the isolation forest, in this order:
 *  0 hour of day (UTC, 0–23)      1 weekday (0 = Sunday)
 *  2–5 the four IPv4 octets (IPv6: four bytes of an FNV-1a hash of the
 *      address, so both families share one width)
 *  6 username length               7 username is alphanumeric (1/0)
 *  8 user-agent length             9 user agent contains "bot" (1/0)
 * 10 failure flag (1 for login.failure)
 */
export const FEATURE_NAMES = [
  'hour',
  'weekday',
  'ip_octet_1',
  'ip_octet_2',
  'ip_octet_3',
  'ip_octet_4',
  'username_length',
  'username_alphanumeric',
  'user_agent_length',
  'user_agent_has_bot',
  'failure',
] as const;

const ALPHANUMERIC = /^[a-z0-9]+$/i;

export function isLoginEvent(event: SecurityEvent): boolean {
  return event.kind === 'login.success' || event.kind === 'login.failure';
}

export function loginFeatures(event: SecurityEvent, out: number[] = new Array<number>(FEATURE_NAMES.length)): number[] {
  const date = new Date(event.timestamp);
  out[0] = date.getUTCHours();
  out[1] = date.getUTCDay();
  writeIpOctets(event.sourceIp, out, 2);
  const username = event.username ?? '';
  out[6] = username.length;
  out[7] = ALPHANUMERIC.test(username) ? 1 : 0;
  const agent = event.userAgent ?? '';
  out[8] = agent.length;
  out[9] = /bot/i.test(agent) ? 1 : 0;
  out[10] = event.kind === 'login.failure' ? 1 : 0;
  return out;
}

function writeIpOctets(ip: string, out: number[], at: number): void {
  if (!ip.includes(':')) {
    const parts = ip.split('.');
    for (let i = 0; i < 4; i++) out[at + i] = Number(parts[i] ?? 0) || 0;
    return;
  }
  const groups = expandIpv6(ip);
  const text = groups === undefined ? ip : groups.join(':');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  for (let i = 0; i < 4; i++) out[at + i] = (hash >>> (24 - 8 * i)) & 0xff;
}
