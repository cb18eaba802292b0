import { describe, expect, it } from 'vitest';
import { AlertGrouper } from './grouper.js';

describe('alert grouping', () => {
  it('sends once per (type, subject) within the window; a higher level is sent again', () => {
    const grouper = new AlertGrouper(600_000);
    const key = AlertGrouper.key('brute_force', { scope: 'ip', value: '203.0.113.9' });
    expect(grouper.decide(key, 'HIGH', 0)).toEqual({ action: 'new' });
    grouper.sent(key, 'alert-1', 'HIGH', 1, 0);
    expect(grouper.decide(key, 'HIGH', 300_000)).toEqual({ action: 'grouped', alertId: 'alert-1' });
    expect(grouper.decide(key, 'MEDIUM', 600_000)).toEqual({ action: 'grouped', alertId: 'alert-1' });
    expect(grouper.decide(key, 'CRITICAL', 400_000)).toEqual({ action: 'escalate', alertId: 'alert-1', revision: 2 });
    // Another type or subject is its own group.
    expect(grouper.decide(AlertGrouper.key('sqli', { scope: 'ip', value: '203.0.113.9' }), 'HIGH', 1)).toEqual({ action: 'new' });
    expect(grouper.decide(AlertGrouper.key('brute_force', { scope: 'ip', value: '203.0.113.10' }), 'HIGH', 1)).toEqual({ action: 'new' });
    // The window counts from the last send.
    expect(grouper.decide(key, 'HIGH', 600_001)).toEqual({ action: 'new' });
  });

  it('is bounded: the least recently sent group is forgotten first', () => {
    const grouper = new AlertGrouper(600_000, 2);
    grouper.sent('a', 'alert-a', 'LOW', 1, 0);
    grouper.sent('b', 'alert-b', 'LOW', 1, 1);
    grouper.sent('c', 'alert-c', 'LOW', 1, 2);
    expect(grouper.size).toBe(2);
    expect(grouper.decide('a', 'LOW', 3)).toEqual({ action: 'new' });
    expect(grouper.decide('c', 'LOW', 3)).toEqual({ action: 'grouped', alertId: 'alert-c' });
    grouper.forget('c');
    expect(grouper.decide('c', 'LOW', 3)).toEqual({ action: 'new' });
  });
});
