import {
  accessReview,
  adminActivityAudited,
  alerting,
  apiAuthentication,
  auditIntegrity,
  auditLogging,
  bruteForceProtection,
  leastPrivilege,
  monitoringActive,
  recentEventsAvailable,
  retentionAtLeast,
  transportEncryption,
} from './checks.js';
import type { Standard } from './control.js';

/** PCI DSS v4.0 — the requirements Vigil's own operation touches (it stores no cardholder data). */
export const pciDss: Standard = {
  id: 'pci-dss',
  name: 'PCI DSS',
  edition: 'PCI DSS v4.0.1',
  controls: [
    { id: '10.2.1', ref: '10.2.1', title: 'Audit logs enabled and active', requirement: 'Audit logs are enabled and active for all system components.', check: auditLogging },
    { id: '10.2.1.2', ref: '10.2.1.2', title: 'Administrative actions logged', requirement: 'Audit logs capture all actions taken by any individual with administrative access.', check: adminActivityAudited },
    { id: '10.3.4', ref: '10.3.4', title: 'Audit log integrity', requirement: 'Change-detection mechanisms on audit logs ensure existing log data cannot be changed without alerts.', check: auditIntegrity },
    { id: '10.4.1.1', ref: '10.4.1.1', title: 'Automated log review', requirement: 'Automated mechanisms perform audit log reviews.', check: monitoringActive },
    {
      id: '10.5.1-retention',
      ref: '10.5.1',
      title: 'Audit log retention ≥ 12 months',
      requirement: 'Retain audit log history for at least 12 months.',
      check: retentionAtLeast(['loginAttempts', 'securityEvents', 'auditLogs'], 365),
    },
    { id: '10.5.1-online', ref: '10.5.1', title: 'Three months immediately available', requirement: 'At least the most recent three months are immediately available for analysis.', check: recentEventsAvailable(90) },
    { id: '10.7.2', ref: '10.7.2', title: 'Failures of security controls alerted', requirement: 'Failures of critical security control systems are detected, alerted and addressed promptly.', check: alerting },
    { id: '8.3.1', ref: '8.3.1', title: 'User authentication', requirement: 'All user access to system components is authenticated.', check: apiAuthentication },
    { id: '8.3.4', ref: '8.3.4', title: 'Invalid authentication attempts limited', requirement: 'Lock out after not more than 10 attempts, for at least 30 minutes.', check: bruteForceProtection },
    { id: '7.2.2', ref: '7.2.2', title: 'Least privilege', requirement: 'Access is assigned based on job function with the least privileges needed.', check: leastPrivilege },
    { id: '7.2.4', ref: '7.2.4', title: 'Access review', requirement: 'User accounts and access privileges are reviewed at least once every six months.', check: accessReview },
    { id: '4.2.1', ref: '4.2.1', title: 'Strong cryptography in transit', requirement: 'Strong cryptography protects data during transmission over open networks.', check: transportEncryption },
  ],
};
