import type { Admin, ITopicConfig } from 'kafkajs';

/** What the spec sets for every security topic. */
export const SECURITY_TOPIC_DEFAULTS = {
  partitions: 6,
  /** 7 days. */
  retentionMs: 7 * 24 * 3600 * 1000,
  compression: 'lz4',
} as const;

export interface TopicPlan {
  topics: string[];
  partitions?: number;
  retentionMs?: number;
  /** -1: the broker's default.replication.factor. */
  replicationFactor?: number;
}

/** The createTopics entries for `vigil kafka init`. */
export function securityTopicConfigs(plan: TopicPlan): ITopicConfig[] {
  const partitions = plan.partitions ?? SECURITY_TOPIC_DEFAULTS.partitions;
  const retentionMs = plan.retentionMs ?? SECURITY_TOPIC_DEFAULTS.retentionMs;
  return [...new Set(plan.topics)].map((topic) => ({
    topic,
    numPartitions: partitions,
    replicationFactor: plan.replicationFactor ?? -1,
    configEntries: [
      { name: 'compression.type', value: SECURITY_TOPIC_DEFAULTS.compression },
      { name: 'retention.ms', value: String(retentionMs) },
    ],
  }));
}

export interface TopicInitResult {
  created: string[];
  existing: string[];
}

/** Creates the topics that do not exist yet (existing ones are left as they are and reported). */
export async function initSecurityTopics(admin: Pick<Admin, 'listTopics' | 'createTopics'>, plan: TopicPlan): Promise<TopicInitResult> {
  const configs = securityTopicConfigs(plan);
  const present = new Set(await admin.listTopics());
  const missing = configs.filter((c) => !present.has(c.topic));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  return { created: missing.map((c) => c.topic), existing: configs.filter((c) => present.has(c.topic)).map((c) => c.topic) };
}
