import { describe, expect, it } from 'vitest';
import type { ThreatLevel } from '../core/threat-level.js';
import { testAlert, type Alert } from './alert.js';
import type { RouteConfig } from './config.js';
import { AlertRouter } from './router.js';

const channels = [
  { name: 'ops-slack', type: 'slack' as const },
  { name: 'oncall-mail', type: 'email' as const },
  { name: 'pager', type: 'sms' as const },
  { name: 'am', type: 'alertmanager' as const },
];

function alert(level: ThreatLevel, type = 'brute_force', labels: Record<string, string> = {}): Alert {
  return { ...testAlert('a', 0), level, type, labels: { level, type, scope: 'ip', detector: 'brute-force', ...labels } };
}

function route(partial: Partial<RouteConfig> & { channels: string[] }): RouteConfig {
  return { levels: [], types: [], labels: {}, continue: false, ...partial };
}

describe('alert routing', () => {
  it('defaults by level: CRITICAL everywhere, HIGH slack + e-mail, MEDIUM slack, LOW digest', () => {
    const router = new AlertRouter([], channels);
    expect(router.route(alert('CRITICAL'))).toEqual(['ops-slack', 'oncall-mail', 'pager', 'am']);
    expect(router.route(alert('HIGH'))).toEqual(['ops-slack', 'oncall-mail']);
    expect(router.route(alert('MEDIUM'))).toEqual(['ops-slack']);
    expect(router.route(alert('LOW'))).toEqual(['digest']);
  });

  it('configured routes match on level, type and labels; first match wins unless continue', () => {
    const router = new AlertRouter(
      [
        route({ types: ['sqli'], levels: ['HIGH', 'CRITICAL'], channels: ['pager'], continue: true }),
        route({ labels: { scope: 'user' }, channels: ['oncall-mail'] }),
        route({ types: ['sqli'], channels: ['am'] }),
        route({ levels: ['MEDIUM'], channels: ['missing', 'ops-slack'] }),
      ],
      channels,
    );
    expect(router.route(alert('HIGH', 'sqli'))).toEqual(['pager', 'am']);
    expect(router.route(alert('LOW', 'sqli'))).toEqual(['am']);
    expect(router.route(alert('HIGH', 'brute_force', { scope: 'user' }))).toEqual(['oncall-mail']);
    // Unknown channel names are dropped.
    expect(router.route(alert('MEDIUM'))).toEqual(['ops-slack']);
    // Nothing matched: the default.
    expect(router.route(alert('HIGH'))).toEqual(['ops-slack', 'oncall-mail']);
  });

  it('sends the digest to the configured channels, else slack and e-mail', () => {
    const router = new AlertRouter([], channels);
    expect(router.digestChannels([])).toEqual(['ops-slack', 'oncall-mail']);
    expect(router.digestChannels(['pager', 'nope'])).toEqual(['pager']);
  });
});
