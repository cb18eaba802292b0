/** What the hub writes to: an http.ServerResponse (or any Writable) after the SSE headers went out. */
export interface SseTarget {
  write(chunk: string): boolean;
  end(): void;
  readonly writableLength: number;
  readonly destroyed?: boolean;
}

interface Client {
  target: SseTarget;
  /** Messages dropped since the client last caught up. */
  dropped: number;
}

export interface SseHubOptions {
  /** Most concurrent clients; more are refused. */
  maxClients: number;
  /** Bytes a client may have waiting in its socket buffer; beyond it messages are dropped for that client. */
  maxBufferedBytes: number;
}

/**
 * Server-Sent Events fan-out. Each message is serialised once. A client
 * whose socket buffer is over `maxBufferedBytes` (it reads too slowly) gets
 * no more messages until it drains: they are dropped and counted, and once it
 * catches up it first receives `event: dropped` so it can reload its state.
 * Memory per client is therefore bounded by the buffer limit.
 */
export class SseHub {
  private readonly clients = new Set<Client>();
  /** Messages dropped for slow clients (all clients, all time). */
  dropped = 0;
  /** Clients refused because maxClients were connected. */
  refused = 0;
  /** Messages sent (per client). */
  sent = 0;

  constructor(private readonly options: SseHubOptions) {}

  get size(): number {
    return this.clients.size;
  }

  /** Register a client; undefined (counted) when the hub is full. Returns the function that unregisters it. */
  add(target: SseTarget): (() => void) | undefined {
    if (this.clients.size >= this.options.maxClients) {
      this.refused++;
      return undefined;
    }
    const client: Client = { target, dropped: 0 };
    this.clients.add(client);
    return () => {
      this.clients.delete(client);
    };
  }

  /** Send one event to every client. */
  broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const message = formatSse(event, data);
    const bytes = Buffer.byteLength(message);
    for (const client of this.clients) this.deliver(client, message, bytes);
  }

  /** Send one event to one client (its first message, e.g.). */
  sendTo(target: SseTarget, event: string, data: unknown): void {
    const message = formatSse(event, data);
    for (const client of this.clients) if (client.target === target) this.deliver(client, message, Buffer.byteLength(message));
  }

  /** End every stream (server shutdown). */
  close(): void {
    for (const client of this.clients) client.target.end();
    this.clients.clear();
  }

  private deliver(client: Client, message: string, bytes: number): void {
    const target = client.target;
    if (target.destroyed === true) {
      this.clients.delete(client);
      return;
    }
    if (target.writableLength + bytes > this.options.maxBufferedBytes) {
      client.dropped++;
      this.dropped++;
      return;
    }
    if (client.dropped > 0) {
      target.write(formatSse('dropped', { dropped: client.dropped }));
      client.dropped = 0;
    }
    target.write(message);
    this.sent++;
  }
}

/** One SSE message: `event:` line, one `data:` line of JSON (JSON has no raw newlines), blank line. */
export function formatSse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
