import { createHash, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { isLoopback } from '../core/ip.js';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const authConfigSchema = Type.Object(
  {
    tokens: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'Who holds the token (shown in logs, never the token).' }),
          token: Type.String({ minLength: 16, secret: true, description: 'The secret; at least 16 characters.' }),
          scopes: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), {
            minItems: 1,
            description: 'ingest (post events), read (detections, raw data), admin (change state; implies the others).',
          }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'API tokens. Sent as `Authorization: Bearer <token>` or `X-Api-Key: <token>`.' },
    ),
    loopbackWithoutToken: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), {
      default: ['ingest', 'read'],
      description:
        'Scopes granted without a token to clients on the loopback address (127.0.0.0/8, ::1). Set [] to require tokens everywhere.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type AuthConfig = Static<typeof authConfigSchema>;

export type AuthResult =
  | { ok: true; principal: string }
  | { ok: false; status: 401 | 403; code: string; message: string };

interface TokenEntry {
  name: string;
  digest: Buffer;
  scopes: Set<Scope>;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Token and scope checks. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, so neither the comparison time nor an early exit tells an
 * attacker how much of a guess was right.
 */
export class Authenticator {
  private readonly tokens: TokenEntry[];
  private readonly loopbackScopes: Set<Scope>;

  constructor(config: AuthConfig) {
    this.tokens = config.tokens.map((t) => ({ name: t.name, digest: digest(t.token), scopes: new Set(t.scopes) }));
    this.loopbackScopes = new Set(config.loopbackWithoutToken);
  }

  /**
   * `rawData`: the route reveals raw events; no token-less access then, not even
   * from loopback.
   */
  check(scope: Scope, presented: string | undefined, peerAddress: string | undefined, rawData = false): AuthResult {
    if (presented === undefined || presented === '') {
      if (!rawData && peerAddress !== undefined && isLoopback(peerAddress) && this.loopbackScopes.has(scope)) {
        return { ok: true, principal: 'loopback' };
      }
      return {
        ok: false,
        status: 401,
        code: 'VIGIL_E_UNAUTHENTICATED',
        message: `this endpoint needs a token with the '${scope}' scope (Authorization: Bearer <token> or X-Api-Key)`,
      };
    }
    const presentedDigest = digest(presented);
    let match: TokenEntry | undefined;
    for (const entry of this.tokens) {
      // Compare against every token, without stopping early.
      if (timingSafeEqual(entry.digest, presentedDigest)) match = entry;
    }
    if (match === undefined) {
      return { ok: false, status: 401, code: 'VIGIL_E_BAD_TOKEN', message: 'the token is not valid' };
    }
    if (!match.scopes.has(scope) && !match.scopes.has('admin')) {
      return {
        ok: false,
        status: 403,
        code: 'VIGIL_E_FORBIDDEN',
        message: `token '${match.name}' lacks the '${scope}' scope`,
      };
    }
    return { ok: true, principal: match.name };
  }
}

/** The token from `Authorization: Bearer …` or `X-Api-Key`. */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) {
    return authorization.slice(7).trim();
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}
