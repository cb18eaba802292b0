import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A failure of the write thread itself (it exited or could not start), not
 * of the rows: transient, so the batch is spooled and retried (a new thread
 * is started for the next write).
 */
export class SqliteWriteThreadError extends Error {
  readonly code = 'VIGIL_E_STORE_THREAD';
}

export interface SqliteWriteThreadOptions {
  file: string;
  busyTimeoutMs: number;
  /** Run on the thread's connection after opening, as on the main one (journal mode, synchronous, cache). */
  pragmas: readonly string[];
  /** One prepared statement per table; a row is its parameter values (an array for `?`, an object for `@name`). */
  statements: readonly string[];
}

/**
 * The worker: its own better-sqlite3 connection to the same file (WAL lets the
 * main thread's connection read meanwhile), the statements prepared once, one
 * transaction per message. Plain CommonJS evaluated from a string, so it runs
 * the same from the sources (tests) and the build; the driver is required by
 * the absolute path the main thread resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
for (const pragma of workerData.pragmas) db.pragma(pragma);
const statements = workerData.statements.map((text) => db.prepare(text));
const write = db.transaction((tables) => {
  for (let t = 0; t < tables.length; t++) {
    const statement = statements[t];
    for (const row of tables[t]) statement.run(row);
  }
});
parentPort.on('message', (message) => {
  if (message.close === true) {
    db.close();
    parentPort.close();
    return;
  }
  try {
    write(message.tables);
    parentPort.postMessage({ id: message.id });
  } catch (err) {
    parentPort.postMessage({ id: message.id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Runs SQLite write transactions on a worker thread, so a batch of thousands
 * of rows never blocks the event loop (ingestion, detection and the API keep
 * answering while SQLite maintains its indexes), and the insert work runs on
 * a second core. `write` resolves once the transaction has committed; a
 * database error is rethrown with its SQLite code (so transient ones are
 * retried and bad rows dead-lettered as before).
 *
 * The thread holds the process open only while a write is in flight. It is
 * never terminated mid-write (better-sqlite3 cannot be interrupted inside a
 * statement): `close` waits for the writes in flight, then asks the thread to
 * close its connection and exit.
 */
export class SqliteWriteThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: SqliteWriteThreadOptions) {}

  /** Rows per statement, in the order of `options.statements`, in one transaction. */
  write(tables: readonly (readonly object[])[]): Promise<void> {
    if (this.closed) return Promise.reject(new SqliteWriteThreadError('the SQLite write thread is closed'));
    const worker = this.start();
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, tables });
    });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return done;
  }

  /** Waits for the writes in flight, then closes the thread's connection and lets the thread exit. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.inFlight);
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref();
    worker.postMessage({ close: true });
    await exited;
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const { file, busyTimeoutMs, pragmas, statements } = this.options;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, busyTimeoutMs, pragmas, statements } });
    worker.unref();
    worker.on('message', (message: { id: number; error?: { message: string; code?: string } }) => {
      const pending = this.pending.get(message.id);
      if (pending === undefined) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.error === undefined) pending.resolve();
      else pending.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    });
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`exited with code ${code}`)));
    worker.on('messageerror', (err) => this.lost(worker, err));
    this.worker = worker;
    return worker;
  }

  /** The thread died: what was in flight failed (transiently); the next write starts a new one. */
  private lost(worker: Worker, cause: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(new SqliteWriteThreadError(`the SQLite write thread stopped: ${cause.message}`, { cause }));
  }

  private failAll(err: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
  }
}
