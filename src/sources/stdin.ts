import { Type, type Static } from '@sinclair/typebox';
import type { Readable } from 'node:stream';
import { sourceIngestor, type LineIngestor } from './line-ingestor.js';
import { readLines } from './lines.js';
import type { Source, SourceContext } from './source.js';

export const stdinSourceSchema = Type.Object(
  {
    type: Type.Literal('stdin'),
    name: Type.Optional(Type.String({ description: 'Name in metrics and logs (default stdin).' })),
    input: Type.String({ default: 'auto', description: 'Parser name (native, sshd, syslog, nginx, …) or auto.' }),
  },
  { additionalProperties: false },
);
export type StdinSourceConfig = Static<typeof stdinSourceSchema>;

/** Reads lines from standard input (`journalctl -f -o json | vigil run --source stdin`). */
export class StdinSource implements Source {
  readonly type = 'stdin';
  readonly name: string;
  private readonly ingestor: LineIngestor;
  private reading: Promise<void> | undefined;

  constructor(
    config: StdinSourceConfig,
    ctx: SourceContext,
    batchSize: number,
    private readonly stream: Readable = process.stdin,
  ) {
    this.name = config.name ?? 'stdin';
    this.ingestor = sourceIngestor(this.name, config.input, ctx, batchSize);
  }

  /** Resolves when input ends (EOF) and everything read was accepted. */
  done(): Promise<void> {
    return this.reading ?? Promise.resolve();
  }

  async start(): Promise<void> {
    this.reading = (async () => {
      for await (const line of readLines(this.stream)) await this.ingestor.line(line);
      await this.ingestor.flush();
    })();
  }

  async stop(): Promise<void> {
    this.stream.pause();
    this.stream.destroy();
    await this.reading?.catch(() => undefined);
    await this.ingestor.flush();
  }
}
