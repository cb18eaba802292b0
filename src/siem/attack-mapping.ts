/**
 * MITRE ATT&CK technique per detection type, for ECS `threat.*` and the
 * Sentinel `Tactics`/`Techniques` columns. Only where the mapping is
 * meaningful; unknown types get no threat fields rather than a guess.
 */
export interface AttackTechnique {
  tactic: { id: string; name: string };
  technique: { id: string; name: string };
  subtechnique?: { id: string; name: string };
}

const CREDENTIAL_ACCESS = { id: 'TA0006', name: 'Credential Access' };
const INITIAL_ACCESS = { id: 'TA0001', name: 'Initial Access' };
const DISCOVERY = { id: 'TA0007', name: 'Discovery' };
const BRUTE_FORCE = { id: 'T1110', name: 'Brute Force' };
const VALID_ACCOUNTS = { id: 'T1078', name: 'Valid Accounts' };
const EXPLOIT_PUBLIC_APP = { id: 'T1190', name: 'Exploit Public-Facing Application' };

const MAPPING: Readonly<Record<string, AttackTechnique>> = {
  brute_force: { tactic: CREDENTIAL_ACCESS, technique: BRUTE_FORCE, subtechnique: { id: 'T1110.001', name: 'Password Guessing' } },
  distributed_attack: { tactic: CREDENTIAL_ACCESS, technique: BRUTE_FORCE },
  password_spraying: { tactic: CREDENTIAL_ACCESS, technique: BRUTE_FORCE, subtechnique: { id: 'T1110.003', name: 'Password Spraying' } },
  credential_stuffing: { tactic: CREDENTIAL_ACCESS, technique: BRUTE_FORCE, subtechnique: { id: 'T1110.004', name: 'Credential Stuffing' } },
  account_takeover: { tactic: INITIAL_ACCESS, technique: VALID_ACCOUNTS },
  impossible_travel: { tactic: INITIAL_ACCESS, technique: VALID_ACCOUNTS },
  sqli: { tactic: INITIAL_ACCESS, technique: EXPLOIT_PUBLIC_APP },
  xss: { tactic: INITIAL_ACCESS, technique: EXPLOIT_PUBLIC_APP },
  traversal: { tactic: INITIAL_ACCESS, technique: EXPLOIT_PUBLIC_APP },
  cmdi: { tactic: INITIAL_ACCESS, technique: EXPLOIT_PUBLIC_APP },
  port_scan: { tactic: DISCOVERY, technique: { id: 'T1046', name: 'Network Service Discovery' } },
};

export function attackTechniqueFor(detectionType: string): AttackTechnique | undefined {
  return Object.prototype.hasOwnProperty.call(MAPPING, detectionType) ? MAPPING[detectionType] : undefined;
}

/** https://attack.mitre.org/tactics/TA0006/ and https://attack.mitre.org/techniques/T1110/003/ */
export function attackReference(id: string): string {
  if (id.startsWith('TA')) return `https://attack.mitre.org/tactics/${id}/`;
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

/** Login-related detection types (ECS category `authentication`). */
export const AUTHENTICATION_DETECTIONS: ReadonlySet<string> = new Set([
  'brute_force',
  'distributed_attack',
  'password_spraying',
  'credential_stuffing',
  'account_takeover',
  'impossible_travel',
  'suspicious_user_agent',
  'anomalous_login',
]);

/** Web-attack detection types (ECS category `web`). */
export const WEB_DETECTIONS: ReadonlySet<string> = new Set(['sqli', 'xss', 'traversal', 'cmdi', 'web_attack', 'waf_violation']);
