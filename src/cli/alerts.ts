import { readFileSync } from 'node:fs';
import { testAlert } from '../alert/alert.js';
import { createChannel } from '../alert/channels/index.js';
import { deliveryKey } from '../alert/outbox.js';
import type { VigilConfig } from '../core/config.js';
import { IdGenerator } from '../core/ids.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';

/**
 * `vigil alerts test <channel>`: sends a test alert straight through one
 * configured channel (not through the outbox, so the answer is immediate)
 * and exits 0 when the channel accepted it, 1 with the reason when not.
 */
export async function runAlertsTest(
  config: VigilConfig,
  name: string,
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  const channels = config.alerts.channels;
  const channelConfig = channels.find((c) => c.name === name);
  if (channelConfig === undefined) {
    const known = channels.map((c) => c.name).join(', ');
    throw new UsageError(`alerts test: no channel named ${name} (configured: ${known === '' ? 'none — add alerts.channels to the config' : known})`);
  }
  const alert = testAlert(new IdGenerator('test').next(), Date.now());
  const key = deliveryKey(alert, name);
  const timeoutMs = channelConfig.timeoutSeconds * 1000;
  try {
    const channel = createChannel(channelConfig, { templates: config.alerts.templates, readFile: (path) => readFileSync(path, 'utf8') });
    try {
      await channel.send(alert, { idempotencyKey: key, signal: AbortSignal.timeout(timeoutMs), timeoutMs });
    } finally {
      await channel.close?.();
    }
  } catch (err) {
    io.err(`vigil: alerts test ${name} (${channelConfig.type}) failed: ${(err as Error).message}\n`);
    return EXIT.FAILURE;
  }
  io.out(`test alert ${key} sent to ${name} (${channelConfig.type})${channelConfig.enabled ? '' : ' — note: this channel is disabled in the config'}\n`);
  return EXIT.OK;
}
