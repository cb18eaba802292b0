/**
 * Store errors carry a stable `VIGIL_E_…` code so the API layer can map them
 * (backlog full → 503, bad cursor → 400) without matching on messages.
 */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** `store.url` names no supported database, or the file/directory cannot be used. */
export class StoreConfigError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'VIGIL_E_STORE_CONFIG', options);
    this.name = 'StoreConfigError';
  }
}

/** The database could not be reached or migrated at start. */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'VIGIL_E_STORE_UNAVAILABLE', options);
    this.name = 'StoreUnavailableError';
  }
}

/** The database is down and the on-disk spool is full: the caller should answer 503. */
export class StoreBacklogFullError extends StoreError {
  constructor(message: string) {
    super(message, 'VIGIL_E_STORE_BACKLOG_FULL');
    this.name = 'StoreBacklogFullError';
  }
}

/** A pagination cursor that this store did not produce. */
export class InvalidCursorError extends StoreError {
  constructor(message = 'invalid cursor: pass back the `nextCursor` of a previous page unchanged') {
    super(message, 'VIGIL_E_INVALID_CURSOR');
    this.name = 'InvalidCursorError';
  }
}
