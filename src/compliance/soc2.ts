import {
  accessReview,
  adminActivityAudited,
  alerting,
  apiAuthentication,
  auditIntegrity,
  auditLogging,
  automatedResponse,
  backupRecent,
  encryptionAtRest,
  leastPrivilege,
  monitoringActive,
  personalDataRetentionBounded,
  transportEncryption,
} from './checks.js';
import type { Standard } from './control.js';

/** SOC 2 — AICPA Trust Services Criteria (2017, points of focus revised 2022). */
export const soc2: Standard = {
  id: 'soc2',
  name: 'SOC 2',
  edition: 'AICPA Trust Services Criteria 2017 (revised points of focus 2022)',
  controls: [
    { id: 'CC6.1-auth', ref: 'CC6.1', title: 'Logical access: API authentication', requirement: 'Logical access security over protected information assets: users are identified and authenticated.', check: apiAuthentication },
    { id: 'CC6.1-encryption', ref: 'CC6.1', title: 'Logical access: encryption of data at rest', requirement: 'Encryption is used to protect data at rest where appropriate.', check: encryptionAtRest },
    { id: 'CC6.3-least-privilege', ref: 'CC6.3', title: 'Access based on roles, least privilege', requirement: 'Access is authorised, modified or removed based on roles and least privilege.', check: leastPrivilege },
    { id: 'CC6.2-access-review', ref: 'CC6.2', title: 'Periodic access review', requirement: 'Credentials are issued, reviewed and removed when no longer authorised.', check: accessReview },
    { id: 'CC6.7-transmission', ref: 'CC6.7', title: 'Encryption in transit', requirement: 'The transmission of information is restricted and protected (encryption) to authorised parties.', check: transportEncryption },
    { id: 'CC7.2-monitoring', ref: 'CC7.2', title: 'Monitoring for anomalies', requirement: 'System components are monitored for anomalies indicative of malicious acts; detections run on live events.', check: monitoringActive },
    { id: 'CC7.2-audit-logging', ref: 'CC7.2', title: 'Security event and audit logging', requirement: 'Security events and administrative actions are logged for analysis.', check: auditLogging },
    { id: 'CC7.2-log-integrity', ref: 'CC7.2', title: 'Audit log integrity', requirement: 'Logs are protected from modification; tampering is detectable.', check: auditIntegrity },
    { id: 'CC7.3-alerting', ref: 'CC7.3', title: 'Security events evaluated and escalated', requirement: 'Detected security events are evaluated and communicated to those who respond.', check: alerting },
    { id: 'CC7.4-response', ref: 'CC7.4', title: 'Incident response', requirement: 'Identified incidents are responded to: contained and mitigated.', check: automatedResponse },
    { id: 'CC8.1-changes', ref: 'CC8.1', title: 'Changes are recorded', requirement: 'Changes to configurations and security rules are authorised and recorded.', check: adminActivityAudited },
    { id: 'C1.2-disposal', ref: 'C1.2', title: 'Disposal of confidential information', requirement: 'Confidential information is disposed of when no longer needed (bounded retention).', check: personalDataRetentionBounded },
    { id: 'A1.2-backup', ref: 'A1.2', title: 'Backups', requirement: 'Data backup processes support recovery; backups are taken regularly.', check: backupRecent },
  ],
};
