import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import type { Incident } from '../core/detection.js';
import { IdGenerator } from '../core/ids.js';
import { responseConfigSchema, type ResponseConfig } from './responder.js';
import { ResponseStage } from './response-stage.js';
import { makeDetection } from './test-helpers.js';

const AT = Date.parse('2024-01-15T12:00:00Z');

describe('ResponseStage listeners', () => {
  it('tells listeners about new incidents and, once their gap passes, their resolution', () => {
    const config = Value.Default(responseConfigSchema, {}) as ResponseConfig;
    const heard: string[] = [];
    const stage = new ResponseStage({ config, ids: new IdGenerator('inc', 'x') }, undefined, {
      incident: (incident: Incident, created: boolean) => heard.push(`${created ? 'created' : 'updated'} ${incident.id}`),
      resolved: (incident: Incident) => heard.push(`resolved ${incident.id} ${incident.status}`),
    });
    stage.detection(makeDetection({ severity: 'HIGH', sourceIp: '203.0.113.5', evidence: { lastSeen: AT } }));
    const id = stage.incidents()[0]?.id;
    stage.advance(AT + config.incidents.gapSeconds * 1000 + 1);
    expect(heard).toEqual([`created ${id}`, `resolved ${id} resolved`]);
  });
});
