import { readFileSync } from 'node:fs';
import type { SiemDestinationConfig } from '../config.js';
import type { SiemTransport } from '../transport.js';
import { ElasticTransport } from './elastic.js';
import { HttpJsonTransport } from './http-json.js';
import { SentinelTransport } from './sentinel.js';
import { SplunkHecTransport } from './splunk-hec.js';
import { SyslogTransport } from './syslog.js';

export interface TransportContext {
  /** This machine's host name, for syslog HOSTNAME and Splunk `host`. */
  hostname: string;
}

function readPem(path: string | undefined): string | undefined {
  return path === undefined ? undefined : readFileSync(path, 'utf8');
}

/** The registry: one factory per destination `type`. */
export function createTransport(config: SiemDestinationConfig, context: TransportContext): SiemTransport {
  const tls = { ca: readPem(config.caFile), rejectUnauthorized: config.rejectUnauthorized };
  switch (config.type) {
    case 'cef-syslog':
    case 'leef-syslog':
    case 'syslog':
      return new SyslogTransport(config, context.hostname, { ca: tls.ca, cert: readPem(config.certFile), key: readPem(config.keyFile) });
    case 'splunk-hec':
      return new SplunkHecTransport(config, context.hostname, tls);
    case 'elastic':
      return new ElasticTransport(config, tls);
    case 'sentinel':
      return new SentinelTransport(config, tls);
    case 'http':
      return new HttpJsonTransport(config, tls);
  }
}
