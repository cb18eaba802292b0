import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { eventKey, partitionKeyOf, sourceIpPartitioner } from './kafka-keys.js';

const partitionMetadata: PartitionMetadata[] = Array.from({ length: 6 }, (_, partitionId) => ({
  partitionErrorCode: 0,
  partitionId,
  leader: 1,
  replicas: [1],
  isr: [1],
}));

describe('Kafka keys', () => {
  it('keys records sourceIp:username, IPv6 in brackets', () => {
    expect(eventKey('203.0.113.9', 'alice')).toBe('203.0.113.9:alice');
    expect(eventKey('203.0.113.9', undefined)).toBe('203.0.113.9:');
    expect(eventKey('2001:db8::1', 'bob')).toBe('[2001:db8::1]:bob');
    expect(partitionKeyOf('203.0.113.9:alice')).toBe('203.0.113.9');
    expect(partitionKeyOf('[2001:db8::1]:bob')).toBe('2001:db8::1');
    expect(partitionKeyOf('alice')).toBe('alice');
  });

  it('partitions by the IP alone: every user of one IP on one partition, the same one a bare-IP key gets', () => {
    const partition = sourceIpPartitioner();
    const byKey = Partitioners.DefaultPartitioner();
    const seen = new Set<number>();
    for (let ip = 0; ip < 200; ip++) {
      const address = `198.51.100.${ip}`;
      const expected = byKey({ topic: 't', partitionMetadata, message: { key: address, value: 'x' } });
      seen.add(expected);
      for (const user of ['alice', 'bob', 'carol', '']) {
        expect(partition({ topic: 't', partitionMetadata, message: { key: `${address}:${user}`, value: 'x' } })).toBe(expected);
      }
    }
    // 200 IPs spread over all 6 partitions.
    expect(seen.size).toBe(6);
  });
});
