import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { UsageError } from './input.js';
import { kafkaInitPlan } from './kafka-init.js';

describe('vigil kafka init plan', () => {
  it('defaults to the three security topics and the sink brokers', () => {
    const { config } = loadConfig({ env: {}, cwd: '/nonexistent', overrides: {} });
    const { connection, plan } = kafkaInitPlan(config, {});
    expect(connection.brokers).toEqual(['127.0.0.1:9092']);
    expect(plan).toEqual({ topics: ['security-events', 'security-events-by-user', 'security-alerts'] });
  });

  it('takes brokers and topics from the kafka sources, flags over both', () => {
    const { config } = loadConfig({
      env: {},
      cwd: '/nonexistent',
      overrides: { sources: [{ type: 'kafka', brokers: ['k1:9092'], topic: 'auth-events' }], 'sinks.kafka': { topic: 'alerts' } },
    });
    expect(kafkaInitPlan(config, {})).toMatchObject({ connection: { brokers: ['k1:9092'] }, plan: { topics: ['auth-events', 'alerts'] } });
    expect(kafkaInitPlan(config, { brokers: 'a:1, b:2', partitions: '12', retentionHours: '24' })).toMatchObject({
      connection: { brokers: ['a:1', 'b:2'] },
      plan: { partitions: 12, retentionMs: 86_400_000 },
    });
    expect(() => kafkaInitPlan(config, { partitions: 'six' })).toThrow(UsageError);
  });
});
