import { describe, expect, it } from 'vitest';
import { testAlert } from './alert.js';
import { jsonEscape, renderMessage, renderTemplate } from './template.js';

describe('templates', () => {
  it('fills placeholders, keeps unknown ones and escapes values for the target format', () => {
    expect(renderTemplate('{{ level }}/{{type}}/{{nope}}', { level: 'HIGH', type: 'sqli' })).toBe('HIGH/sqli/{{nope}}');
    expect(renderTemplate('{"t":"{{text}}"}', { text: 'a "b"\nc' }, jsonEscape)).toBe('{"t":"a \\"b\\"\\nc"}');
    expect(JSON.parse(renderTemplate('{"t":"{{text}}"}', { text: 'a "b"\nc' }, jsonEscape))).toEqual({ t: 'a "b"\nc' });
  });

  it('uses the channel template over the default', () => {
    const alert = testAlert('alert-1', Date.UTC(2026, 0, 1));
    const defaults = { title: '[{{level}}] {{type}}', text: '{{summary}}' };
    expect(renderMessage(alert, defaults, undefined)).toEqual({ title: '[LOW] test', text: alert.summary });
    expect(renderMessage(alert, defaults, { title: '{{subject}} at {{startsAt}}' }).title).toBe('192.0.2.1 at 2026-01-01T00:00:00.000Z');
  });
});
