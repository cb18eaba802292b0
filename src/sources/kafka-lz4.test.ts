import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { lz4Codec, registerLz4 } from './kafka-lz4.js';

const require = createRequire(import.meta.url);
const GOLDEN_TEXT = 'vigil lz4 golden: {"eventType":"LOGIN_FAILURE","sourceIp":"203.0.113.9"} repeated repeated repeated repeated\n';
/** GOLDEN_TEXT compressed by the reference `lz4` command-line tool (1.9, default frame settings, content checksum on). */
const GOLDEN_FRAME =
  'BCJNGGRAp2QAAAD6S3ZpZ2lsIGx6NCBnb2xkZW46IHsiZXZlbnRUeXBlIjoiTE9HSU5fRkFJTFVSRSIsInNvdXJjZUlwIjoiMjAzLjAuMTEzLjkifSByZXBlYXRlZCByZXBlYXRlZBIAUGF0ZWQKAAAAAD2IKKA=';

const sample = Buffer.from(Array.from({ length: 2000 }, (_, i) => `{"eventType":"LOGIN_FAILURE","sourceIp":"198.51.100.${i % 50}","username":"u${i}"}`).join('\n'));

describe('LZ4 codec for kafkajs', () => {
  it('round-trips data and compresses repetitive JSON', async () => {
    const frame = await lz4Codec.compress({ buffer: sample });
    expect(frame.length).toBeLessThan(sample.length / 3);
    expect(Buffer.compare(await lz4Codec.decompress(frame), sample)).toBe(0);
    expect((await lz4Codec.decompress(await lz4Codec.compress({ buffer: Buffer.alloc(0) }))).length).toBe(0);
  });

  it('writes a standard LZ4 frame: magic number, version 01 descriptor, end mark', async () => {
    const frame = await lz4Codec.compress({ buffer: sample });
    expect(frame.readUInt32LE(0)).toBe(0x184d2204);
    expect(frame[4]! >> 6).toBe(0b01);
    expect(frame.readUInt32LE(frame.length - 4)).toBe(0);
  });

  it('reads a frame written by the reference lz4 tool', async () => {
    expect((await lz4Codec.decompress(Buffer.from(GOLDEN_FRAME, 'base64'))).toString()).toBe(GOLDEN_TEXT);
  });

  it('its frames are read by the reference lz4 tool when installed', async (ctx) => {
    const probe = spawnSync('lz4', ['--version']);
    // CI installs the Debian package lz4; elsewhere its absence only skips this cross-check.
    if (probe.error !== undefined && process.env.CI === 'true') throw new Error('lz4 not found: apt-get install lz4');
    if (probe.error !== undefined) ctx.skip();
    const result = spawnSync('lz4', ['-d', '-c'], { input: await lz4Codec.compress({ buffer: sample }) });
    expect(result.status).toBe(0);
    expect(Buffer.compare(result.stdout, sample)).toBe(0);
  });

  it('is what kafkajs uses for LZ4 record batches once registered', async () => {
    registerLz4();
    expect(CompressionCodecs[CompressionTypes.LZ4]!()).toBe(lz4Codec);
    // kafkajs' own record batch encoder and decoder (protocol v2 batches).
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (args: object) => Promise<{ buffer: Buffer }> };
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (args: object) => unknown;
    const Encoder = require('kafkajs/src/protocol/encoder') as new () => { writeEncoder(e: unknown): unknown; buffer: Buffer };
    const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
    const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<{ records: { key: Buffer; value: Buffer }[] }>;
    const records = [0, 1, 2].map((i) => Record({ offsetDelta: i, key: Buffer.from(`203.0.113.9:u${i}`), value: sample.subarray(i * 100, i * 100 + 500) }));
    const batch = (await RecordBatch({ compression: CompressionTypes.LZ4, records, lastOffsetDelta: 2 })) as unknown;
    const encoded = new Encoder();
    encoded.writeEncoder(batch);
    const decoded = await decodeBatch(new Decoder(encoded.buffer));
    expect(decoded.records.map((r) => r.key.toString())).toEqual(['203.0.113.9:u0', '203.0.113.9:u1', '203.0.113.9:u2']);
    expect(Buffer.compare(decoded.records[2]!.value, sample.subarray(200, 700))).toBe(0);
    // Attributes (after firstOffset, length, epoch, magic, crc) name LZ4 as the codec…
    expect(encoded.buffer.readInt16BE(21) & 0x07).toBe(CompressionTypes.LZ4);
    // … and the batch's records section really is an LZ4 frame (magic number after the 61-byte v2 header).
    expect(encoded.buffer.readUInt32LE(61)).toBe(0x184d2204);
  });
});
