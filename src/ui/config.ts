import { Type, type Static } from '@sinclair/typebox';

/** The built-in dashboard (section `ui`). */
export const uiConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Serve the dashboard at / (assets under /ui/) and its live stream GET /api/v1/live. Off: / answers the JSON service summary.',
    }),
    maxStreamClients: Type.Integer({ minimum: 1, default: 20, description: 'Concurrent live-stream (SSE) clients; more get 503.' }),
    streamBufferBytes: Type.Integer({
      minimum: 4096,
      default: 262_144,
      description: 'Bytes a slow stream client may have unsent; beyond it its messages are dropped (counted) until it catches up.',
    }),
    historySeconds: Type.Integer({ minimum: 10, maximum: 3600, default: 300, description: 'Seconds of events/s history the chart starts with.' }),
    topWindowSeconds: Type.Integer({
      minimum: 10,
      default: 300,
      description: 'Top source IPs, usernames and countries count over the current and the previous window of this length.',
    }),
    maxTopKeys: Type.Integer({ minimum: 10, default: 10_000, description: 'Distinct IPs (and usernames, countries) counted per window.' }),
    recentAlerts: Type.Integer({ minimum: 1, default: 200, description: 'Alerts kept for the dashboard feed.' }),
  },
  { additionalProperties: false, default: {} },
);
export type UiConfig = Static<typeof uiConfigSchema>;
