/**
 * A deterministic synthetic login stream: benign users who mostly succeed and
 * sometimes mistype, and brute-force attackers (≥ threshold failures within a
 * few minutes). Used by the replay/live equivalence test and the bench.
 */
export interface SyntheticOptions {
  events: number;
  ips: number;
  attackers: number;
  seed: number;
  start: number;
  /** Average gap between events, ms. */
  gapMs: number;
}

export interface SyntheticStream {
  lines: string[];
  attackerIps: string[];
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function ipFor(index: number): string {
  // 100.64.0.0/10 is shared address space: never a real victim, easy to spot.
  return `100.${64 + ((index >>> 16) & 63)}.${(index >>> 8) & 255}.${index & 255}`;
}

export function syntheticLogins(options: SyntheticOptions): SyntheticStream {
  const random = prng(options.seed);
  const lines: string[] = [];
  const attackerIps: string[] = [];
  const attackerEvery = Math.max(1, Math.floor(options.events / Math.max(1, options.attackers)));
  let t = options.start;
  let attacker = 0;
  while (lines.length < options.events) {
    t += Math.floor(random() * options.gapMs * 2);
    if (attacker < options.attackers && lines.length >= attacker * attackerEvery) {
      const ip = ipFor(options.ips + attacker);
      attackerIps.push(ip);
      attacker++;
      const tries = 6 + Math.floor(random() * 10);
      for (let i = 0; i < tries && lines.length < options.events; i++) {
        lines.push(
          JSON.stringify({
            eventType: 'LOGIN_FAILURE',
            timestamp: t + i * 2000,
            sourceIp: ip,
            username: `victim${Math.floor(random() * 50)}`,
            reason: 'INVALID_PASSWORD',
            userAgent: 'python-requests/2.31',
          }),
        );
      }
      continue;
    }
    const user = Math.floor(random() * options.ips);
    const failed = random() < 0.05;
    lines.push(
      JSON.stringify({
        eventType: failed ? 'LOGIN_FAILURE' : 'LOGIN_SUCCESS',
        timestamp: t,
        sourceIp: ipFor(user),
        username: `user${user}`,
        ...(failed ? { reason: 'INVALID_PASSWORD' } : {}),
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
        sessionId: `s${lines.length}`,
      }),
    );
  }
  return { lines, attackerIps };
}
