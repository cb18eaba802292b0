import type { Detection } from '../../core/detection.js';
import type { SecurityEvent } from '../../core/event.js';
import { IdGenerator } from '../../core/ids.js';
import type { DetectionListener } from '../detector.js';

/** Test helpers for the login detectors: a recording listener and terse events. */
export function recorder(): { listener: DetectionListener; opened: Detection[]; closed: Detection[] } {
  const opened: Detection[] = [];
  const closed: Detection[] = [];
  return { listener: { opened: (d) => opened.push(d), closed: (d) => closed.push(d) }, opened, closed };
}

export const testIds = () => new IdGenerator('t', 'test');

let counter = 0;
export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

export function ev(kind: SecurityEvent['kind'], sourceIp: string, username: string | undefined, atSeconds: number, extra: Partial<SecurityEvent> = {}): SecurityEvent {
  const event: SecurityEvent = { id: `e${++counter}`, timestamp: T0 + atSeconds * 1000, kind, sourceIp, labels: {}, ...extra };
  if (username !== undefined) event.username = username;
  return event;
}

export const fail = (ip: string, user: string | undefined, at: number, extra?: Partial<SecurityEvent>) => ev('login.failure', ip, user, at, extra);
export const ok = (ip: string, user: string | undefined, at: number, extra?: Partial<SecurityEvent>) => ev('login.success', ip, user, at, extra);
