import { isLoopback } from '../core/ip.js';
import type { CheckResult } from './control.js';
import { configValue, type ComplianceFacts } from './facts.js';

/**
 * The checks behind the controls, shared by the standards: each reads the
 * facts (configuration and store) and says pass / partial / fail with the
 * evidence it rests on.
 */

const DAY_MS = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString();
const ageDays = (facts: ComplianceFacts, ms: number) => Math.floor((facts.now - ms) / DAY_MS);

function noStore(facts: ComplianceFacts): CheckResult | undefined {
  if (facts.store.available) return undefined;
  return {
    status: 'fail',
    evidence: [`no audit store: ${facts.store.reason}`],
    remediation: 'Enable the store (store.enabled: true, store.url pointing at a persistent SQLite file, PostgreSQL or MariaDB).',
  };
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}

/** Events, detections and operator changes are recorded in a persistent database. */
export function auditLogging(facts: ComplianceFacts): CheckResult {
  const missing = noStore(facts);
  if (missing !== undefined || !facts.store.available) return missing as CheckResult;
  const s = facts.store;
  if (!s.persistent) {
    return {
      status: 'fail',
      evidence: [`store: ${s.target} (in memory: lost when the process exits)`],
      remediation: 'Point store.url at a file (sqlite:vigil.db) or a database server.',
    };
  }
  return {
    status: 'pass',
    evidence: [
      `store: ${s.target} (${s.kind})`,
      `${s.events.total} events stored, ${s.audit.total} audit-log entries`,
      'every processed event is written; operator changes through the API (decisions, allowlist, protection mode) are appended to audit_logs with the token name as actor',
    ],
  };
}

/** The hash chain of the audit log verifies end to end. */
export function auditIntegrity(facts: ComplianceFacts): CheckResult {
  const missing = noStore(facts);
  if (missing !== undefined || !facts.store.available) return missing as CheckResult;
  const chain = facts.store.chain;
  if ('error' in chain) {
    return { status: 'fail', evidence: [`the audit chain could not be read: ${chain.error}`], remediation: 'Check the database and run `vigil audit verify`.' };
  }
  if (!chain.ok) {
    return {
      status: 'fail',
      evidence: [`audit chain broken at row ${chain.firstBadId ?? '?'} (${chain.reason ?? 'unknown'}) after ${chain.checked} good rows`],
      remediation:
        'Treat as a security incident: the audit log was altered or rows deleted outside Vigil. Restore the rows from a backup, investigate database access, and keep the report of `vigil audit verify` as evidence.',
    };
  }
  return { status: 'pass', evidence: [`hash chain verified: ${chain.checked} entries, sha256(prev_hash ‖ row), no gap`] };
}

/** Operator changes of the last 90 days are in the audit log. */
export function adminActivityAudited(facts: ComplianceFacts): CheckResult {
  const missing = noStore(facts);
  if (missing !== undefined || !facts.store.available) return missing as CheckResult;
  const audit = facts.store.audit;
  if (audit.last90Days > 0) {
    return {
      status: 'pass',
      evidence: [`${audit.last90Days} audit entries in the last 90 days (newest ${iso(audit.lastEntry ?? facts.now)}), ${audit.total} in all`],
    };
  }
  return {
    status: 'partial',
    evidence: [
      audit.total === 0 ? 'the audit log is empty' : `no audit entry in the last 90 days (newest ${iso(audit.lastEntry ?? 0)})`,
      'either no administrative change was made, or changes were made outside the API (they are not recorded then)',
    ],
    remediation: 'Make administrative changes through the API or CLI (decisions, allowlist, protection mode) so they are recorded, and record reviews with `vigil audit record`.',
  };
}

