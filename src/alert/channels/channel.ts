import type { Alert } from '../alert.js';
import type { ChannelType, TemplateConfig } from '../config.js';

export interface DeliveryContext {
  /** `<alert id>.<revision>.<channel>`: the same on every retry of this delivery. */
  idempotencyKey: string;
  /** Aborted when the attempt times out or the service stops. */
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * One place alerts go. `send` resolves when the receiver accepted the
 * message and throws DeliveryError (src/siem/errors.ts) otherwise, with
 * `retryable` false when trying again cannot help (e.g. HTTP 400).
 */
export interface AlertChannel {
  readonly name: string;
  readonly type: ChannelType;
  send(alert: Alert, context: DeliveryContext): Promise<void>;
  close?(): Promise<void>;
}

/** What every channel gets besides its own options. */
export interface ChannelEnvironment {
  templates: Required<TemplateConfig>;
  env?: NodeJS.ProcessEnv;
  readFile(path: string): string;
}
