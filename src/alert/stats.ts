/** Plain counters read by the metrics registry at scrape time. */
export interface ChannelStats {
  deliveries: number;
  failures: number;
  retries: number;
  dead: number;
}

export interface AlertStats {
  channels: Map<string, ChannelStats>;
  suppressed: { grouped: number; rate_limited: number; queue_full: number };
  /** Outbox rows by state, as last counted by the dispatcher. */
  depth: { pending: number; dead: number };
  /** Deliveries waiting in memory to be written to the outbox. */
  queued: number;
}

export function newAlertStats(): AlertStats {
  return { channels: new Map(), suppressed: { grouped: 0, rate_limited: 0, queue_full: 0 }, depth: { pending: 0, dead: 0 }, queued: 0 };
}

export function channelStats(stats: AlertStats, channel: string): ChannelStats {
  let s = stats.channels.get(channel);
  if (s === undefined) {
    s = { deliveries: 0, failures: 0, retries: 0, dead: 0 };
    stats.channels.set(channel, s);
  }
  return s;
}
