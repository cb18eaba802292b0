import type { SecurityEvent } from '../../../core/event.js';
import type { GeoLocation } from '../../../core/geo.js';
import { distanceKm, type GeoLocator } from '../../../enrich/geoip.js';
import { Prng } from '../../anomaly/prng.js';
import { networkOf } from '../network-key.js';

/**
 * Deterministic labelled login traffic for evaluating the login detectors.
 *
 * Benign users live somewhere (a public IP that really geolocates, found by
 * sampling addresses against the GeoIP database), log in on working days at
 * local working hours, mistype now and then (1–3 failures, then success) and
 * sometimes travel at airliner speeds. Attackers of every type are mixed in;
 * each campaign's parameters are drawn from ranges that make its labels true
 * by construction (documented per campaign), and the labels are the ground
 * truth the evaluation compares detections against — subject level: IPs (or
 * a /24) for per-source attacks, usernames for per-account ones.
 */
export type AttackType =
  | 'brute_force'
  | 'credential_stuffing'
  | 'password_spraying'
  | 'distributed_attack'
  | 'account_takeover'
  | 'impossible_travel'
  | 'suspicious_user_agent';

export const ATTACK_TYPES: readonly AttackType[] = [
  'brute_force',
  'credential_stuffing',
  'password_spraying',
  'distributed_attack',
  'account_takeover',
  'impossible_travel',
  'suspicious_user_agent',
];

export interface GeneratorOptions {
  seed: number;
  users: number;
  days: number;
  /** Epoch ms of the first day (a Monday, 00:00 UTC). */
  start: number;
  /** More benign failures, shared NAT addresses, overlapping campaigns, out-of-order delivery. */
  noisy: boolean;
  /** Campaigns per attack type (scaled by users / 2000 when not given). */
  campaigns?: number;
  /**
   * Days of benign traffic before the first attack. Detectors that learn a
   * baseline (familiar IPs for account takeover) see a deployment that has
   * been running; detections raised during warm-up are not scored.
   */
  warmupDays: number;
}

export interface GeneratedTraffic {
  /** In delivery order (time order, or jittered when noisy). */
  events: SecurityEvent[];
  /** Attack type → subjects (IP, CIDR or username). */
  truth: Map<AttackType, Set<string>>;
  /** Subject → campaign descriptions (for reading false negatives). */
  notes: Map<string, string>;
  /** Event time from which detections are scored (end of warm-up). */
  scoreFrom: number;
}

export const DEFAULT_GENERATOR: GeneratorOptions = {
  seed: 7,
  users: 2000,
  days: 7,
  start: Date.UTC(2026, 2, 2),
  noisy: false,
  warmupDays: 1,
};

interface Place {
  ip: string;
  geo: GeoLocation;
}

interface User {
  name: string;
  home: Place;
  userAgent: string;
  /** Logins per working day. */
  rate: number;
  /** Hours east of UTC (from longitude). */
  offset: number;
  trip: { from: number; to: number; place: Place } | undefined;
}

const BROWSER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81',
];
const TOOL_AGENTS = [
  'curl/8.4.0',
  'python-requests/2.31.0',
  'Wget/1.21.4',
  'sqlmap/1.8#stable (https://sqlmap.org)',
  'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)',
  'Go-http-client/1.1',
  'Hydra v9.5 (https://github.com/vanhauser-thc/thc-hydra)',
  'masscan/1.3 (https://github.com/robertdavidgraham/masscan)',
  'Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)',
  '',
  'x',
];
const FIRST = ['john', 'mike', 'anna', 'maria', 'david', 'linda', 'james', 'sarah', 'paul', 'laura', 'peter', 'emma', 'tom', 'olga', 'ivan', 'chen', 'li', 'raj', 'sofia', 'lucas', 'yuki', 'omar', 'fatima', 'lars'];
const LAST = ['smith', 'jones', 'brown', 'miller', 'davis', 'garcia', 'wilson', 'taylor', 'lee', 'martin', 'clark', 'walker', 'young', 'king', 'wright', 'lopez', 'hill', 'green', 'novak', 'kim'];
const COMMON_TARGETS = ['admin', 'root', 'administrator', 'test', 'guest', 'support', 'info', 'user', 'webmaster', 'sales'];
const HOUR = 3_600_000;
const MINUTE = 60_000;
const SECOND = 1000;
/** Airliner block speed for plausible benign travel, and time at airports. */
const TRAVEL_KMH = 800;
const TRAVEL_OVERHEAD_MS = 3 * HOUR;

