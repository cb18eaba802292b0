import type { ThreatLevel } from '../../core/threat-level.js';

/** An alert as the dashboard shows it: what, how bad, about whom, from where. */
export interface AlertRecord {
  id: number;
  at: number;
  level: ThreatLevel;
  title: string;
  /** The incident it is about, when there is one. */
  incidentId?: string;
  subject?: { scope: 'ip' | 'user'; value: string };
  /** What raised it (response stage today; the alert manager later). */
  source: string;
}

/**
 * The most recent alerts, bounded (oldest forgotten first), for the
 * dashboard's feed. Anything that raises alerts calls `record`; listeners
 * (the live stream) hear about each one.
 */
export class RecentAlerts {
  private readonly items: AlertRecord[] = [];
  private readonly listeners = new Set<(alert: AlertRecord) => void>();
  private nextId = 1;
  /** Alerts recorded since start (the buffer keeps only the last `capacity`). */
  total = 0;

  constructor(readonly capacity = 200) {}

  record(alert: Omit<AlertRecord, 'id'>): AlertRecord {
    const stored: AlertRecord = { id: this.nextId++, ...alert };
    this.items.push(stored);
    if (this.items.length > this.capacity) this.items.shift();
    this.total++;
    for (const listener of this.listeners) listener(stored);
    return stored;
  }

  /** Newest first. */
  list(limit = this.capacity): AlertRecord[] {
    return this.items.slice(-limit).reverse();
  }

  subscribe(listener: (alert: AlertRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
