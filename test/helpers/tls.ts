import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs the openssl CLI (test certificates), with a clear error when it is missing. */
export function openssl(...args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: 'ignore' });
  } catch (err) {
    throw new Error(`openssl is needed to make test certificates (apt-get install openssl): ${(err as Error).message}`);
  }
}

/** A throw-away self-signed certificate for 127.0.0.1 in `dir`: key.pem and cert.pem (paths returned). */
export function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=vigil-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert);
  return { key, cert };
}
