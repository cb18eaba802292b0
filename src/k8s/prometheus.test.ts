import { describe, expect, it } from 'vitest';
import { signalsFromResults } from './prometheus.js';

describe('Prometheus results to signals', () => {
  it('keys pod samples by namespace/pod and keeps the highest value', () => {
    const signals = signalsFromResults({
      pods: {
        cpu: [
          { metric: { namespace: 'shop', pod: 'web-1' }, value: [1, '0.5'] },
          { metric: { namespace: 'shop', pod: 'web-1' }, value: [1, '0.95'] },
          { metric: { pod: 'no-namespace' }, value: [1, '2'] },
          { metric: { namespace: 'shop', pod: 'zero-limit' }, value: [1, 'NaN'] },
        ],
        down: [{ metric: { namespace: 'shop', pod: 'web-2', job: 'web' }, value: [1, '0'] }],
      },
      nodes: {
        memory: [
          { metric: { node: 'node-a' }, value: [1, '0.93'] },
          { metric: { instance: '10.0.0.12:9100' }, value: [1, '+Inf'] },
        ],
      },
    });
    expect(signals.pods.get('shop/web-1')).toEqual({ cpu: 0.95 });
    expect(signals.pods.get('shop/web-2')).toEqual({ down: 0 });
    expect(signals.pods.has('shop/zero-limit')).toBe(false);
    expect(signals.pods.size).toBe(2);
    expect(signals.nodes.get('node-a')).toEqual({ memory: 0.93 });
    expect(signals.nodes.get('10.0.0.12')).toEqual({ memory: Infinity });
  });
});
