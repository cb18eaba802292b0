import type { FastifyInstance } from 'fastify';
import { complianceReport, REPORT_CONTENT_TYPES, REPORT_FORMATS, renderReport, STANDARD_IDS, type ReportFormat, type StandardId } from '../../compliance/index.js';
import type { VigilConfig } from '../../core/config.js';
import type { Store } from '../../store/index.js';

export interface ComplianceRouteDeps {
  config: VigilConfig;
  store: Store | undefined;
  now(): number;
}

/** GET /api/v1/compliance/{standard}: the report on the running configuration and the store. */
export function registerComplianceRoutes(app: FastifyInstance, deps: ComplianceRouteDeps): void {
  app.get(
    '/api/v1/compliance/:standard',
    {
      // Admin: the report names token holders and reads the whole audit log.
      config: { scope: 'admin' },
      schema: {
        summary: 'Compliance report (soc2, gdpr, pci-dss, hipaa): each control evaluated, with evidence, remediation, score and status.',
        tags: ['compliance'],
        params: { type: 'object', properties: { standard: { type: 'string', enum: [...STANDARD_IDS] } }, required: ['standard'] },
        querystring: {
          type: 'object',
          properties: { format: { type: 'string', enum: [...REPORT_FORMATS], default: 'json' } },
          additionalProperties: false,
        },
        security: [{ bearer: [] }, { apiKey: [] }],
      },
    },
    async (request, reply) => {
      const { standard } = request.params as { standard: StandardId };
      const format = ((request.query as { format?: ReportFormat }).format ?? 'json') as ReportFormat;
      const report = await complianceReport(standard, deps.config, deps.store, deps.now());
      if (format === 'json') return report;
      return reply.type(REPORT_CONTENT_TYPES[format]).send(renderReport(report, format));
    },
  );
}
