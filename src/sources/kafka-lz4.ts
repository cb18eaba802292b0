import lz4 from 'lz4js';
import { kafkajs } from './kafkajs-module.js';

/**
 * LZ4 for kafkajs (which ships GZIP only), on the pure-JS `lz4js`: record
 * batches are compressed to a standard LZ4 frame (magic 0x184D2204), the
 * format Kafka's own clients and brokers use for `compression.type=lz4`.
 */
export const lz4Codec = {
  async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
    const frame = lz4.compress(encoder.buffer);
    return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  },
  async decompress(buffer: Buffer): Promise<Buffer> {
    const data = lz4.decompress(buffer);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  },
};

/** Registers the codec with kafkajs (idempotent); every Kafka component calls this before connecting. */
export function registerLz4(): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs();
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
}
