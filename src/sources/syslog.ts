import { Type, type Static } from '@sinclair/typebox';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { sourceIngestor, type LineIngestor } from './line-ingestor.js';
import type { Source, SourceContext } from './source.js';

export const syslogSourceSchema = Type.Object(
  {
    type: Type.Literal('syslog'),
    name: Type.Optional(Type.String({ description: 'Name in metrics and logs (default syslog-<protocol>-<port>).' })),
    protocol: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')], { default: 'udp' }),
    host: Type.String({ default: '127.0.0.1', description: 'Listen address.' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 5514, description: 'Listen port.' }),
    input: Type.String({
      default: 'syslog',
      description: 'Parser for each message: syslog (RFC 3164/5424 envelope; sshd messages inside are parsed) or another name.',
    }),
    tlsCert: Type.Optional(Type.String({ description: 'PEM certificate file (protocol tls).' })),
    tlsKey: Type.Optional(Type.String({ description: 'PEM key file (protocol tls).', secret: true })),
    receiveBufferBytes: Type.Optional(
      Type.Integer({
        minimum: 4096,
        description: 'UDP: socket receive buffer (SO_RCVBUF) to absorb bursts; capped by the kernel (net.core.rmem_max). Default: the OS default.',
      }),
    ),
    maxMessageBytes: Type.Integer({ minimum: 256, default: 65_536, description: 'Longest message over TCP/TLS; beyond it the connection is closed (counted).' }),
  },
  { additionalProperties: false },
);
export type SyslogSourceConfig = Static<typeof syslogSourceSchema>;

/**
 * A syslog receiver: UDP (one message per datagram), TCP and TLS with both
 * framings of RFC 6587 — octet counting (`<length> <message>`) and
 * newline-delimited — chosen per connection from its first byte.
 */
export class SyslogSource implements Source {
  readonly type = 'syslog';
  readonly name: string;
  private readonly ingestor: LineIngestor;
  private udp: UdpSocket | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Messages wait here while the pipeline is full: bounded by TCP flow control (paused sockets) and, for UDP, counted drops. */
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** UDP datagrams dropped because too many were waiting for the pipeline. */
  droppedDatagrams = 0;
  address: { host: string; port: number } | undefined;
  private stopped = false;

  constructor(
    private readonly config: SyslogSourceConfig,
    private readonly ctx: SourceContext,
    batchSize: number,
    private readonly maxPendingDatagrams = 10_000,
  ) {
    this.name = config.name ?? `syslog-${config.protocol}-${config.port}`;
    this.ingestor = sourceIngestor(this.name, config.input, ctx, batchSize);
  }

  async start(): Promise<void> {
    const { protocol, host, port } = this.config;
    if (protocol === 'udp') {
      const udp = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: this.config.receiveBufferBytes });
      this.udp = udp;
      udp.on('message', (message) => this.datagram(message));
      udp.on('error', (err) => this.ctx.logger.error({ source: this.name, err }, 'syslog UDP socket error'));
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const bound = udp.address();
      this.address = { host: bound.address, port: bound.port };
      return;
    }
    const onConnection = (socket: Socket) => this.connection(socket);
    const server =
      protocol === 'tls'
        ? createTlsServer({ cert: readFileSync(this.config.tlsCert ?? ''), key: readFileSync(this.config.tlsKey ?? '') }, onConnection)
        : createServer(onConnection);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address();
    if (bound !== null && typeof bound === 'object') this.address = { host: bound.address, port: bound.port };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.udp?.close();
    if (this.server !== undefined) {
      const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
      for (const socket of this.sockets) socket.end();
      await closed;
    }
    await this.chain;
    await this.ingestor.flush();
  }

  /** Queue work behind what is already waiting, so messages keep their order. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.inFlight++;
    const next = this.chain.then(work).finally(() => this.inFlight--);
    this.chain = next.catch((err: unknown) => this.ctx.logger.error({ source: this.name, err }, 'syslog ingest failed'));
    return next;
  }

  private datagram(message: Buffer): void {
    if (this.inFlight >= this.maxPendingDatagrams) {
      // UDP has no flow control: beyond this many waiting messages, drop and count.
      this.droppedDatagrams++;
      this.ctx.counters.for(this.name).errors++;
      return;
    }
    const text = trimMessage(message.toString('utf8'));
    void this.enqueue(() => this.ingestor.line(text));
  }

  private connection(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', (err) => this.ctx.logger.debug({ source: this.name, err }, 'syslog connection error'));
    const max = this.config.maxMessageBytes;
    let buffer: Buffer = Buffer.alloc(0);
    let octetCounting: boolean | undefined;
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const messages: string[] = [];
      for (;;) {
        if (buffer.length === 0) break;
        octetCounting ??= buffer[0] !== undefined && buffer[0] >= 0x30 && buffer[0] <= 0x39;
        if (octetCounting) {
          const space = buffer.indexOf(0x20);
          if (space === -1) {
            if (buffer.length > 10) return this.reject(socket, 'octet count too long');
            break;
          }
          const length = Number(buffer.subarray(0, space).toString('latin1'));
          if (!Number.isInteger(length) || length <= 0 || length > max) return this.reject(socket, `bad octet count ${buffer.subarray(0, space).toString('latin1').slice(0, 12)}`);
          if (buffer.length < space + 1 + length) break;
          messages.push(trimMessage(buffer.toString('utf8', space + 1, space + 1 + length)));
          buffer = buffer.subarray(space + 1 + length);
        } else {
          const newline = buffer.indexOf(0x0a);
          if (newline === -1) {
            if (buffer.length > max) return this.reject(socket, 'message longer than maxMessageBytes');
            break;
          }
          messages.push(trimMessage(buffer.toString('utf8', 0, newline)));
          buffer = buffer.subarray(newline + 1);
        }
      }
      if (messages.length === 0) return;
      // Hold the connection while the pipeline takes these: TCP carries the backpressure.
      socket.pause();
      void this.enqueue(async () => {
        for (const message of messages) await this.ingestor.line(message);
      }).finally(() => socket.resume());
    });
    socket.on('end', () => {
      if (buffer.length > 0 && !octetCounting) {
        const rest = trimMessage(buffer.toString('utf8'));
        buffer = Buffer.alloc(0);
        void this.enqueue(() => this.ingestor.line(rest));
      }
    });
  }

  private reject(socket: Socket, reason: string): void {
    this.ctx.counters.for(this.name).errors++;
    this.ctx.logger.warn({ source: this.name, reason }, 'syslog framing error: connection closed');
    socket.destroy();
  }
}

/** Drop a trailing CR / LF / NUL (some senders terminate messages with them). */
function trimMessage(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 0) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}
