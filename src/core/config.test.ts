import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactSecrets, resolveEnvPath, configSchema } from './config.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vigil-config-'));
}

function yamlFile(text: string): string {
  const dir = tempDir();
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on embedded defaults with no file and no env', () => {
    const { config, file } = loadConfig({ env: {}, cwd: tempDir() });
    expect(file).toBeUndefined();
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.port).toBe(8080);
    expect(config.dataDir).toBe('./data');
    expect(config.detectors.bruteForce).toMatchObject({ enabled: true, threshold: 5, windowSeconds: 300, severity: 'HIGH' });
  });

  it('reads vigil.yaml from the working directory, or the file named by VIGIL_CONFIG / --config', () => {
    const file = yamlFile('server:\n  port: 9999\n');
    const dir = join(file, '..');
    expect(loadConfig({ env: {}, cwd: dir }).config.server.port).toBe(9999);
    expect(loadConfig({ env: { VIGIL_CONFIG: file }, cwd: tempDir() }).config.server.port).toBe(9999);
    expect(loadConfig({ path: file, env: {}, cwd: tempDir() }).file).toBe(file);
    expect(() => loadConfig({ path: '/nonexistent/vigil.yaml', env: {} })).toThrow(/not found/);
  });

  it('applies VIGIL_<PATH> overrides with the schema types, camelCase written as UPPER_SNAKE', () => {
    const { config, envApplied, warnings } = loadConfig({
      env: {
        VIGIL_SERVER_PORT: '9090',
        VIGIL_DETECTORS_BRUTE_FORCE_THRESHOLD: '7',
        VIGIL_DETECTORS_BRUTE_FORCE_ENABLED: 'false',
        VIGIL_SERVER_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1',
        VIGIL_DATA_DIR: '/var/lib/vigil',
        VIGIL_NOT_AN_OPTION: 'x',
      },
      cwd: tempDir(),
    });
    expect(config.server.port).toBe(9090);
    expect(config.detectors.bruteForce.threshold).toBe(7);
    expect(config.detectors.bruteForce.enabled).toBe(false);
    expect(config.server.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(config.dataDir).toBe('/var/lib/vigil');
    expect(envApplied).toHaveLength(5);
    expect(warnings).toEqual(['VIGIL_NOT_AN_OPTION: no such option (ignored)']);
  });

  it('env overrides the file', () => {
    const file = yamlFile('server:\n  port: 1111\n');
    expect(loadConfig({ path: file, env: { VIGIL_SERVER_PORT: '2222' } }).config.server.port).toBe(2222);
  });

  it('names the path and the expected type of every invalid value', () => {
    const file = yamlFile('server:\n  port: "eighty"\n  prot: 1\ndetectors:\n  bruteForce:\n    severity: HUGE\n    windowSeconds: 0\n');
    const problems = problemsOf(() => loadConfig({ path: file, env: { VIGIL_PIPELINE_QUEUE_CAPACITY: 'lots' } }));
    expect(problems).toContain('server.port: expected an integer (>= 0, <= 65535), got "eighty"');
    expect(problems).toContain('server.prot: unknown option');
    expect(problems).toContain('detectors.bruteForce.severity: expected one of LOW, MEDIUM, HIGH, CRITICAL, got "HUGE"');
    expect(problems).toContain('detectors.bruteForce.windowSeconds: expected a number (> 0), got 0');
    expect(problems).toContain('pipeline.queueCapacity: expected an integer (>= 1), got "lots" (from VIGIL_PIPELINE_QUEUE_CAPACITY)');
  });

  it('reports YAML syntax errors with the file name', () => {
    const file = yamlFile('server:\n  port: [1,\n');
    expect(() => loadConfig({ path: file, env: {} })).toThrow(/not valid YAML/);
  });

  it('treats an empty section as defaults', () => {
    const file = yamlFile('server:\n# port: 1\n');
    expect(loadConfig({ path: file, env: {} }).config.server.port).toBe(8080);
  });

  it('redacts secrets when printing', () => {
    const file = yamlFile('auth:\n  tokens:\n    - name: ci\n      token: s3cr3t-token-0123456789\n      scopes: [ingest]\n');
    const { config } = loadConfig({ path: file, env: {} });
    expect(config.auth.tokens[0]?.token).toBe('s3cr3t-token-0123456789');
    const printed = JSON.stringify(redactSecrets(config));
    expect(printed).not.toContain('s3cr3t');
    expect(printed).toContain('"token":"***"');
    expect(printed).toContain('"name":"ci"');
  });

  it('resolves env names against the schema', () => {
    expect(resolveEnvPath('DETECTORS_BRUTE_FORCE_MAX_TRACKED_IPS', configSchema)?.path).toEqual([
      'detectors',
      'bruteForce',
      'maxTrackedIps',
    ]);
    expect(resolveEnvPath('SERVER_NOPE', configSchema)).toBeUndefined();
  });
});
