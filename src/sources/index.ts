import { Type, type Static } from '@sinclair/typebox';
import { FileTailSource, fileSourceSchema } from './file-tail.js';
import { NatsSource, natsSourceSchema } from './nats.js';
import { KafkaSource, kafkaSourceSchema } from './kafka.js';
import type { Source, SourceContext } from './source.js';
import { StdinSource, stdinSourceSchema } from './stdin.js';
import { SyslogSource, syslogSourceSchema } from './syslog.js';

/** Source registry: one schema and one constructor per `type`. */
export const sourcesConfigSchema = Type.Array(Type.Union([stdinSourceSchema, fileSourceSchema, syslogSourceSchema, natsSourceSchema, kafkaSourceSchema]), {
  default: [],
  description: 'Ingestion sources besides the HTTP API: stdin, file, syslog, nats, kafka.',
});
export type SourceConfig = Static<typeof sourcesConfigSchema>[number];

export function createSource(config: SourceConfig, ctx: SourceContext, batchSize: number): Source {
  switch (config.type) {
    case 'stdin':
      return new StdinSource(config, ctx, batchSize);
    case 'file':
      return new FileTailSource(config, ctx, batchSize);
    case 'syslog':
      return new SyslogSource(config, ctx, batchSize);
    case 'nats':
      return new NatsSource(config, ctx, batchSize);
    case 'kafka':
      return new KafkaSource(config, ctx, batchSize);
  }
}
