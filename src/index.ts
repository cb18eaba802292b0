/** Embedding Vigil: the service, its configuration and the core types. */
export { VigilService, type ServiceOptions } from './service.js';
export { loadConfig, ConfigError, type VigilConfig } from './core/config.js';
export { createLogger } from './core/logger.js';
export type { SecurityEvent, EventKind, HttpInfo } from './core/event.js';
export type { Detection, Incident, Decision, Evidence } from './core/detection.js';
export { THREAT_LEVELS, upgrade, compareLevels, type ThreatLevel } from './core/threat-level.js';
