import type { ICustomPartitioner } from 'kafkajs';
import { kafkajs } from './kafkajs-module.js';

/**
 * Message keys on the security topics. Events and alerts are keyed
 * `sourceIp:username` (username empty when unknown); partitioning uses only
 * the part before the first ':' — the source IP — so every record of one IP
 * lands on one partition and therefore on one Vigil instance, which is what
 * IP-keyed detectors (brute force, scanning, rate) need. IPv6 addresses hold
 * ':' themselves, so they are written in brackets: `[2001:db8::1]:alice`.
 */
export function eventKey(sourceIp: string | undefined, username: string | undefined): string {
  const ip = sourceIp === undefined ? '' : sourceIp.includes(':') ? `[${sourceIp}]` : sourceIp;
  return `${ip}:${username ?? ''}`;
}

/** The partitioning part of a key: the IP of `ip:user`, `[v6]:user`; a key without ':' is used whole. */
export function partitionKeyOf(key: string): string {
  if (key.startsWith('[')) {
    const end = key.indexOf(']');
    return end === -1 ? key : key.slice(1, end);
  }
  const colon = key.indexOf(':');
  return colon === -1 ? key : key.slice(0, colon);
}

/**
 * kafkajs' default (Java-compatible murmur2) partitioner applied to the IP
 * part of the key: a Java producer keyed by the bare IP picks the same
 * partition.
 */
export const sourceIpPartitioner: ICustomPartitioner = () => {
  const byKey = kafkajs().Partitioners.DefaultPartitioner();
  return ({ topic, partitionMetadata, message }) => {
    const key = message.key;
    if (key === null || key === undefined) return byKey({ topic, partitionMetadata, message });
    const text = typeof key === 'string' ? key : key.toString('utf8');
    return byKey({ topic, partitionMetadata, message: { ...message, key: partitionKeyOf(text) } });
  };
};
