/** Types for the pure-JS `lz4js` package (it ships none): LZ4 frame format. */
declare module 'lz4js' {
  /** Compress to one LZ4 frame. */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Decompress an LZ4 frame. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}
