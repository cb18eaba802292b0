import { Type, type Static } from '@sinclair/typebox';
import type { NatsConnection } from '@nats-io/transport-node';

/** Connection settings shared by the NATS source and the NATS alert publisher. */
export const natsConnectionProperties = {
  servers: Type.Array(Type.String(), {
    minItems: 1,
    default: ['nats://127.0.0.1:4222'],
    description: 'NATS server URLs (nats://host:port).',
  }),
  user: Type.Optional(Type.String({ description: 'User name (with pass).' })),
  pass: Type.Optional(Type.String({ description: 'Password (with user).', secret: true })),
  token: Type.Optional(Type.String({ description: 'Authentication token.', secret: true })),
};

export const natsConnectionSchema = Type.Object(natsConnectionProperties);
export type NatsConnectionConfig = Static<typeof natsConnectionSchema>;

/** Connects with reconnection forever (a broker restart is not a reason to stop monitoring). */
export async function connectNats(config: NatsConnectionConfig, name: string): Promise<NatsConnection> {
  // Loaded on first connection, not at start-up: only NATS users need the client.
  const { connect } = await import('@nats-io/transport-node');
  return connect({
    servers: config.servers,
    name,
    user: config.user,
    pass: config.pass,
    token: config.token,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
}
