import type { Admin, ITopicConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { initSecurityTopics, securityTopicConfigs } from './kafka-topics.js';

describe('security topics', () => {
  it('have 6 partitions, LZ4 compression and 7 days of retention by default', () => {
    expect(securityTopicConfigs({ topics: ['security-events', 'security-alerts', 'security-events'] })).toEqual([
      {
        topic: 'security-events',
        numPartitions: 6,
        replicationFactor: -1,
        configEntries: [
          { name: 'compression.type', value: 'lz4' },
          { name: 'retention.ms', value: '604800000' },
        ],
      },
      {
        topic: 'security-alerts',
        numPartitions: 6,
        replicationFactor: -1,
        configEntries: [
          { name: 'compression.type', value: 'lz4' },
          { name: 'retention.ms', value: '604800000' },
        ],
      },
    ]);
  });

  it('init creates only the missing topics through the admin API', async () => {
    const created: ITopicConfig[][] = [];
    const admin = {
      listTopics: async () => ['security-events', '__consumer_offsets'],
      createTopics: async ({ topics }: { topics: ITopicConfig[] }) => {
        created.push(topics);
        return true;
      },
    } as unknown as Pick<Admin, 'listTopics' | 'createTopics'>;
    const result = await initSecurityTopics(admin, { topics: ['security-events', 'security-events-by-user', 'security-alerts'], partitions: 12, replicationFactor: 3 });
    expect(result).toEqual({ created: ['security-events-by-user', 'security-alerts'], existing: ['security-events'] });
    expect(created).toHaveLength(1);
    expect(created[0]!.map((t) => [t.topic, t.numPartitions, t.replicationFactor])).toEqual([
      ['security-events-by-user', 12, 3],
      ['security-alerts', 12, 3],
    ]);
  });
});
