import type { SecurityEvent } from '../core/event.js';
import type { Pipeline } from '../pipeline/pipeline.js';

/**
 * Offers the events of a batch of broker messages to the pipeline, waiting up
 * to `waitMs` for room. True once every event was accepted — only then may the
 * messages be acknowledged (NATS ack, Kafka offset commit). False when the
 * pipeline stayed full or is stopping: the caller leaves the messages
 * unacknowledged so the broker delivers them again (at-least-once).
 *
 * A batch larger than the queue is offered in chunks; if a later chunk is
 * refused, the earlier ones were accepted and will be seen again on
 * redelivery (duplicates, never loss).
 */
export async function offerForAck(pipeline: Pipeline, events: readonly SecurityEvent[], waitMs: number): Promise<boolean> {
  if (events.length === 0) return true;
  const chunk = Math.max(1, Math.min(events.length, pipeline.queue.capacity));
  for (let start = 0; start < events.length; start += chunk) {
    const part = start === 0 && chunk === events.length ? events : events.slice(start, start + chunk);
    if (!(await pipeline.offerWait(part, waitMs))) return false;
  }
  return true;
}
