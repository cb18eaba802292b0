import { Type, type Static } from '@sinclair/typebox';
import type { SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import type { DetectionListener } from '../detector.js';
import { TrackingDetector } from '../tracking-detector.js';
import { DetectionTracker, risingConfidence } from '../detection-tracker.js';
import { KeyedState } from '../windows/keyed-state.js';
import { TimeWindow } from '../windows/time-window.js';

export const portScanConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Detect one IP touching many distinct destination ports.' }),
    distinctPorts: Type.Integer({ minimum: 2, default: 20, description: 'Distinct destination ports that make a scan.' }),
    windowSeconds: Type.Number({ exclusiveMinimum: 0, default: 60, description: 'Within this span of event time.' }),
    severity: threatLevelSchema('MEDIUM'),
    maxTrackedIps: Type.Integer({ minimum: 1, default: 1_000_000, description: 'Memory bound on IPs tracked (evictions counted).' }),
  },
  { additionalProperties: false, default: {} },
);
export type PortScanConfig = Static<typeof portScanConfigSchema>;

interface PortContact {
  port: number;
  eventId: string;
}

interface IpPorts {
  lastSeen: number;
  /** Recent contacts (time, port, event) within the horizon. */
  contacts: TimeWindow<PortContact>;
}

/**
 * ≥ distinctPorts distinct destination ports from one IP within the window →
 * one `port_scan` detection (MEDIUM), extended while the scan goes on. Only
 * events that carry `destinationPort` count (firewall, flow and connection logs).
 */
export class PortScanDetector extends TrackingDetector<IpPorts> {
  readonly name = 'port_scan';
  private readonly windowMs: number;
  private readonly ips: KeyedState<IpPorts>;
  protected readonly tracker: DetectionTracker;

  constructor(
    private readonly config: PortScanConfig,
    listener: DetectionListener,
    ids: IdGenerator,
  ) {
    super();
    this.windowMs = config.windowSeconds * 1000;
    this.ips = new KeyedState<IpPorts>({ maxKeys: config.maxTrackedIps, ttlMs: 2 * this.windowMs });
    this.tracker = new DetectionTracker(this.name, 'port_scan', config.severity as ThreatLevel, this.windowMs, listener, ids);
  }

  onEvent(event: SecurityEvent): void {
    const port = event.destinationPort;
    if (port === undefined) return;
    const t = event.timestamp;
    const open = this.tracker.get(event.sourceIp);
    if (open !== undefined) {
      this.tracker.note(open, t, event.id, undefined, undefined);
      const evidence = open.detection.evidence;
      const ports = evidence.ports as number[];
      if (!ports.includes(port)) {
        const distinct = (evidence.distinctPorts as number) + 1;
        evidence.distinctPorts = distinct;
        if (ports.length < 50) ports.push(port);
        open.detection.confidence = risingConfidence(0.7, 0.01, distinct, this.config.distinctPorts);
      }
      return;
    }
    const state = this.ips.touch(event.sourceIp, () => ({
      lastSeen: t,
      contacts: new TimeWindow<PortContact>(2 * this.windowMs, this.config.distinctPorts * 8),
    }));
    if (t > state.lastSeen) state.lastSeen = t;
    state.contacts.add(t, { port, eventId: event.id });
    const distinct = distinctPortsBefore(state.contacts, t, this.windowMs);
    if (distinct.size >= this.config.distinctPorts) {
      const tracked = this.tracker.raise(event.sourceIp, {
        sourceIp: event.sourceIp,
        confidence: risingConfidence(0.7, 0.01, distinct.size, this.config.distinctPorts),
        detectedAt: t,
        extra: { ports: [...distinct].slice(0, 50), distinctPorts: distinct.size, windowSeconds: this.config.windowSeconds },
      });
      const { times, items } = state.contacts;
      for (let i = 0; i < times.length; i++) {
        const time = times[i] as number;
        if (time >= t - this.windowMs && time <= t) this.tracker.note(tracked, time, (items[i] as PortContact).eventId, undefined, undefined);
      }
      state.contacts.clear();
      this.tracker.announce(tracked);
    }
  }

  protected override get keyed(): KeyedState<IpPorts> {
    return this.ips;
  }
}

/** Distinct ports contacted within `span` up to t (the scan's recent breadth). */
function distinctPortsBefore(window: TimeWindow<PortContact>, t: number, span: number): Set<number> {
  const ports = new Set<number>();
  const { times, items } = window;
  for (let i = 0; i < times.length; i++) {
    const time = times[i] as number;
    if (time > t) break;
    if (time >= t - span) ports.add((items[i] as PortContact).port);
  }
  return ports;
}