interface Draft {
  t: number;
  kind: 'login.success' | 'login.failure' | 'http.request';
  ip: string;
  username?: string;
  userAgent?: string | undefined;
  /** true: the event carries no userAgent property at all (sshd-style). */
  noAgent?: boolean;
  attacker: boolean;
}

export function generateTraffic(options: GeneratorOptions, geo: GeoLocator): GeneratedTraffic {
  const rng = new Prng(options.seed);
  const truth = new Map<AttackType, Set<string>>(ATTACK_TYPES.map((t) => [t, new Set<string>()]));
  const notes = new Map<string, string>();
  const label = (type: AttackType, subject: string, note: string) => {
    (truth.get(type) as Set<string>).add(subject);
    notes.set(`${type}:${subject}`, note);
  };
  const places = new PlacePool(rng, geo);
  const drafts: Draft[] = [];
  const span = options.days * 24 * HOUR;
  const start = options.start;
  const scale = options.campaigns ?? Math.max(4, Math.round((options.users / 2000) * 25));

  // ---- benign users -------------------------------------------------------
  const users: User[] = [];
  const names = new Set<string>();
  const nats: Place[] = options.noisy ? Array.from({ length: Math.max(3, Math.round(options.users / 400)) }, () => places.take()) : [];
  for (let i = 0; i < options.users; i++) {
    let name: string;
    do name = `${rng.pick(FIRST)}.${rng.pick(LAST)}${rng.int(1, 999)}`;
    while (names.has(name));
    names.add(name);
    const home = nats.length > 0 && rng.chance(0.3) ? rng.pick(nats) : places.take();
    const user: User = {
      name,
      home,
      userAgent: rng.pick(BROWSER_AGENTS),
      rate: rng.uniform(1, 3),
      offset: Math.round(home.geo.longitude / 15),
      trip: undefined,
    };
    if (rng.chance(0.05) && options.days >= 3) {
      const from = start + rng.int(1, options.days - 2) * 24 * HOUR;
      user.trip = { from, to: from + rng.int(1, 3) * 24 * HOUR, place: places.take() };
    }
    users.push(user);
  }
  const typoRate = options.noisy ? 0.12 : 0.03;
  const successes = new Map<string, { t: number; place: Place; attacker: boolean }[]>();
  for (const user of users) {
    let last: { t: number; place: Place } | undefined;
    const logins: { t: number; place: Place; attacker: boolean }[] = [];
    for (let day = 0; day < options.days; day++) {
      const weekday = (day % 7) < 5;
      const count = weekday ? Math.round(user.rate + rng.uniform(-0.5, 0.5)) : rng.chance(0.3) ? 1 : 0;
      const times: number[] = [];
      for (let k = 0; k < count; k++) {
        const localHour = Math.min(21.5, Math.max(6.5, rng.normal(12, 2.5)));
        times.push(start + day * 24 * HOUR + (localHour - user.offset) * HOUR + rng.int(0, 59) * SECOND);
      }
      times.sort((a, b) => a - b);
      for (const t of times) {
        if (t < start || t >= start + span) continue;
        const trip = user.trip;
        const place = trip !== undefined && t >= trip.from && t < trip.to ? trip.place : user.home;
        if (last !== undefined && last.place !== place) {
          // Travel takes time: skip logins the traveller could not have made yet.
          const needed = (distanceKm(last.place.geo, place.geo) / TRAVEL_KMH) * HOUR + TRAVEL_OVERHEAD_MS;
          if (t - last.t < needed) continue;
        }
        let at = t;
        if (rng.chance(typoRate)) {
          const r = rng.next();
          const misses = r < 0.7 ? 1 : r < 0.95 ? 2 : 3;
          for (let m = 0; m < misses; m++) {
            drafts.push({ t: at, kind: 'login.failure', ip: place.ip, username: user.name, userAgent: user.userAgent, attacker: false });
            at += rng.int(4, 20) * SECOND;
          }
          if (options.noisy && rng.chance(0.2)) continue; // gave up (forgot password)
        }
        drafts.push({ t: at, kind: 'login.success', ip: place.ip, username: user.name, userAgent: user.userAgent, attacker: false });
        logins.push({ t: at, place, attacker: false });
        last = { t: at, place };
      }
    }
    successes.set(user.name, logins);
  }
  const benignNames = users.map((u) => u.name);

  // ---- attackers ----------------------------------------------------------
  const scoreFrom = start + options.warmupDays * 24 * HOUR;
  const attackStart = () => scoreFrom + rng.uniform(0.02, 0.95) * (start + span - scoreFrom);
  /** Campaign agent: mostly browser-like, sometimes a tool (labelled), sometimes none (sshd-style). */
  const attackAgent = (ip: string, note: string): { userAgent?: string; noAgent?: boolean } => {
    const r = rng.next();
    if (r < 0.2) {
      label('suspicious_user_agent', ip, `${note} with a tool agent`);
      return { userAgent: rng.pick(TOOL_AGENTS.slice(0, 9)) };
    }
    if (r < 0.3) return { noAgent: true };
    return { userAgent: rng.pick(BROWSER_AGENTS) };
  };
  const fail = (t: number, ip: string, username: string, agent: { userAgent?: string; noAgent?: boolean }) =>
    drafts.push({ t, kind: 'login.failure', ip, username, ...agent, attacker: true });
  const succeed = (t: number, ip: string, username: string, agent: { userAgent?: string; noAgent?: boolean }) => {
    drafts.push({ t, kind: 'login.success', ip, username, ...agent, attacker: true });
    const list = successes.get(username);
    if (list !== undefined) list.push({ t, place: places.placeOf(ip), attacker: true });
  };
  const leaked = () => (rng.chance(0.3) ? rng.pick(benignNames) : `${rng.pick(FIRST)}${rng.pick(LAST)}${rng.int(1, 9999)}`);

  // Brute force: 1–3 usernames, 20–200 failures 1–10 s apart (≥ 5 in 5 min), never ≥ 5 usernames.
  for (let c = 0; c < scale; c++) {
    const place = places.take();
    const note = `brute force #${c}`;
    label('brute_force', place.ip, note);
    const agent = attackAgent(place.ip, note);
    const targets = rng.chance(0.5) ? [rng.pick(COMMON_TARGETS)] : [rng.pick(COMMON_TARGETS), rng.pick(benignNames), rng.pick(COMMON_TARGETS)].slice(0, rng.int(2, 3));
    let t = attackStart();
    const total = rng.int(20, 200);
    for (let k = 0; k < total; k++) {
      fail(t, place.ip, rng.pick(targets), agent);
      t += rng.int(1000, 10_000);
    }
    if (rng.chance(0.1)) {
      const victim = rng.pick(targets);
      succeed(t, place.ip, victim, agent);
      label('account_takeover', victim, `${note} got in`);
    }
  }

  // Credential stuffing: 15–60 distinct leaked usernames, one try each, 5–30 s apart.
  // ≥ 10 failures / 10 min with ≥ 5 usernames; by pigeonhole also ≥ 5 failures / 5 min (brute force).
  for (let c = 0; c < scale; c++) {
    const place = places.take();
    const note = `credential stuffing #${c}`;
    label('credential_stuffing', place.ip, note);
    label('brute_force', place.ip, note);
    const agent = attackAgent(place.ip, note);
    const seen = new Set<string>();
    let t = attackStart();
    const total = rng.int(15, 60);
    while (seen.size < total) {
      const name = leaked();
      if (seen.has(name)) continue;
      seen.add(name);
      fail(t, place.ip, name, agent);
      t += rng.int(5, 30) * SECOND;
    }
    if (rng.chance(0.1)) {
      const victim = rng.pick(benignNames);
      succeed(t, place.ip, victim, agent);
      label('account_takeover', victim, `${note} got in`);
    }
  }

  // Password spraying from one IP: 12–40 usernames, 1–2 rounds, 90–240 s apart
  // (≤ 4 per 5 min, ≤ 7 per 10 min: neither brute force nor stuffing; ≥ 10 usernames within 1 h; ≤ 2 per username).
  for (let c = 0; c < scale; c++) {
    const place = places.take();
    const note = `password spraying #${c}`;
    label('password_spraying', place.ip, note);
    const agent = attackAgent(place.ip, note);
    const targets = pickDistinct(rng, () => (rng.chance(0.6) ? rng.pick(benignNames) : rng.pick(COMMON_TARGETS)), rng.int(12, 40));
    const rounds = rng.chance(0.3) ? 2 : 1;
    let t = attackStart();
    for (let r = 0; r < rounds; r++) {
      for (const name of targets) {
        fail(t, place.ip, name, agent);
        t += rng.int(90, 240) * SECOND;
      }
    }
  }

  // Password spraying rotating through 4–6 addresses of one /24: 15–30 usernames
  // (≤ 8 per address: no address sprays on its own), 90–240 s apart.
  for (let c = 0; c < Math.max(2, Math.round(scale / 4)); c++) {
    const block = places.takeBlock();
    const range = networkOf(block[0] as string) as string;
    const note = `range spraying #${c}`;
    label('password_spraying', range, note);
    const addresses = block.slice(0, rng.int(4, 6));
    const agent = { userAgent: rng.pick(BROWSER_AGENTS) };
    const targets = pickDistinct(rng, () => rng.pick(benignNames), rng.int(15, 30));
    let t = attackStart();
    targets.forEach((name, i) => {
      fail(t, addresses[i % addresses.length] as string, name, agent);
      t += rng.int(90, 240) * SECOND;
    });
  }

  // Distributed attack on one account: 12–40 fresh IPs, 1–2 tries each, all within 3–8 min.
  for (let c = 0; c < scale; c++) {
    const target = rng.chance(0.5) ? rng.pick(benignNames) : `${rng.pick(COMMON_TARGETS)}${c}`;
    label('distributed_attack', target, `distributed #${c}`);
    const t0 = attackStart();
    const length = rng.int(3, 8) * MINUTE;
    const n = rng.int(12, 40);
    for (let k = 0; k < n; k++) {
      const place = places.take();
      const agent = { userAgent: rng.pick(BROWSER_AGENTS) };
      const tries = rng.chance(0.3) ? 2 : 1;
      for (let j = 0; j < tries; j++) fail(t0 + rng.uniform(0, length), place.ip, target, agent);
    }
  }

  // Account takeover, two shapes:
  //  - 3–4 failures on the victim 20–60 s apart, then success (below brute force's 5);
  //  - 5–8 usernames once each 80–120 s apart (≤ 4 per 5 min), then success on the victim.
  for (let c = 0; c < scale; c++) {
    const place = places.take();
    const victim = rng.pick(benignNames);
    const note = `account takeover #${c}`;
    label('account_takeover', victim, note);
    const agent = attackAgent(place.ip, note);
    let t = attackStart();
    if (c % 2 === 0) {
      const n = rng.int(3, 4);
      for (let k = 0; k < n; k++) {
        fail(t, place.ip, victim, agent);
        t += rng.int(20, 60) * SECOND;
      }
    } else {
      const others = pickDistinct(rng, () => rng.pick(benignNames), rng.int(5, 8));
      for (const name of others) {
        fail(t, place.ip, name, agent);
        t += rng.int(80, 120) * SECOND;
      }
    }
    succeed(t, place.ip, victim, agent);
  }

  // Impossible travel: 10–120 min after a victim's own login, a success from ≥ 3000 km away.
  for (let c = 0; c < scale; c++) {
    const victim = rng.pick(users);
    const own = (successes.get(victim.name) ?? []).filter((s) => !s.attacker && s.t >= scoreFrom);
    if (own.length === 0) continue;
    const after = rng.pick(own);
    const place = places.takeFar(victim.home.geo, 3000);
    succeed(after.t + rng.int(10, 120) * MINUTE, place.ip, victim.name, { userAgent: rng.pick(BROWSER_AGENTS) });
  }

  // Scripted clients: 3–30 requests (and at most 2 login failures) with a tool agent.
  for (let c = 0; c < scale; c++) {
    const place = places.take();
    const agent = TOOL_AGENTS[c % TOOL_AGENTS.length] as string;
    label('suspicious_user_agent', place.ip, `scripted client #${c} (${JSON.stringify(agent)})`);
    let t = attackStart();
    const n = rng.int(3, 30);
    for (let k = 0; k < n; k++) {
      if (k < 2 && rng.chance(0.5)) fail(t, place.ip, rng.pick(COMMON_TARGETS), { userAgent: agent });
      else drafts.push({ t, kind: 'http.request', ip: place.ip, userAgent: agent, attacker: true });
      t += rng.int(1, 120) * SECOND;
    }
  }

  // Impossible travel truth from geography: any consecutive pair of a user's
  // successes involving an attacker login that is > 1000 km apart at > 1000 km/h.
  for (const [name, list] of successes) {
    list.sort((a, b) => a.t - b.t);
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1] as (typeof list)[number];
      const b = list[i] as (typeof list)[number];
      if (!a.attacker && !b.attacker) continue;
      if (a.place.ip === b.place.ip) continue;
      const km = distanceKm(a.place.geo, b.place.geo);
      const hours = (b.t - a.t) / HOUR;
      if (km > 1000 && (hours === 0 || km / hours > 1000)) label('impossible_travel', name, `${Math.round(km)} km in ${hours.toFixed(2)} h`);
    }
  }

  // Delivery: time order; noisy adds out-of-order arrival (up to 60 s late).
  const order = drafts.map((d, i) => ({ d, key: d.t + (options.noisy ? rng.uniform(0, 60_000) : 0), i }));
  order.sort((a, b) => a.key - b.key || a.i - b.i);
  const events: SecurityEvent[] = order.map(({ d }, i) => {
    const event: SecurityEvent = { id: `g${i.toString(36)}`, timestamp: Math.round(d.t), kind: d.kind, sourceIp: d.ip, labels: {} };
    if (d.username !== undefined) event.username = d.username;
    if (!d.noAgent && d.userAgent !== undefined) event.userAgent = d.userAgent;
    return event;
  });
  return { events, truth, notes, scoreFrom };
}

