// A tiny seeded PRNG for reproducible property tests (sfc32, Chris Doty-Humphrey's Small Fast
// Counter). Owns randomness for tests only; never used by src/. Any engineer may import it.
// Every failing property test should print its seed so the case can be replayed.

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.u32() >>> 11; // 21 bits
    const lo = this.u32(); // 32 bits
    return (hi * 4294967296 + lo) / 2 ** 53;
  }

  /** Uniform integer in [0, n) for 0 < n <= 2^53. */
  below(n: number): number {
    return Math.min(n - 1, Math.floor(this.float() * n));
  }

  /** Uniform integer in [lo, hi] (inclusive), hi - lo < 2^53. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }
}
