/** One failed login kept in a window: the evidence a detector may need later. */
export interface FailureRef {
  eventId: string;
  username: string | undefined;
  ip: string;
}

export const usernameOf = (ref: FailureRef): string | undefined => ref.username;
export const ipOf = (ref: FailureRef): string | undefined => ref.ip;

/** `create` for KeyedState.touch when the entry is known to exist (no closure per event). */
export function existing(): never {
  throw new Error('KeyedState entry expected to exist');
}
