import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { CefSyslogDestination, LeefSyslogDestination, SyslogDestination } from '../destination-types.js';
import { DeliveryError } from '../errors.js';
import { formatSyslog, type Facility, type SyslogBody, type SyslogOptions } from '../formatters/syslog.js';
import { validateLeefDelimiter } from '../formatters/leef.js';
import type { SiemRecord } from '../record.js';
import type { SiemTransport } from '../transport.js';

export interface SyslogTlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
}

type AnySyslogDestination = CefSyslogDestination | LeefSyslogDestination | SyslogDestination;

/** Formatting options for a syslog destination (shared with tests and the bench). */
export function syslogOptionsOf(config: AnySyslogDestination, hostname: string): SyslogOptions {
  const body: SyslogBody = config.type === 'cef-syslog' ? 'cef' : config.type === 'leef-syslog' ? 'leef' : config.body;
  const leef = config.type === 'cef-syslog' ? undefined : { delimiter: config.delimiter, delimiterNotation: config.delimiterNotation };
  return {
    protocol: config.protocol,
    hostname: config.hostname || hostname,
    appName: config.appName,
    facility: config.facility as Facility,
    body,
    structuredData: config.structuredData,
    sdId: config.sdId,
    // One datagram per message: stay well under the 65,507-byte UDP payload limit.
    maxMessageBytes: config.transport === 'udp' ? Math.min(config.maxMessageBytes, 65_000) : config.maxMessageBytes,
    ...(leef !== undefined ? { leef } : {}),
  };
}

/** RFC 6587 framing of one message for a stream transport. */
export function frameSyslog(message: string, framing: 'octet-counting' | 'non-transparent'): string {
  if (framing === 'octet-counting') return `${Buffer.byteLength(message, 'utf8')} ${message}`;
  return `${message.replace(/\r?\n/g, ' ')}\n`;
}

/**
 * Syslog over UDP (RFC 5426: one message per datagram), TCP (RFC 6587) or
 * TLS (RFC 5425, octet-counted). One connection, opened on first use and
 * again after it breaks. A batch counts as delivered once the bytes are
 * handed to the kernel: plain syslog has no application acknowledgement,
 * so a connection reset right after a write can lose what was in flight
 * (RELP would close that gap; rsyslog's omrelp / imrelp).
 */
export class SyslogTransport implements SiemTransport {
  private socket: Socket | undefined;
  private udp: UdpSocket | undefined;
  private readonly options: SyslogOptions;

  constructor(
    private readonly config: AnySyslogDestination,
    hostname: string,
    private readonly tls: SyslogTlsMaterial = {},
  ) {
    this.options = syslogOptionsOf(config, hostname);
    // Fail at start, not on every send, when the LEEF delimiter cannot work.
    if (this.options.body === 'leef') validateLeefDelimiter(this.options.leef?.delimiter ?? '\t');
  }

  async send(records: readonly SiemRecord[], signal: AbortSignal): Promise<void> {
    const messages = records.map((r) => formatSyslog(r, this.options));
    if (this.config.transport === 'udp') {
      await this.sendUdp(messages);
      return;
    }
    const framing = this.config.transport === 'tls' ? 'octet-counting' : this.config.framing;
    const payload = Buffer.from(messages.map((m) => frameSyslog(m, framing)).join(''), 'utf8');
    const socket = await this.connected(signal);
    await new Promise<void>((resolve, reject) => {
      socket.write(payload, (error) => {
        if (error) {
          this.drop();
          reject(new DeliveryError(`syslog ${this.where()}: ${error.message}`, { retryable: true, unreachable: true, cause: error }));
        } else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 1000).unref();
      });
    }
    const udp = this.udp;
    this.udp = undefined;
    if (udp !== undefined) await new Promise<void>((resolve) => udp.close(() => resolve()));
  }

  private where(): string {
    return `${this.config.transport}://${this.config.host}:${this.config.port}`;
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async sendUdp(messages: string[]): Promise<void> {
    if (this.udp === undefined) {
      this.udp = createSocket(this.config.host.includes(':') ? 'udp6' : 'udp4');
      this.udp.on('error', () => this.udp?.close());
      this.udp.unref();
    }
    const udp = this.udp;
    for (const message of messages) {
      await new Promise<void>((resolve, reject) => {
        udp.send(Buffer.from(message, 'utf8'), this.config.port, this.config.host, (error) =>
          error ? reject(new DeliveryError(`syslog ${this.where()}: ${error.message}`, { retryable: true, unreachable: true, cause: error })) : resolve(),
        );
      });
    }
  }

  private connected(signal: AbortSignal): Promise<Socket> {
    if (this.socket !== undefined && !this.socket.destroyed && this.socket.writable) return Promise.resolve(this.socket);
    this.drop();
    return new Promise<Socket>((resolve, reject) => {
      const timeoutMs = this.config.timeoutSeconds * 1000;
      const socket =
        this.config.transport === 'tls'
          ? tlsConnect({
              host: this.config.host,
              port: this.config.port,
              // SNI carries host names only (RFC 6066); an address is still verified against the certificate's IP SANs.
              servername: this.config.serverName ?? (isIP(this.config.host) === 0 ? this.config.host : undefined),
              ca: this.tls.ca,
              cert: this.tls.cert,
              key: this.tls.key,
              rejectUnauthorized: this.config.rejectUnauthorized,
            })
          : netConnect({ host: this.config.host, port: this.config.port });
      const fail = (error: Error) => {
        cleanup();
        socket.destroy();
        reject(new DeliveryError(`syslog ${this.where()}: ${error.message}`, { retryable: true, unreachable: true, cause: error }));
      };
      const onAbort = () => fail(new Error('aborted'));
      const timer = setTimeout(() => fail(new Error(`connect timeout after ${timeoutMs} ms`)), timeoutMs);
      const onReady = () => {
        cleanup();
        socket.setKeepAlive(true, 30_000);
        // A broken connection is noticed here and replaced on the next send.
        socket.on('error', () => this.socket === socket && this.drop());
        socket.on('close', () => this.socket === socket && (this.socket = undefined));
        // Receivers send nothing on plain syslog; read to notice a close.
        socket.resume();
        this.socket = socket;
        resolve(socket);
      };
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('error', fail);
        socket.off(this.config.transport === 'tls' ? 'secureConnect' : 'connect', onReady);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', fail);
      socket.once(this.config.transport === 'tls' ? 'secureConnect' : 'connect', onReady);
    });
  }
}
