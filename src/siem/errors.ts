/** A delivery attempt failed. `retryable` says whether trying the same records again can succeed. */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  /** The SIEM could not be reached at all (refused, reset, timeout, DNS): an outage, not a rejection. */
  readonly unreachable: boolean;
  /** From a Retry-After header, in ms. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(message: string, options: { retryable: boolean; unreachable?: boolean; retryAfterMs?: number; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.retryable = options.retryable;
    this.unreachable = options.unreachable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/** The SIEM configuration cannot work (duplicate names, bad option combination). */
export class SiemConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiemConfigError';
  }
}

/** Delivery was cut short because the forwarder is closing. */
export class DeliveryAbortedError extends Error {
  constructor() {
    super('delivery aborted: forwarder closing');
    this.name = 'DeliveryAbortedError';
  }
}