/** A review of who holds API access is recorded within the configured interval. */
export function accessReview(facts: ComplianceFacts): CheckResult {
  const missing = noStore(facts);
  if (missing !== undefined || !facts.store.available) return missing as CheckResult;
  const interval = facts.config.compliance.accessReviewIntervalDays;
  const last = facts.store.audit.lastAccessReview;
  const remediation = `Review auth.tokens (holders, scopes, tokens no longer needed) and record it: \`vigil audit record --action access.review --actor <reviewer> --details '{"tokens":N}'\`. Required every ${interval} days (compliance.accessReviewIntervalDays).`;
  if (last === undefined) return { status: 'fail', evidence: ['no access.review entry in the audit log'], remediation };
  const age = ageDays(facts, last);
  if (age > interval) return { status: 'fail', evidence: [`last access review ${iso(last)}, ${age} days ago (limit ${interval})`], remediation };
  return { status: 'pass', evidence: [`last access review ${iso(last)}, ${age} days ago (limit ${interval})`] };
}

/** The API asks for tokens; nothing administrative is open without one. */
export function apiAuthentication(facts: ComplianceFacts): CheckResult {
  const { server, auth } = facts.config;
  if (!server.enabled) return { status: 'not_applicable', evidence: ['server.enabled is false: no API is served'] };
  const tokens = auth.tokens;
  const loopbackScopes = auth.loopbackWithoutToken;
  const evidence = [
    `${tokens.length} API token(s): ${tokens.map((t) => `${t.name} [${t.scopes.join(', ')}]`).join('; ') || 'none'}`,
    `scopes granted without a token on loopback: ${loopbackScopes.length > 0 ? loopbackScopes.join(', ') : 'none'}`,
    'raw events (GET /api/v1/events) always need a token, also on loopback; tokens are compared as SHA-256 digests in constant time',
  ];
  if (loopbackScopes.includes('admin')) {
    return {
      status: 'fail',
      evidence,
      remediation: 'Remove admin from auth.loopbackWithoutToken: any local process could change decisions and the allowlist without being identified.',
    };
  }
  if (tokens.length === 0) {
    const exposed = !isLoopbackHost(server.host);
    return {
      status: exposed ? 'fail' : 'partial',
      evidence: [...evidence, `listening on ${server.host}`],
      remediation: 'Configure auth.tokens (one per person or system, least scopes) so every API user is identified and admin actions are attributable.',
    };
  }
  if (loopbackScopes.length > 0) {
    return {
      status: 'partial',
      evidence,
      remediation: 'Set auth.loopbackWithoutToken: [] so that every request, local ones included, is authenticated.',
    };
  }
  return { status: 'pass', evidence };
}

/** Tokens carry only the scopes they need. */
export function leastPrivilege(facts: ComplianceFacts): CheckResult {
  const tokens = facts.config.auth.tokens;
  if (!facts.config.server.enabled) return { status: 'not_applicable', evidence: ['server.enabled is false: no API is served'] };
  if (tokens.length === 0) return { status: 'fail', evidence: ['no API tokens: access is not individually granted'], remediation: 'Configure auth.tokens with the least scopes each holder needs.' };
  const admins = tokens.filter((t) => t.scopes.includes('admin'));
  const evidence = [`${admins.length} of ${tokens.length} token(s) hold admin: ${admins.map((t) => t.name).join(', ') || 'none'}`];
  if (admins.length === tokens.length && tokens.length > 1) {
    return { status: 'partial', evidence, remediation: 'Give ingesting systems the ingest scope and dashboards the read scope; keep admin for operators.' };
  }
  return { status: 'pass', evidence };
}

/**
 * TLS on the API and the database connection. Reads `server.tls` without
 * assuming its shape: enabled when `server.tls.enabled` is true, or when a
 * certificate is named (`cert`, `certFile`, `certPath`) and enabled is not false.
 */
