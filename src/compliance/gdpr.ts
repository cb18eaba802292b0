import {
  accessReview,
  apiAuthentication,
  auditIntegrity,
  auditLogging,
  backupRecent,
  breachNotificationReadiness,
  encryptionAtRest,
  ipMasking,
  personalDataRetentionBounded,
  transportEncryption,
} from './checks.js';
import type { Standard } from './control.js';

/** GDPR — Regulation (EU) 2016/679, for the personal data Vigil keeps (IP addresses, user names, user agents). */
export const gdpr: Standard = {
  id: 'gdpr',
  name: 'GDPR',
  edition: 'Regulation (EU) 2016/679',
  controls: [
    { id: 'Art.5(1)(e)', ref: 'Art. 5(1)(e)', title: 'Storage limitation', requirement: 'Personal data is kept no longer than necessary for the purpose.', check: personalDataRetentionBounded },
    { id: 'Art.5(1)(f)', ref: 'Art. 5(1)(f)', title: 'Integrity of records', requirement: 'Appropriate security, including protection against unauthorised alteration; the audit trail is tamper-evident.', check: auditIntegrity },
    { id: 'Art.5(2)', ref: 'Art. 5(2)', title: 'Accountability', requirement: 'The controller can demonstrate compliance: processing and administrative actions are recorded.', check: auditLogging },
    { id: 'Art.25', ref: 'Art. 25', title: 'Data protection by design and by default', requirement: 'Personal data is minimised and pseudonymised where it is not needed in full (masked IPs in logs).', check: ipMasking },
    { id: 'Art.32(1)(a)-rest', ref: 'Art. 32(1)(a)', title: 'Encryption of personal data at rest', requirement: 'Pseudonymisation and encryption of personal data.', check: encryptionAtRest },
    { id: 'Art.32(1)(a)-transit', ref: 'Art. 32(1)(a)', title: 'Encryption of personal data in transit', requirement: 'Encryption of personal data in transit.', check: transportEncryption },
    { id: 'Art.32(1)(b)', ref: 'Art. 32(1)(b)', title: 'Confidentiality of processing systems', requirement: 'Ongoing confidentiality: only authenticated, authorised access.', check: apiAuthentication },
    { id: 'Art.32(1)(c)', ref: 'Art. 32(1)(c)', title: 'Restore availability', requirement: 'The ability to restore availability and access to personal data in a timely manner (backups).', check: backupRecent },
    { id: 'Art.32(1)(d)', ref: 'Art. 32(1)(d)', title: 'Regular review of measures', requirement: 'Regularly testing, assessing and evaluating the effectiveness of measures (access reviews).', check: accessReview },
    { id: 'Art.33', ref: 'Art. 33', title: 'Breach notification readiness', requirement: 'A breach is notified to the supervisory authority within 72 hours and documented.', check: breachNotificationReadiness },
  ],
};
