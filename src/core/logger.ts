import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs on stderr (stdout belongs to command output such as
 * `vigil replay`). Secrets are redacted by path wherever they might appear.
 */
export function createLogger(level: string, destination: number = 2): Logger {
  return pino(
    {
      level,
      base: { service: 'vigil' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'token',
          '*.token',
          '*.tokens[*].token',
          'password',
          '*.password',
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'headers.authorization',
          'headers["x-api-key"]',
        ],
        censor: '***',
      },
    },
    pino.destination({ fd: destination, sync: false }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
