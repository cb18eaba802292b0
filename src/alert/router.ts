import type { Alert } from './alert.js';
import type { ChannelType, RouteConfig } from './config.js';

/** The pseudo-channel that adds an alert to the digest instead of sending it. */
export const DIGEST = 'digest';

export interface RoutableChannel {
  name: string;
  type: ChannelType;
}

/** Channel types each level goes to when no configured route matches. */
const DEFAULT_TYPES: Record<Alert['level'], readonly ChannelType[] | 'all' | 'digest'> = {
  CRITICAL: 'all',
  HIGH: ['slack', 'email'],
  MEDIUM: ['slack'],
  LOW: 'digest',
};

function matches(route: RouteConfig, alert: Alert): boolean {
  if (route.levels.length > 0 && !route.levels.includes(alert.level)) return false;
  if (route.types.length > 0 && !route.types.includes(alert.type)) return false;
  for (const [key, value] of Object.entries(route.labels)) if (alert.labels[key] !== value) return false;
  return true;
}

/**
 * Which channels an alert goes to: configured routes in order (first match
 * wins unless it says `continue`), else the default by level. Names of
 * channels that are not configured (or disabled) are dropped; `digest` is kept.
 * Pure: the same alert and config always give the same answer.
 */
export class AlertRouter {
  private readonly known: Set<string>;

  constructor(
    private readonly routes: readonly RouteConfig[],
    private readonly channels: readonly RoutableChannel[],
  ) {
    this.known = new Set(channels.map((c) => c.name));
  }

  route(alert: Alert): string[] {
    const out: string[] = [];
    const add = (name: string) => {
      if ((name === DIGEST || this.known.has(name)) && !out.includes(name)) out.push(name);
    };
    let matched = false;
    for (const route of this.routes) {
      if (!matches(route, alert)) continue;
      matched = true;
      for (const name of route.channels) add(name);
      if (!route.continue) break;
    }
    if (matched) return out;
    const types = DEFAULT_TYPES[alert.level];
    if (types === 'digest') add(DIGEST);
    else for (const channel of this.channels) if (types === 'all' || types.includes(channel.type)) add(channel.name);
    return out;
  }

  /** Channels that receive the digest: the configured list, else every slack and email channel. */
  digestChannels(configured: readonly string[]): string[] {
    if (configured.length > 0) return configured.filter((name) => this.known.has(name));
    return this.channels.filter((c) => c.type === 'slack' || c.type === 'email').map((c) => c.name);
  }
}
