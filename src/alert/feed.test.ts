import { describe, expect, it } from 'vitest';
import { testAlert } from './alert.js';
import { AlertFeed } from './feed.js';

describe('recent-alerts feed', () => {
  it('keeps the newest items, notifies subscribers and survives a throwing one', () => {
    const feed = new AlertFeed(2);
    const seen: string[] = [];
    const off = feed.on('alert', (item) => seen.push(item.alert.id));
    feed.on('alert', () => {
      throw new Error('bad subscriber');
    });
    for (const id of ['a1', 'a2', 'a3']) feed.push({ action: 'new', alert: testAlert(id, 0), channels: [], at: 0 });
    expect(feed.recent().map((i) => i.alert.id)).toEqual(['a3', 'a2']);
    expect(feed.recent(1).map((i) => i.alert.id)).toEqual(['a3']);
    expect(seen).toEqual(['a1', 'a2', 'a3']);
    expect(feed.listenerErrors).toBe(3);
    off();
    feed.push({ action: 'new', alert: testAlert('a4', 0), channels: [], at: 0 });
    expect(seen).toEqual(['a1', 'a2', 'a3']);
  });
});