function pickDistinct(rng: Prng, draw: () => string, n: number): string[] {
  const seen = new Set<string>();
  let guard = 0;
  while (seen.size < n && guard++ < n * 50) seen.add(draw());
  void rng;
  return [...seen];
}

/**
 * Public addresses that really geolocate: random addresses drawn with the
 * seeded PRNG, kept when the GeoIP database places them; each handed out once.
 */
class PlacePool {
  private readonly used = new Set<string>();
  private readonly usedRanges = new Set<string>();
  private readonly located = new Map<string, Place>();

  constructor(
    private readonly rng: Prng,
    private readonly geo: GeoLocator,
  ) {}

  take(): Place {
    for (;;) {
      const ip = this.randomIp();
      const range = networkOf(ip) as string;
      if (this.used.has(ip) || this.usedRanges.has(range)) continue;
      const where = this.geo.lookup(ip);
      if (where === undefined) continue;
      this.used.add(ip);
      this.usedRanges.add(range);
      const place = { ip, geo: where };
      this.located.set(ip, place);
      return place;
    }
  }

  /** Several addresses of one fresh /24 (all located). */
  takeBlock(): string[] {
    for (;;) {
      const base = this.take().ip;
      const prefix = base.slice(0, base.lastIndexOf('.') + 1);
      const block: string[] = [];
      for (let host = 10; host < 250 && block.length < 8; host += 17) {
        const ip = prefix + host;
        const where = this.geo.lookup(ip);
        if (where === undefined) continue;
        this.used.add(ip);
        this.located.set(ip, { ip, geo: where });
        block.push(ip);
      }
      if (block.length >= 6) return block;
    }
  }

  takeFar(from: GeoLocation, minKm: number): Place {
    for (;;) {
      const place = this.take();
      if (distanceKm(from, place.geo) >= minKm) return place;
    }
  }

  placeOf(ip: string): Place {
    const place = this.located.get(ip);
    if (place === undefined) throw new Error(`no place for ${ip}`);
    return place;
  }

  private randomIp(): string {
    const r = this.rng;
    for (;;) {
      const a = r.int(1, 223);
      if (a === 10 || a === 127 || a === 100 || a === 169 || a === 172 || a === 192 || a === 198 || a === 203 || a === 0) continue;
      return `${a}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
    }
  }
}