export function transportEncryption(facts: ComplianceFacts): CheckResult {
  const { server } = facts.config;
  const tls = configValue(facts.config, 'server.tls');
  const evidence: string[] = [];
  let api: 'tls' | 'loopback' | 'plain' | 'off';
  if (!server.enabled) api = 'off';
  else if (tlsConfigured(tls)) api = 'tls';
  else if (isLoopbackHost(server.host)) api = 'loopback';
  else api = 'plain';
  evidence.push(
    api === 'off'
      ? 'API disabled'
      : api === 'tls'
        ? `API served over TLS (server.tls)`
        : api === 'loopback'
          ? `API without TLS on loopback (${server.host}); remote clients reach it through a TLS-terminating proxy (trusted proxies: ${server.trustedProxies.join(', ') || 'none'})`
          : `API without TLS on ${server.host}:${server.port}`,
  );
  const db = facts.store.available ? facts.store.connection : 'local';
  if (facts.store.available) evidence.push(`database connection: ${db === 'tls' ? 'TLS' : db === 'local' ? 'local (file or loopback)' : 'unencrypted over the network'} (${facts.store.target})`);
  const siemPlain = facts.config.siem.destinations.filter((d) => {
    const { transport, url } = d as { transport?: string; url?: string };
    return d.enabled && ((transport !== undefined && transport !== 'tls') || (typeof url === 'string' && url.toLowerCase().startsWith('http://')));
  });
  if (siemPlain.length > 0) evidence.push(`SIEM destinations without TLS: ${siemPlain.map((d) => d.name).join(', ')}`);
  if (api === 'plain' || db === 'plain') {
    return {
      status: 'fail',
      evidence,
      remediation:
        'Serve the API over TLS (server.tls with a certificate, or bind to 127.0.0.1 behind a TLS-terminating reverse proxy) and connect to the database with TLS (?sslmode=verify-full for PostgreSQL, ?ssl=… for MariaDB).',
    };
  }
  if (api === 'loopback' || siemPlain.length > 0) {
    return {
      status: 'partial',
      evidence,
      remediation:
        api === 'loopback'
          ? 'Configure server.tls, or document the reverse proxy that terminates TLS in front of Vigil.'
          : 'Send SIEM records with transport: tls (RFC 5425) or over HTTPS.',
    };
  }
  return { status: 'pass', evidence };
}

function tlsConfigured(tls: unknown): boolean {
  if (typeof tls !== 'object' || tls === null) return tls === true;
  const t = tls as Record<string, unknown>;
  if (t.enabled === false) return false;
  if (t.enabled === true) return true;
  return ['cert', 'certFile', 'certPath'].some((k) => typeof t[k] === 'string' && t[k] !== '');
}

/** Storage encryption: attested by the operator (Vigil cannot see the disk). */
export function encryptionAtRest(facts: ComplianceFacts): CheckResult {
  const { attested, statement } = facts.config.compliance.encryptionAtRest;
  if (attested) {
    return {
      status: 'pass',
      evidence: [`attested by the operator (compliance.encryptionAtRest): ${statement || 'no statement given'}`, 'Vigil does not encrypt the database itself; this rests on the attestation'],
    };
  }
  return {
    status: 'fail',
    evidence: ['compliance.encryptionAtRest.attested is false'],
    remediation:
      'Put the database and dataDir on encrypted storage (LUKS/dm-crypt, encrypted cloud volumes, encrypted PostgreSQL/MariaDB data directories or tablespaces; MariaDB InnoDB data-at-rest encryption) and state it in compliance.encryptionAtRest (attested: true, statement: how).',
  };
}

const RETENTION_LABEL: Record<string, string> = {
  loginAttempts: 'login attempts',
  securityEvents: 'security events',
  detections: 'detections',
  auditLogs: 'audit log',
};
type RetentionKey = 'loginAttempts' | 'securityEvents' | 'detections' | 'auditLogs';

function describeDays(days: number): string {
  return days === 0 ? 'forever' : `${days} days`;
}

