/**
 * Reads the bits of a base64url segment (TCF and GPP both use the URL-safe alphabet, no padding)
 * without building a string of '0' and '1'. Used only to bound what the IAB libraries would expand,
 * before handing them the string.
 */

const SIX_BITS = new Int8Array(128).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
for (let i = 0; i < ALPHABET.length; i++) SIX_BITS[ALPHABET.charCodeAt(i)] = i;

/** Reading past the end, or a character outside the alphabet. */
export class BitsExhausted extends Error {
  override readonly name = 'BitsExhausted';
}

export class BitReader {
  private readonly sextets: Uint8Array;
  /** Next bit to read. */
  pos = 0;
  readonly length: number;

  /** Throws `BitsExhausted` on a character outside the base64url alphabet. */
  constructor(segment: string) {
    this.sextets = new Uint8Array(segment.length);
    for (let i = 0; i < segment.length; i++) {
      const code = segment.charCodeAt(i);
      const v = code < 128 ? (SIX_BITS[code] ?? -1) : -1;
      if (v < 0) throw new BitsExhausted('not base64url');
      this.sextets[i] = v;
    }
    this.length = segment.length * 6;
  }

  /** The next bit. */
  bit(): number {
    if (this.pos >= this.length) throw new BitsExhausted('past the end');
    const i = this.pos++;
    return ((this.sextets[Math.floor(i / 6)] ?? 0) >> (5 - (i % 6))) & 1;
  }

  /** The next `n` bits (n ≤ 48) as an unsigned integer, most significant first. */
  int(n: number): number {
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 2 + this.bit();
    return v;
  }

  /** Skips `n` bits. */
  skip(n: number): void {
    if (this.pos + n > this.length) throw new BitsExhausted('past the end');
    this.pos += n;
  }
}
