import proxyaddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import { canonicalIp } from '../core/ip.js';

/**
 * The client's address for a request. Forwarding headers are believed only
 * when the peer is a configured trusted proxy: X-Forwarded-For yields its
 * right-most untrusted hop; without it, X-Real-IP. From any other peer the
 * headers are ignored and the socket address is the answer.
 */
export class ClientIpResolver {
  private readonly trusted: ((addr: string, i: number) => boolean) | undefined;

  constructor(trustedProxies: readonly string[]) {
    this.trusted = trustedProxies.length > 0 ? proxyaddr.compile([...trustedProxies]) : undefined;
  }

  resolve(req: IncomingMessage): string | undefined {
    const peer = req.socket.remoteAddress;
    if (peer === undefined) return undefined;
    const trusted = this.trusted;
    if (trusted === undefined || !trusted(peer, 0)) return canonicalIp(peer);
    if (req.headers['x-forwarded-for'] !== undefined) return canonicalIp(proxyaddr(req, trusted));
    const realIp = req.headers['x-real-ip'];
    if (typeof realIp === 'string') {
      const ip = canonicalIp(realIp.trim());
      if (ip !== undefined) return ip;
    }
    return canonicalIp(peer);
  }
}