/** Each listed table is kept at least `minDays` (0 = forever counts). */
export function retentionAtLeast(keys: readonly RetentionKey[], minDays: number): (facts: ComplianceFacts) => CheckResult {
  return (facts) => {
    const retention = facts.config.store.retentionDays;
    const evidence = keys.map((k) => `${RETENTION_LABEL[k]}: ${describeDays(retention[k])} (store.retentionDays.${k})`);
    const short = keys.filter((k) => retention[k] !== 0 && retention[k] < minDays);
    if (!facts.config.store.enabled) return { status: 'fail', evidence: ['store.enabled is false: nothing is retained'], remediation: 'Enable the store.' };
    if (short.length > 0) {
      return {
        status: 'fail',
        evidence,
        remediation: `Keep ${short.map((k) => RETENTION_LABEL[k]).join(', ')} at least ${minDays} days: ${short.map((k) => `store.retentionDays.${k}: ${minDays}`).join(', ')} (or archive exports elsewhere for that long).`,
      };
    }
    return { status: 'pass', evidence: [...evidence, `minimum required: ${minDays} days`] };
  };
}

/** Personal data (IPs, user names in events and detections) is deleted after a bounded time. */
export function personalDataRetentionBounded(facts: ComplianceFacts): CheckResult {
  const retention = facts.config.store.retentionDays;
  const max = facts.config.compliance.personalDataMaxRetentionDays;
  const keys: RetentionKey[] = ['loginAttempts', 'securityEvents', 'detections'];
  const evidence = keys.map((k) => `${RETENTION_LABEL[k]}: ${describeDays(retention[k])}`);
  evidence.push(`limit: ${max} days (compliance.personalDataMaxRetentionDays); expired rows are deleted hourly (PostgreSQL: whole monthly partitions)`);
  if (!facts.config.store.enabled) return { status: 'pass', evidence: ['store.enabled is false: no events are kept'] };
  const unbounded = keys.filter((k) => retention[k] === 0 || retention[k] > max);
  if (unbounded.length > 0) {
    return {
      status: 'fail',
      evidence,
      remediation: `Set store.retentionDays.${unbounded.join(', store.retentionDays.')} to a finite number of days ≤ ${max} that your records of processing justify.`,
    };
  }
  return { status: 'pass', evidence };
}

/** Recent events are online and queryable now (not only in archives). */
export function recentEventsAvailable(minDays: number): (facts: ComplianceFacts) => CheckResult {
  return (facts) => {
    const missing = noStore(facts);
    if (missing !== undefined || !facts.store.available) return missing as CheckResult;
    const retention = facts.config.store.retentionDays;
    const keys: RetentionKey[] = ['loginAttempts', 'securityEvents'];
    const short = keys.filter((k) => retention[k] !== 0 && retention[k] < minDays);
    const ev = facts.store.events;
    const evidence = [
      `events online in ${facts.store.target}: ${ev.total}${ev.oldest !== undefined ? `, oldest ${iso(ev.oldest)} (${ageDays(facts, ev.oldest)} days)` : ''}`,
      'queryable at once: GET /api/v1/events, `vigil events query`',
      ...keys.map((k) => `${RETENTION_LABEL[k]}: ${describeDays(retention[k])}`),
    ];
    if (short.length > 0) {
      return { status: 'fail', evidence, remediation: `Keep at least ${minDays} days online: ${short.map((k) => `store.retentionDays.${k}: ${minDays}`).join(', ')}.` };
    }
    return { status: 'pass', evidence };
  };
}

/**
 * Alerts reach people or a SIEM. Reads an `alerts` section without assuming
 * its shape: configured when `alerts.enabled` is not false and
 * `alerts.channels` (array or map) or `alerts.routes` is non-empty.
 */
