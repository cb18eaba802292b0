import { describe, expect, it } from 'vitest';
import { RecentAlerts } from './recent-alerts.js';

describe('RecentAlerts', () => {
  it('keeps the newest alerts up to its capacity, newest first, and tells subscribers', () => {
    const alerts = new RecentAlerts(2);
    const heard: number[] = [];
    const unsubscribe = alerts.subscribe((a) => heard.push(a.id));
    for (let i = 0; i < 3; i++) alerts.record({ at: i, level: 'CRITICAL', title: `t${i}`, source: 'test' });
    expect(alerts.list().map((a) => a.title)).toEqual(['t2', 't1']);
    expect(alerts.total).toBe(3);
    expect(heard).toEqual([1, 2, 3]);
    unsubscribe();
    alerts.record({ at: 4, level: 'HIGH', title: 't4', source: 'test' });
    expect(heard).toEqual([1, 2, 3]);
  });
});
