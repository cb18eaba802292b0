import { Type, type Static } from '@sinclair/typebox';

/** Options of the per-event metrics (labels whose values come from the traffic are capped). */
export const metricsConfigSchema = Type.Object(
  {
    maxNetworkLabels: Type.Integer({
      minimum: 1,
      default: 1000,
      description:
        'Distinct masked client networks (/24, /48) in the client_ip_masked label of security_events_total; later networks are counted as "other".',
    }),
    maxReasonLabels: Type.Integer({
      minimum: 1,
      default: 50,
      description: 'Distinct login failure reasons in login_failures_total beyond the known ones; later ones are counted as "other".',
    }),
    maxSourceLabels: Type.Integer({
      minimum: 1,
      default: 100,
      description: 'Distinct source names in vigil_pipeline_source_events_total; later ones are counted as "other".',
    }),
    countryLookup: Type.Boolean({
      default: true,
      description:
        'Count login and violation events by country (security_events_by_country_total) with the GeoIP database; needs geoip.enabled.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type MetricsConfig = Static<typeof metricsConfigSchema>;
