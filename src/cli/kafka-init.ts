import type { VigilConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { kafkaClient, type KafkaConnectionConfig } from '../sources/kafka-connection.js';
import { initSecurityTopics, SECURITY_TOPIC_DEFAULTS, type TopicPlan } from '../sources/kafka-topics.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';

export interface KafkaInitOptions {
  brokers?: string;
  partitions?: string;
  replicationFactor?: string;
  retentionHours?: string;
  topics?: string[];
}

/**
 * The connection and the topics `vigil kafka init` works on: brokers from
 * --brokers, else the first Kafka source, else sinks.kafka; topics from
 * --topic, else every Kafka source's topic plus the alert topic (default
 * security-events, security-events-by-user, security-alerts).
 */
export function kafkaInitPlan(config: VigilConfig, options: KafkaInitOptions): { connection: KafkaConnectionConfig; plan: TopicPlan } {
  const sources = config.sources.filter((s) => s.type === 'kafka');
  const base: KafkaConnectionConfig = sources[0] ?? config.sinks.kafka;
  const connection = options.brokers === undefined ? base : { ...base, brokers: options.brokers.split(',').map((b) => b.trim()).filter(Boolean) };
  if (connection.brokers.length === 0) throw new UsageError('--brokers: give at least one host:port');
  const topics =
    options.topics !== undefined && options.topics.length > 0
      ? options.topics
      : [...(sources.length > 0 ? sources.map((s) => s.topic) : ['security-events', 'security-events-by-user']), config.sinks.kafka.topic];
  const plan: TopicPlan = { topics };
  if (options.partitions !== undefined) plan.partitions = positive('--partitions', options.partitions);
  if (options.replicationFactor !== undefined) plan.replicationFactor = positive('--replication-factor', options.replicationFactor);
  if (options.retentionHours !== undefined) plan.retentionMs = positive('--retention-hours', options.retentionHours) * 3_600_000;
  return { connection, plan };
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: expected a positive integer, got '${text}'`);
  return n;
}

/** `vigil kafka init`: create the security topics (partitions, compression.type=lz4, retention.ms) through the admin API. */
export async function runKafkaInit(config: VigilConfig, options: KafkaInitOptions): Promise<number> {
  const { connection, plan } = kafkaInitPlan(config, options);
  const logger = createLogger(config.log.level);
  const admin = kafkaClient(connection, logger).admin();
  try {
    await admin.connect();
    const result = await initSecurityTopics(admin, plan);
    const partitions = plan.partitions ?? SECURITY_TOPIC_DEFAULTS.partitions;
    for (const topic of result.created) process.stdout.write(`created ${topic} (${partitions} partitions, compression.type=lz4, retention.ms=${plan.retentionMs ?? SECURITY_TOPIC_DEFAULTS.retentionMs})\n`);
    for (const topic of result.existing) process.stdout.write(`exists  ${topic} (left unchanged)\n`);
    return EXIT.OK;
  } catch (err) {
    process.stderr.write(`vigil kafka init: ${(err as Error).message}\n`);
    return EXIT.FAILURE;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