export function alerting(facts: ComplianceFacts): CheckResult {
  const alerts = configValue(facts.config, 'alerts');
  const channels = channelNames(configValue(alerts, 'channels')).concat(channelNames(configValue(alerts, 'routes')));
  const alertsOn = alerts !== undefined && configValue(alerts, 'enabled') !== false && channels.length > 0;
  const siem = facts.config.siem.destinations.filter((d) => d.enabled).map((d) => d.name);
  const evidence: string[] = [];
  evidence.push(alertsOn ? `alert channels: ${channels.join(', ')}` : 'no alert channel configured (alerts: …): alerts are log lines only');
  evidence.push(siem.length > 0 ? `SIEM forwarding to: ${siem.join(', ')}` : 'no SIEM destination enabled');
  if (alertsOn || siem.length > 0) return { status: 'pass', evidence };
  return {
    status: 'fail',
    evidence,
    remediation: 'Configure an alert channel (alerts: e-mail, webhook, …) or forward detections to a SIEM (siem.destinations) so incidents reach someone who acts.',
  };
}

function channelNames(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value
      .filter((c) => typeof c === 'object' && c !== null && (c as { enabled?: unknown }).enabled !== false)
      .map((c, i) => String((c as { name?: unknown; type?: unknown }).name ?? (c as { type?: unknown }).type ?? `#${i + 1}`));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .filter(([, c]) => !(typeof c === 'object' && c !== null && (c as { enabled?: unknown }).enabled === false))
      .map(([name]) => name);
  }
  return [];
}

const DETECTOR_KEYS = (facts: ComplianceFacts) =>
  Object.entries(facts.config.detectors)
    .filter(([, d]) => typeof d === 'object' && d !== null && (d as { enabled?: unknown }).enabled === true)
    .map(([name]) => name);

/** Detectors run and events are actually arriving. */
export function monitoringActive(facts: ComplianceFacts): CheckResult {
  const detectors = DETECTOR_KEYS(facts);
  const evidence = [`${detectors.length} detector(s) enabled: ${detectors.join(', ') || 'none'}`];
  if (detectors.length === 0) return { status: 'fail', evidence, remediation: 'Enable the detectors (detectors.*.enabled).' };
  if (!facts.store.available) return { status: 'partial', evidence: [...evidence, `no store (${facts.store.reason}): cannot show that events arrive`], remediation: 'Enable the store.' };
  const ev = facts.store.events;
  evidence.push(`${ev.lastWeek} events in the last 7 days${ev.newest !== undefined ? `, newest ${iso(ev.newest)}` : ''}`);
  if (ev.lastWeek === 0) {
    return { status: 'partial', evidence, remediation: 'No events arrived in the last 7 days: check the sources (sources:, POST /api/v1/events) and vigil_ingest_* metrics.' };
  }
  return { status: 'pass', evidence };
}

/** Incidents lead to decisions without waiting for a person. */
export function automatedResponse(facts: ComplianceFacts): CheckResult {
  const r = facts.config.response.responder;
  const evidence = [`response.responder.autoBlock: ${r.autoBlock}, simulation: ${r.simulation}`];
  if (r.autoBlock && !r.simulation) return { status: 'pass', evidence: [...evidence, `CRITICAL incidents block for ${r.criticalBlockSeconds} s, HIGH for ${r.highBlockSeconds} s`] };
  return {
    status: 'partial',
    evidence: [...evidence, 'incidents are scored, recorded and alerted, but not acted on automatically'],
    remediation: 'Turn on response.responder.autoBlock (and simulation off) once the allowlist is in place, or document the manual response procedure.',
  };
}

