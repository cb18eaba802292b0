import type { Static } from '@sinclair/typebox';
import type {
  cefSyslogDestinationSchema,
  elasticDestinationSchema,
  httpDestinationSchema,
  leefSyslogDestinationSchema,
  sentinelDestinationSchema,
  splunkHecDestinationSchema,
  syslogDestinationSchema,
} from './config.js';

/** The configuration of each destination type, as validated (defaults applied). */
export type CefSyslogDestination = Static<typeof cefSyslogDestinationSchema>;
export type LeefSyslogDestination = Static<typeof leefSyslogDestinationSchema>;
export type SyslogDestination = Static<typeof syslogDestinationSchema>;
export type SplunkHecDestination = Static<typeof splunkHecDestinationSchema>;
export type ElasticDestination = Static<typeof elasticDestinationSchema>;
export type SentinelDestination = Static<typeof sentinelDestinationSchema>;
export type HttpDestination = Static<typeof httpDestinationSchema>;
