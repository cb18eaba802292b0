import { EventEmitter } from 'node:events';
import type { Alert } from './alert.js';

/** What happened to an alert, as the live feed reports it. */
export interface AlertFeedItem {
  /**
   * new: a new alert was raised; escalated: sent again at a higher level;
   * grouped: the same (type, subject) came up again and updated it (nothing sent);
   * resolved: its incident ended; digest: a digest was sent.
   */
  action: 'new' | 'escalated' | 'grouped' | 'resolved' | 'digest';
  alert: Alert;
  /** Channels it was routed to (empty for grouped). */
  channels: string[];
  /** Wall-clock epoch ms. */
  at: number;
}

/**
 * The in-memory feed of recent alerts, for the live dashboard:
 *
 *   const unsubscribe = service.alerts.on('alert', (item) => …);
 *   service.alerts.recent(50); // newest first
 *
 * Listeners run synchronously on the pipeline's path: keep them cheap (copy
 * and queue; never block). A listener that throws is logged by the caller's
 * error handler and does not stop the others. Holds at most `size` items.
 */
export class AlertFeed {
  private readonly items: AlertFeedItem[] = [];
  private readonly emitter = new EventEmitter();
  /** Listener errors, counted (a faulty subscriber must not break alerting). */
  listenerErrors = 0;

  constructor(private readonly size: number) {
    this.emitter.setMaxListeners(0);
  }

  /** Subscribe to every feed item; returns the unsubscribe function. */
  on(event: 'alert', listener: (item: AlertFeedItem) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Up to `limit` items, newest first. */
  recent(limit = this.size): AlertFeedItem[] {
    return this.items.slice(-Math.max(0, limit)).reverse();
  }

  push(item: AlertFeedItem): void {
    this.items.push(item);
    if (this.items.length > this.size) this.items.splice(0, this.items.length - this.size);
    for (const listener of this.emitter.listeners('alert') as ((item: AlertFeedItem) => void)[]) {
      try {
        listener(item);
      } catch {
        this.listenerErrors++;
      }
    }
  }
}
