import { describe, expect, it } from 'vitest';
import { Authenticator, presentedToken } from './auth.js';

const tokens = [
  { name: 'shipper', token: 'ingest-token-0123456789', scopes: ['ingest' as const] },
  { name: 'ops', token: 'admin-token-0123456789ab', scopes: ['admin' as const] },
];

describe('Authenticator', () => {
  it('lets loopback clients use the default scopes without a token, nobody else', () => {
    const auth = new Authenticator({ tokens: [], loopbackWithoutToken: ['ingest', 'read'] });
    expect(auth.check('ingest', undefined, '127.0.0.1')).toEqual({ ok: true, principal: 'loopback' });
    expect(auth.check('read', undefined, '::1')).toMatchObject({ ok: true });
    expect(auth.check('admin', undefined, '127.0.0.1')).toMatchObject({ ok: false, status: 401 });
    expect(auth.check('ingest', undefined, '192.0.2.1')).toMatchObject({ ok: false, status: 401, code: 'VIGIL_E_UNAUTHENTICATED' });
  });

  it('checks tokens and scopes; admin implies the others', () => {
    const auth = new Authenticator({ tokens, loopbackWithoutToken: [] });
    expect(auth.check('ingest', undefined, '127.0.0.1')).toMatchObject({ ok: false, status: 401 });
    expect(auth.check('ingest', 'ingest-token-0123456789', '192.0.2.1')).toEqual({ ok: true, principal: 'shipper' });
    expect(auth.check('read', 'ingest-token-0123456789', '192.0.2.1')).toMatchObject({ ok: false, status: 403, code: 'VIGIL_E_FORBIDDEN' });
    expect(auth.check('read', 'admin-token-0123456789ab', '192.0.2.1')).toEqual({ ok: true, principal: 'ops' });
    expect(auth.check('ingest', 'ingest-token-012345678X', '192.0.2.1')).toMatchObject({ ok: false, status: 401, code: 'VIGIL_E_BAD_TOKEN' });
  });

  it('reads Bearer and X-Api-Key headers', () => {
    expect(presentedToken({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedToken({ authorization: 'bearer  abc ' })).toBe('abc');
    expect(presentedToken({ 'x-api-key': 'k' })).toBe('k');
    expect(presentedToken({ authorization: 'Basic Zm9v' })).toBeUndefined();
  });
});
