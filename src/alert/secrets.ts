/** A secret option that names an environment variable could not be read. */
export class AlertConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertConfigError';
  }
}

/**
 * Secrets in alert channel options may be written `env:NAME`: the value is
 * then read from the environment variable NAME (so the YAML file can be
 * shared without the secret). A missing or empty variable is an error that
 * names the option and the variable, never the value.
 */
export function resolveSecret(value: string | undefined, option: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (value === undefined) return undefined;
  const match = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(value.trim());
  if (match === null) return value;
  const name = match[1] as string;
  const fromEnv = env[name];
  if (fromEnv === undefined || fromEnv === '') throw new AlertConfigError(`${option}: environment variable ${name} is not set`);
  return fromEnv;
}
