import type * as KafkaJs from 'kafkajs';
import { lazyModule } from '../core/lazy-module.js';

/** kafkajs, loaded when a Kafka component first needs it. */
export const kafkajs = lazyModule<typeof KafkaJs>('kafkajs');
