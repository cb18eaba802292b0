/**
 * A presence filter over IPv4 /24 networks: one bit per /24 (2 MiB for the
 * whole address space), set when an exact indicator lies in that /24 or a
 * listed range covers it. A lookup whose /24 bit is clear cannot match
 * anything, so most misses cost one byte read instead of a hash probe and a
 * trie walk.
 *
 * Bits are only ever set: a removed indicator leaves its bit behind, which
 * costs a lookup the full check but never a wrong answer. The owner
 * rebuilds the filter (clear, then re-add what is live) after many removals.
 */
export class Ipv4Slash24Filter {
  private readonly bits = new Uint8Array(1 << 21);

  /** Whether any indicator may match this address (a signed or unsigned 32-bit int). */
  mayContain(address: number): boolean {
    const n = address >>> 8;
    return ((this.bits[n >>> 3] as number) & (1 << (n & 7))) !== 0;
  }

  /** Mark the /24 of one address. */
  addAddress(address: number): void {
    const n = address >>> 8;
    this.bits[n >>> 3] = (this.bits[n >>> 3] as number) | (1 << (n & 7));
  }

  /** Mark every /24 that `network/length` overlaps. */
  addRange(network: number, length: number): void {
    if (length >= 24) {
      this.addAddress(network);
      return;
    }
    const first = (network >>> 8) & ~((1 << (24 - length)) - 1) & 0xffffff;
    const count = 2 ** (24 - length);
    if (count < 8) {
      for (let n = first; n < first + count; n++) this.bits[n >>> 3] = (this.bits[n >>> 3] as number) | (1 << (n & 7));
      return;
    }
    // A range of 8 or more /24s starts on a byte boundary and spans whole bytes.
    this.bits.fill(0xff, first >>> 3, (first + count) >>> 3);
  }

  clear(): void {
    this.bits.fill(0);
  }

  get bytes(): number {
    return this.bits.byteLength;
  }
}
