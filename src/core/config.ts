import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseDocument } from 'yaml';
import { authConfigSchema } from '../api/auth.js';
import { serverConfigSchema } from '../api/server-config.js';
import { detectorsConfigSchema } from '../detect/index.js';
import { geoIpConfigSchema } from '../enrich/geoip.js';
import { metricsConfigSchema } from '../metrics/config.js';
import { pipelineConfigSchema } from '../pipeline/pipeline.js';
import { enforcementConfigSchema } from '../respond/enforcement.js';
import { responseConfigSchema } from '../respond/responder.js';
import { sourcesConfigSchema } from '../sources/index.js';
import { storeConfigSchema } from '../store/config.js';
import { siemConfigSchema } from '../siem/config.js';
import { detectionsFileConfigSchema } from '../sinks/ndjson-file.js';
import { healConfigSchema } from '../k8s/config.js';
import { alertConfigSchema } from '../alert/config.js';
import { uiConfigSchema } from '../ui/config.js';
import { intelConfigSchema } from '../intel/config.js';
import { complianceConfigSchema } from '../compliance/config.js';
import { natsAlertsConfigSchema } from '../sinks/nats-alerts.js';
import { kafkaAlertsConfigSchema } from '../sinks/kafka-alerts.js';
import { stateConfigSchema } from '../state/config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The whole configuration; each component's part is declared next to its code. */
export const configSchema = Type.Object(
  {
    dataDir: Type.String({ default: './data', description: 'Where Vigil keeps its files (relative to the working directory).' }),
    timeZone: Type.String({
      default: 'UTC',
      description: 'IANA time zone for log time stamps that carry none (classic syslog).',
    }),
    server: serverConfigSchema,
    auth: authConfigSchema,
    sources: sourcesConfigSchema,
    pipeline: pipelineConfigSchema,
    store: storeConfigSchema,
    siem: siemConfigSchema,
    response: responseConfigSchema,
    alerts: alertConfigSchema,
    enforcement: enforcementConfigSchema,
    detectors: detectorsConfigSchema,
    geoip: geoIpConfigSchema,
    metrics: metricsConfigSchema,
    intel: intelConfigSchema,
    heal: healConfigSchema,
    ui: uiConfigSchema,
    compliance: complianceConfigSchema,
    state: stateConfigSchema,
    sinks: Type.Object({ detectionsFile: detectionsFileConfigSchema, nats: natsAlertsConfigSchema, kafka: kafkaAlertsConfigSchema }, { additionalProperties: false, default: {} }),
    log: Type.Object(
      {
        level: Type.Union(
          LOG_LEVELS.map((l) => Type.Literal(l)),
          { default: 'info', description: 'Log level (logs are JSON lines on stderr).' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type VigilConfig = Static<typeof configSchema>;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length > 0 ? `${message}\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: VigilConfig;
  /** The file read, if any. */
  file: string | undefined;
  /** Environment variables applied, by name. */
  envApplied: string[];
  /** VIGIL_* variables that name no option. */
  warnings: string[];
}

export interface LoadOptions {
  /** --config; otherwise VIGIL_CONFIG, otherwise ./vigil.yaml when present. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Extra values applied over file and env (CLI flags). */
  overrides?: Record<string, unknown>;
}

/** Env variables with the VIGIL_ prefix that are not config paths. */
const NON_CONFIG_ENV = new Set(['VIGIL_CONFIG']);

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let file: string | undefined;
  const explicit = options.path ?? env.VIGIL_CONFIG;
  if (explicit !== undefined && explicit !== '') {
    file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
  } else if (existsSync(resolve(cwd, 'vigil.yaml'))) {
    file = resolve(cwd, 'vigil.yaml');
  }

  let raw: unknown = {};
  if (file !== undefined) raw = readYaml(file);
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file}: the top level must be a mapping of options`);
  }
  const value = raw as Record<string, unknown>;

  const origins = new Map<string, string>();
  const warnings: string[] = [];
  const envApplied: string[] = [];
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith('VIGIL_') || NON_CONFIG_ENV.has(name) || text === undefined) continue;
    const target = resolveEnvPath(name.slice('VIGIL_'.length), configSchema);
    if (target === undefined) {
      warnings.push(`${name}: no such option (ignored)`);
      continue;
    }
    setPath(value, target.path, coerce(text, target.schema));
    origins.set(target.path.join('.'), name);
    envApplied.push(name);
  }
  for (const [path, v] of Object.entries(options.overrides ?? {})) {
    if (v !== undefined) setPath(value, path.split('.'), v);
  }

  dropEmptySections(value, configSchema);
  const withDefaults = Value.Default(configSchema, value);
  const problems: string[] = [];
  for (const error of Value.Errors(configSchema, withDefaults)) {
    const path = pointerToPath(error.path);
    if (error.type === 62 /* Union: report the union once, not each member */ && problems.some((p) => p.startsWith(path + ':'))) {
      continue;
    }
    const origin = origins.get(path);
    problems.push(`${path || '(top level)'}: ${explain(error.schema, error.value, error.message)}${origin ? ` (from ${origin})` : ''}`);
    if (problems.length >= 20) break;
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration${file ? ` in ${file}` : ''}`, dedupe(problems));
  }
  return { config: withDefaults as VigilConfig, file, envApplied, warnings };
}

function readYaml(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${file}: not valid YAML`, doc.errors.map((e) => e.message.split('\n')[0] ?? e.message));
  }
  return doc.toJS();
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** A user-facing description of what the schema wanted. */
function explain(schema: TSchema, value: unknown, fallback: string): string {
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.anyOf) && s.anyOf.every((m: Record<string, unknown>) => 'const' in m)) {
    return `expected one of ${s.anyOf.map((m: Record<string, unknown>) => String(m.const)).join(', ')}, got ${got}`;
  }
  if (fallback.startsWith('Unexpected property')) return 'unknown option';
  const type = s.type;
  const bounds: string[] = [];
  if (typeof s.minimum === 'number') bounds.push(`>= ${s.minimum}`);
  if (typeof s.exclusiveMinimum === 'number') bounds.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === 'number') bounds.push(`<= ${s.maximum}`);
  if (typeof s.minLength === 'number') bounds.push(`at least ${s.minLength} characters`);
  if (typeof s.minItems === 'number') bounds.push(`at least ${s.minItems} items`);
  if (typeof type === 'string') {
    const article = type === 'integer' || type === 'array' || type === 'object' ? 'an' : 'a';
    return `expected ${article} ${type}${bounds.length ? ` (${bounds.join(', ')})` : ''}, got ${got}`;
  }
  return `${fallback.toLowerCase()}, got ${got}`;
}

function upperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * VIGIL_SERVER_PORT → ['server', 'port']; VIGIL_DETECTORS_BRUTE_FORCE_THRESHOLD →
 * ['detectors', 'bruteForce', 'threshold']. camelCase keys are written in
 * UPPER_SNAKE; the schema decides where one key ends and the next begins.
 */
export function resolveEnvPath(rest: string, schema: TSchema): { path: string[]; schema: TSchema } | undefined {
  if (rest === '') return { path: [], schema };
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (properties === undefined) return undefined;
  for (const [key, child] of Object.entries(properties)) {
    const name = upperSnake(key);
    if (rest === name) return { path: [key], schema: child };
    if (rest.startsWith(name + '_')) {
      const inner = resolveEnvPath(rest.slice(name.length + 1), child);
      if (inner !== undefined) return { path: [key, ...inner.path], schema: inner.schema };
    }
  }
  return undefined;
}

/** Turn an env string into the schema's type; leave it as text when it does not fit, so validation names the problem. */
function coerce(text: string, schema: TSchema): unknown {
  const type = (schema as { type?: string }).type;
  const trimmed = text.trim();
  if (type === 'integer' || type === 'number') {
    const n = Number(trimmed);
    return trimmed !== '' && Number.isFinite(n) ? n : text;
  }
  if (type === 'boolean') {
    const lower = trimmed.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    return text;
  }
  if (type === 'array' || type === 'object') {
    if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
      try {
        return JSON.parse(trimmed);
      } catch {
        return text;
      }
    }
    if (type === 'array') return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
  }
  return text;
}

/** `server:` with every option commented out parses as null: treat it as an empty section. */
function dropEmptySections(value: Record<string, unknown>, schema: TSchema): void {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (properties === undefined) return;
  for (const [key, child] of Object.entries(properties)) {
    if ((child as { type?: string }).type !== 'object') continue;
    if (value[key] === null) delete value[key];
    const inner = value[key];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) dropEmptySections(inner as Record<string, unknown>, child);
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/** A copy of the config with every schema field marked `secret` replaced by "***". */
export function redactSecrets(value: unknown, schema: TSchema = configSchema): unknown {
  const s = schema as Record<string, unknown>;
  if (s.secret === true && value !== undefined && value !== '') return '***';
  // A union (e.g. one destination type or another): a field secret in any member is redacted.
  if (Array.isArray(s.anyOf)) return (s.anyOf as TSchema[]).reduce<unknown>((out, member) => redactSecrets(out, member), value);
  if (Array.isArray(value) && s.items !== undefined) return value.map((item) => redactSecrets(item, s.items as TSchema));
  if (typeof value === 'object' && value !== null && s.properties !== undefined) {
    const properties = s.properties as Record<string, TSchema>;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = properties[key] ? redactSecrets(v, properties[key]) : v;
    return out;
  }
  return value;
}
