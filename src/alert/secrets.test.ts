import { describe, expect, it } from 'vitest';
import { AlertConfigError, resolveSecret } from './secrets.js';

describe('channel secrets', () => {
  it('reads env:NAME from the environment and keeps literal values', () => {
    expect(resolveSecret('env:HOOK_KEY', 'x', { HOOK_KEY: 's3cret' })).toBe('s3cret');
    expect(resolveSecret('literal', 'x', {})).toBe('literal');
    expect(resolveSecret(undefined, 'x', {})).toBeUndefined();
    expect(() => resolveSecret('env:MISSING', 'alerts.channels[0].secret', {})).toThrow(AlertConfigError);
    expect(() => resolveSecret('env:MISSING', 'alerts.channels[0].secret', {})).toThrow('alerts.channels[0].secret: environment variable MISSING is not set');
  });
});
