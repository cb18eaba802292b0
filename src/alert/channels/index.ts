import { readFileSync } from 'node:fs';
import type { AlertChannelConfig, TemplateConfig } from '../config.js';
import { AlertConfigError } from '../secrets.js';
import { AlertmanagerChannel } from './alertmanager.js';
import type { AlertChannel, ChannelEnvironment } from './channel.js';
import { EmailChannel } from './email.js';
import { SlackChannel } from './slack.js';
import { SmsChannel } from './sms.js';
import { WebhookChannel } from './webhook.js';

export type { AlertChannel, DeliveryContext, ChannelEnvironment } from './channel.js';

/** The channel registry: one factory per `type`. */
export function createChannel(config: AlertChannelConfig, environment: ChannelEnvironment): AlertChannel {
  switch (config.type) {
    case 'slack':
      return new SlackChannel(config, environment);
    case 'email':
      return new EmailChannel(config, environment);
    case 'webhook':
      return new WebhookChannel(config, environment);
    case 'sms':
      return new SmsChannel(config, environment);
    case 'alertmanager':
      return new AlertmanagerChannel(config, environment);
  }
}

/** Every enabled channel; duplicate names and the reserved name "digest" are configuration errors. */
export function createChannels(configs: readonly AlertChannelConfig[], templates: Required<TemplateConfig>, env: NodeJS.ProcessEnv = process.env): AlertChannel[] {
  const seen = new Set<string>();
  const out: AlertChannel[] = [];
  const environment: ChannelEnvironment = {
    templates,
    env,
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        throw new AlertConfigError(`cannot read ${path}: ${(err as Error).message}`);
      }
    },
  };
  for (const config of configs) {
    if (config.name === 'digest') throw new AlertConfigError('alerts.channels: "digest" is reserved (it names the digest in routes)');
    if (seen.has(config.name)) throw new AlertConfigError(`alerts.channels: the name ${config.name} is used twice`);
    seen.add(config.name);
    if (config.enabled) out.push(createChannel(config, environment));
  }
  return out;
}
