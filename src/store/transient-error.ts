/**
 * Whether a failed write is worth retrying later (the database is down,
 * locked, restarting, out of connections) rather than a problem with the
 * rows themselves. Transient failures spool the batch; permanent ones send
 * the offending rows to the dead-letter file.
 */
export function isTransientError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; errno?: unknown; message?: unknown; fatal?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  // Node sockets and mysql2
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'ENOTFOUND',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'EAI_AGAIN',
      'PROTOCOL_CONNECTION_LOST',
      'PROTOCOL_SEQUENCE_TIMEOUT',
      'ER_CON_COUNT_ERROR',
      'ER_SERVER_SHUTDOWN',
      'ER_LOCK_WAIT_TIMEOUT',
      'ER_LOCK_DEADLOCK',
      'ER_OPTION_PREVENTS_STATEMENT', // read-only replica during failover
      'ER_CONNECTION_KILLED',
      'VIGIL_E_STORE_THREAD', // the SQLite write thread stopped; the next write starts a new one
    ].includes(code)
  ) {
    return true;
  }
  if (e.fatal === true) return true; // mysql2: the connection is unusable
  // SQLite (better-sqlite3 codes, extended codes share the prefix)
  if (/^SQLITE_(BUSY|LOCKED|READONLY|CANTOPEN|IOERR|FULL|PROTOCOL|NOMEM)/.test(code)) return true;
  // PostgreSQL SQLSTATE: connection exception, insufficient resources, operator intervention,
  // serialization failure / deadlock, and 23514 "no partition of relation found" (a partition dropped meanwhile).
  if (/^(08|53|57P)/.test(code) || code === '40001' || code === '40P01' || code === '55P03') return true;
  if (code === '23514' && message.includes('no partition')) return true;
  if (/Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|connect ECONNREFUSED|Pool is closed/i.test(message)) {
    return true;
  }
  return false;
}
