import { readFileSync } from 'node:fs';
import type { ServerConfig } from './server-config.js';

/** The server's TLS settings could not be used (a file is missing or unreadable). */
export class TlsConfigError extends Error {}

function readPem(path: string, what: string): Buffer {
  if (path === '') throw new TlsConfigError(`server.tls.${what}: set a PEM file path (server.tls.enabled is true)`);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsConfigError(`server.tls.${what}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Node `https` options from `server.tls` (files read once at start). */
export function httpsOptions(tls: ServerConfig['tls']): {
  cert: Buffer;
  key: Buffer;
  passphrase?: string;
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: boolean;
} {
  const cert = readPem(tls.cert, 'cert');
  const key = readPem(tls.key, 'key');
  if (tls.clientAuth !== 'none' && tls.ca === '') {
    throw new TlsConfigError(`server.tls.ca: clientAuth ${tls.clientAuth} needs the CA file client certificates chain to`);
  }
  return {
    cert,
    key,
    ...(tls.passphrase !== '' ? { passphrase: tls.passphrase } : {}),
    ...(tls.ca !== '' ? { ca: readPem(tls.ca, 'ca') } : {}),
    requestCert: tls.clientAuth !== 'none',
    rejectUnauthorized: tls.clientAuth === 'required',
  };
}
