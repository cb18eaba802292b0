import {
  accessReview,
  alerting,
  apiAuthentication,
  auditIntegrity,
  auditLogging,
  backupRecent,
  encryptionAtRest,
  leastPrivilege,
  monitoringActive,
  retentionAtLeast,
  transportEncryption,
} from './checks.js';
import type { Standard } from './control.js';

/** HIPAA Security Rule — 45 CFR Part 164, Subpart C. */
export const hipaa: Standard = {
  id: 'hipaa',
  name: 'HIPAA Security Rule',
  edition: '45 CFR §§ 164.308–164.316',
  controls: [
    { id: '164.312(b)', ref: '§164.312(b)', title: 'Audit controls', requirement: 'Mechanisms that record and examine activity in systems that contain or use ePHI.', check: auditLogging },
    { id: '164.312(c)(1)', ref: '§164.312(c)(1)', title: 'Integrity', requirement: 'Protect ePHI (and its audit trail) from improper alteration or destruction.', check: auditIntegrity },
    { id: '164.312(d)', ref: '§164.312(d)', title: 'Person or entity authentication', requirement: 'Verify that a person or entity seeking access is the one claimed.', check: apiAuthentication },
    { id: '164.312(a)(1)', ref: '§164.312(a)(1)', title: 'Access control', requirement: 'Allow access only to persons or software programs granted access rights.', check: leastPrivilege },
    { id: '164.312(a)(2)(iv)', ref: '§164.312(a)(2)(iv)', title: 'Encryption and decryption', requirement: 'Encrypt ePHI at rest (addressable).', check: encryptionAtRest },
    { id: '164.312(e)(1)', ref: '§164.312(e)(1)', title: 'Transmission security', requirement: 'Guard against unauthorised access to ePHI transmitted over a network.', check: transportEncryption },
    { id: '164.308(a)(1)(ii)(D)', ref: '§164.308(a)(1)(ii)(D)', title: 'Information system activity review', requirement: 'Regularly review records of system activity (audit logs, access reports, security incident tracking).', check: monitoringActive },
    { id: '164.308(a)(4)(ii)(C)', ref: '§164.308(a)(4)(ii)(C)', title: 'Access establishment and modification', requirement: 'Document, review and modify users\u2019 rights of access.', check: accessReview },
    { id: '164.308(a)(6)(ii)', ref: '§164.308(a)(6)(ii)', title: 'Security incident response and reporting', requirement: 'Identify and respond to suspected or known security incidents.', check: alerting },
    { id: '164.308(a)(7)(ii)(A)', ref: '§164.308(a)(7)(ii)(A)', title: 'Data backup plan', requirement: 'Create and maintain retrievable exact copies of ePHI.', check: backupRecent },
    { id: '164.316(b)(2)(i)', ref: '§164.316(b)(2)(i)', title: 'Retention of documentation (6 years)', requirement: 'Retain required documentation — here the audit log — for 6 years.', check: retentionAtLeast(['auditLogs'], 6 * 365) },
  ],
};
