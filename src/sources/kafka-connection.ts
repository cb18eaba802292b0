import { Type, type Static } from '@sinclair/typebox';
import type { Kafka as KafkaClient, KafkaConfig, SASLOptions } from 'kafkajs';
import { kafkajs } from './kafkajs-module.js';
import type { Logger } from 'pino';
import { registerLz4 } from './kafka-lz4.js';

/** Broker settings shared by the Kafka source, the Kafka alert publisher and `vigil kafka init`. */
export const kafkaConnectionProperties = {
  brokers: Type.Array(Type.String(), { minItems: 1, default: ['127.0.0.1:9092'], description: 'Bootstrap brokers (host:port).' }),
  clientId: Type.String({ default: 'vigil', description: 'Client id the brokers see.' }),
  ssl: Type.Boolean({ default: false, description: 'Connect with TLS.' }),
  sasl: Type.Optional(
    Type.Object(
      {
        mechanism: Type.Union([Type.Literal('plain'), Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512')], { default: 'scram-sha-512' }),
        username: Type.String(),
        password: Type.String({ secret: true }),
      },
      { additionalProperties: false, description: 'SASL authentication.' },
    ),
  ),
};

export const kafkaConnectionSchema = Type.Object(kafkaConnectionProperties);
export type KafkaConnectionConfig = Static<typeof kafkaConnectionSchema>;

/** A kafkajs client whose log lines go to pino (LZ4 registered). */
export function kafkaClient(config: KafkaConnectionConfig, logger: Logger): KafkaClient {
  registerLz4();
  const { Kafka, logLevel } = kafkajs();
  const options: KafkaConfig = {
    brokers: config.brokers,
    clientId: config.clientId,
    ssl: config.ssl,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const fields = { kafka: entry.namespace, ...extra };
      if (entry.level <= logLevel.ERROR) logger.error(fields, message);
      else logger.warn(fields, message);
    },
  };
  if (config.sasl !== undefined) options.sasl = { ...config.sasl } as SASLOptions;
  return new Kafka(options);
}
