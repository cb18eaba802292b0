import { Type, type Static } from '@sinclair/typebox';

export const stateConfigSchema = Type.Object(
  {
    backend: Type.Union([Type.Literal('memory'), Type.Literal('redis')], {
      default: 'memory',
      description: 'memory: one instance, nothing shared. redis: several instances share IP failure windows (brute force) and decisions.',
    }),
    redis: Type.Object(
      {
        url: Type.String({ default: 'redis://127.0.0.1:6379', description: 'Redis URL (redis://[:password@]host:port[/db], rediss:// for TLS).', secret: true }),
        keyPrefix: Type.String({ default: 'vigil:', description: 'Prefix of every key and channel (one per deployment).' }),
      },
      { additionalProperties: false, default: {} },
    ),
    instanceId: Type.Optional(Type.String({ description: 'Name of this instance in shared state (default: host name and process id).' })),
    maxPendingEntries: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Failures waiting to be written to the shared windows; beyond it they are dropped (counted) while Redis is slow.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type StateConfig = Static<typeof stateConfigSchema>;
