import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { Decision } from '../core/detection.js';

export type EnforcementKind = 'middleware' | 'exporter' | 'bouncer';

export interface EnforcementPoint {
  name: string;
  kind: EnforcementKind;
  registeredAt: number;
  /** Event time of its last pull of decisions; undefined before the first. */
  lastPullAt: number | undefined;
}

interface RegisteredPoint extends EnforcementPoint {
  keyDigest: Buffer;
}

/** Decisions older than this that nobody pulled are reported (the spec's 60 s). */
export const UNACKNOWLEDGED_AFTER_MS = 60_000;

export class EnforcementError extends Error {
  readonly code = 'VIGIL_E_ENFORCEMENT';
  constructor(message: string) {
    super(message);
    this.name = 'EnforcementError';
  }
}

function digest(apiKey: string): Buffer {
  return createHash('sha256').update(apiKey, 'utf8').digest();
}

/**
 * The places that enforce decisions (HTTP middleware, firewall exporters,
 * CrowdSec-style bouncers), each with its own API key — only a SHA-256
 * digest is kept, compared in constant time. Each records when it last
 * pulled decisions, so that Vigil can warn when it decided something that no
 * enforcement point has picked up: "detected, but nothing was blocked".
 */
export class EnforcementRegistry {
  private readonly points = new Map<string, RegisteredPoint>();

  /** Register (or re-key) a point. The key must be at least 16 characters. */
  register(name: string, kind: EnforcementKind, apiKey: string, now: number): EnforcementPoint {
    if (name === '') throw new EnforcementError('an enforcement point needs a name');
    if (apiKey.length < 16) throw new EnforcementError(`the API key of enforcement point "${name}" must be at least 16 characters`);
    const previous = this.points.get(name);
    const point: RegisteredPoint = {
      name,
      kind,
      registeredAt: previous?.registeredAt ?? now,
      lastPullAt: previous?.lastPullAt,
      keyDigest: digest(apiKey),
    };
    this.points.set(name, point);
    return publicView(point);
  }

  unregister(name: string): boolean {
    return this.points.delete(name);
  }

  /** The point owning `apiKey`; every point is compared (no early exit) so timing reveals nothing. */
  authenticate(apiKey: string): EnforcementPoint | undefined {
    const presented = digest(apiKey);
    let found: RegisteredPoint | undefined;
    for (const point of this.points.values()) {
      if (timingSafeEqual(presented, point.keyDigest) && found === undefined) found = point;
    }
    return found === undefined ? undefined : publicView(found);
  }

  /** Note that `name` pulled decisions at event time `now`. */
  recordPull(name: string, now: number): boolean {
    const point = this.points.get(name);
    if (point === undefined) return false;
    if (point.lastPullAt === undefined || now > point.lastPullAt) point.lastPullAt = now;
    return true;
  }

  list(): EnforcementPoint[] {
    return [...this.points.values()].map(publicView);
  }

  /**
   * Enforceable decisions created at least `graceMs` before `now` that no
   * enforcement point has pulled since they were created. With no point
   * registered at all, every such decision is unacknowledged.
   */
  unacknowledged(decisions: readonly Decision[], now: number, graceMs = UNACKNOWLEDGED_AFTER_MS): Decision[] {
    let latestPull = Number.NEGATIVE_INFINITY;
    for (const point of this.points.values()) {
      if (point.lastPullAt !== undefined && point.lastPullAt > latestPull) latestPull = point.lastPullAt;
    }
    return decisions.filter(
      (d) => d.simulated !== true && d.until > now && d.createdAt <= now - graceMs && latestPull < d.createdAt,
    );
  }
}

function publicView(point: RegisteredPoint): EnforcementPoint {
  return { name: point.name, kind: point.kind, registeredAt: point.registeredAt, lastPullAt: point.lastPullAt };
}

export const enforcementConfigSchema = Type.Object(
  {
    points: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'Name shown in the enforcement status.' }),
          kind: Type.Union([Type.Literal('middleware'), Type.Literal('exporter'), Type.Literal('bouncer')], { default: 'bouncer' }),
          apiKey: Type.String({ minLength: 16, secret: true, description: 'Sent as X-Api-Key when pulling decisions.' }),
        },
        { additionalProperties: false },
      ),
      {
        default: [],
        description: 'Enforcement points (CrowdSec bouncers, middleware, exporters) allowed to pull decisions with their own key.',
      },
    ),
  },
  { additionalProperties: false, default: {} },
);
