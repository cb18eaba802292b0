import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { Type, type Static } from '@sinclair/typebox';
import type { DetectionRecord, DetectionSink } from './sink.js';

export const detectionsFileConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Append detections to an NDJSON file.' }),
    path: Type.String({
      default: 'detections.ndjson',
      description: 'File path; relative paths are inside dataDir.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type DetectionsFileConfig = Static<typeof detectionsFileConfigSchema>;

/** Appends one JSON line per detection record (raised, then closed with final evidence). */
export class NdjsonFileSink implements DetectionSink {
  readonly name = 'detections-file';
  private readonly stream: WriteStream;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'a' });
  }

  async write(records: readonly DetectionRecord[]): Promise<void> {
    let text = '';
    for (const record of records) text += JSON.stringify({ ...record.detection, status: record.status }) + '\n';
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
