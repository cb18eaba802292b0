import { InvalidCursorError } from './errors.js';

/** A position in a (time, id) ordering. */
export interface CursorPosition {
  ts: number;
  id: string | number;
}

/** Opaque to clients: base64url of the last row's [time, id]. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.ts, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'number' ||
    !Number.isFinite(value[0]) ||
    (typeof value[1] !== 'string' && typeof value[1] !== 'number')
  ) {
    throw new InvalidCursorError();
  }
  return { ts: value[0], id: value[1] as string | number };
}
