import { Type, type Static } from '@sinclair/typebox';

/**
 * What a compliance report cannot see for itself: the operator's statements
 * (encryption of the disks, who handles a breach) and the policy limits the
 * checks measure against.
 */
export const complianceConfigSchema = Type.Object(
  {
    encryptionAtRest: Type.Object(
      {
        attested: Type.Boolean({
          default: false,
          description:
            'The operator states that the database and dataDir sit on encrypted storage (LUKS/dm-crypt, encrypted cloud volumes, encrypted tablespaces). Vigil cannot verify this itself.',
        }),
        statement: Type.String({ default: '', description: 'How: shown as evidence in compliance reports (e.g. "LUKS2 on /var/lib/vigil, key in TPM").' }),
      },
      { additionalProperties: false, default: {} },
    ),
    incidentContact: Type.String({
      default: '',
      description: 'Who is notified of a personal-data breach (GDPR Art. 33: 72 hours) — a team mailbox or on-call rota; shown as evidence.',
    }),
    personalDataMaxRetentionDays: Type.Integer({
      minimum: 1,
      default: 365,
      description: 'Longest retention of events and detections (they hold IPs and user names) that the GDPR storage-limitation check accepts.',
    }),
    accessReviewIntervalDays: Type.Integer({
      minimum: 1,
      default: 90,
      description: 'An access review (audit action access.review, `vigil audit record`) must be newer than this.',
    }),
    backupMaxAgeDays: Type.Integer({
      minimum: 1,
      default: 7,
      description: 'A backup (audit action store.backup, written by `vigil backup`) must be newer than this.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ComplianceConfig = Static<typeof complianceConfigSchema>;