/** Repeated failed logins are detected and the source blocked (PCI DSS: at most 10 attempts, lockout ≥ 30 minutes). */
export function bruteForceProtection(facts: ComplianceFacts): CheckResult {
  const bf = facts.config.detectors.bruteForce;
  const r = facts.config.response.responder;
  const evidence = [`brute-force detector: ${bf.enabled ? `on, ${bf.threshold} failures per ${bf.windowSeconds} s` : 'off'}`, `automatic blocking: ${r.autoBlock && !r.simulation ? 'on' : 'off'}; HIGH block ${r.highBlockSeconds} s`];
  if (!bf.enabled) return { status: 'fail', evidence, remediation: 'Enable detectors.bruteForce.' };
  const problems: string[] = [];
  if (bf.threshold > 10) problems.push(`detectors.bruteForce.threshold ≤ 10 (is ${bf.threshold})`);
  if (!r.autoBlock || r.simulation) problems.push('response.responder.autoBlock: true, simulation: false');
  if (r.highBlockSeconds < 1800) problems.push(`response.responder.highBlockSeconds ≥ 1800 (is ${r.highBlockSeconds})`);
  if (problems.length > 0) return { status: 'partial', evidence, remediation: `Set ${problems.join('; ')}.` };
  return { status: 'pass', evidence };
}

/** IP addresses are masked wherever Vigil shows them to operators' tools beyond the store. */
export function ipMasking(facts: ComplianceFacts): CheckResult {
  const evidence = [
    'log lines mask IPs (IPv4 a.b.***.***, IPv6 the first two groups); metric labels carry no client IP; request lines are not logged',
    'stored raw events (with full IPs) are served only with a token, never token-less on loopback',
  ];
  const raw = facts.config.siem.destinations.filter((d) => d.enabled && d.filter.kinds.includes('event')).map((d) => d.name);
  if (raw.length > 0) {
    return {
      status: 'partial',
      evidence: [...evidence, `raw events (full IPs, user names) are forwarded to: ${raw.join(', ')}`],
      remediation: 'Forward only detections and decisions to the SIEM (filter.kinds without event), or cover the SIEM by the same retention and access rules.',
    };
  }
  return { status: 'pass', evidence };
}

/** A breach can be noticed and reported within 72 hours: detections stored, alerts routed, a contact named. */
export function breachNotificationReadiness(facts: ComplianceFacts): CheckResult {
  const contact = facts.config.compliance.incidentContact;
  const alert = alerting(facts);
  const evidence = [
    contact !== '' ? `incident contact: ${contact}` : 'no incident contact (compliance.incidentContact)',
    ...alert.evidence,
    facts.store.available ? `detections and events are stored (${facts.store.target}) for the breach record (Art. 33(5))` : 'no store: no record of what happened',
  ];
  const missing = [contact === '' ? 'name who handles breaches in compliance.incidentContact' : '', alert.status !== 'pass' ? 'configure an alert channel or SIEM forwarding' : '', facts.store.available ? '' : 'enable the store'].filter((m) => m !== '');
  if (missing.length === 0) return { status: 'pass', evidence };
  return { status: missing.length === 3 ? 'fail' : 'partial', evidence, remediation: `To notify the supervisory authority within 72 hours: ${missing.join('; ')}.` };
}

/** A backup is recent (SQLite backups by `vigil backup` are recorded in the audit log). */
export function backupRecent(facts: ComplianceFacts): CheckResult {
  const missing = noStore(facts);
  if (missing !== undefined || !facts.store.available) return missing as CheckResult;
  const max = facts.config.compliance.backupMaxAgeDays;
  const last = facts.store.audit.lastBackup;
  const how =
    facts.store.kind === 'sqlite'
      ? 'Run `vigil backup <file>` regularly (e.g. a daily timer); it is recorded in the audit log.'
      : `Back up with ${facts.store.kind === 'postgres' ? 'pg_dump -Fc' : 'mariadb-dump --single-transaction'} and record it: \`vigil audit record --action store.backup --actor <who> --target <file>\`.`;
  if (last === undefined) return { status: 'fail', evidence: ['no store.backup entry in the audit log'], remediation: how };
  const age = ageDays(facts, last);
  if (age > max) return { status: 'fail', evidence: [`last backup ${iso(last)}, ${age} days ago (limit ${max}, compliance.backupMaxAgeDays)`], remediation: how };
  return { status: 'pass', evidence: [`last backup ${iso(last)}, ${age} days ago (limit ${max})`] };
}
