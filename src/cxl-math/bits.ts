// Number-based bit helpers, exact for every integer below 2^53. Owns the only place where an
// address is split into 32-bit halves; never uses a 32-bit bitwise operator on a full address
// (JavaScript's & | ^ >> truncate to 32 bits). Halves are combined with multiplication.

const TWO32 = 4294967296;

/** Low 32 bits of a non-negative integer n < 2^53, as an unsigned Number. */
export function lo32(n: number): number {
  return n % TWO32;
}

/** Bits 63:32 of a non-negative integer n < 2^53 (at most 21 bits). */
export function hi32(n: number): number {
  return Math.floor(n / TWO32);
}

/** hi * 2^32 + lo; lo is taken as unsigned (so an Int32 half works too). */
export function fromHalves(lo: number, hi: number): number {
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

/** 2^k for 0 <= k <= 53, exact. */
export function pow2(k: number): number {
  return 2 ** k;
}

/** Bit i of n < 2^53, as 0 or 1. */
export function testBit(n: number, i: number): number {
  return Math.floor(n / 2 ** i) % 2;
}

/** n with bit i set to v (0 or 1). */
export function withBit(n: number, i: number, v: number): number {
  const cur = testBit(n, i);
  if (cur === v) return n;
  return v ? n + 2 ** i : n - 2 ** i;
}

/** Number of set bits of a 32-bit value (SWAR popcount; 32-bit input only). */
function popcount32(x: number): number {
  x = x >>> 0;
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** parity(a AND b) without building the intermediate (XORALLBITS of SPEC-NOTES 1.4). */
export function parityOfAnd(a: number, b: number): number {
  return popcount32(((lo32(a) & lo32(b)) ^ (hi32(a) & hi32(b))) >>> 0) & 1;
}

/** Index of the lowest set bit of n (ffs - 1), or -1 for 0. n < 2^53. */
export function lowestSetBit(n: number): number {
  if (n === 0) return -1;
  const lo = lo32(n);
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = hi32(n);
  return 32 + 31 - Math.clz32(hi & -hi);
}

/** True for 1, 2, 4, ... up to 2^52. */
export function isPowerOfTwo(n: number): boolean {
  if (!Number.isInteger(n) || n <= 0 || n > 2 ** 52) return false;
  const lo = lo32(n);
  const hi = hi32(n);
  if (hi === 0) return (lo & (lo - 1)) === 0;
  return lo === 0 && (hi & (hi - 1)) === 0;
}

/** log2 of an exact power of two; RangeError (a bug at the call site) otherwise. */
export function log2Exact(n: number): number {
  if (!isPowerOfTwo(n)) throw new RangeError(`log2Exact: ${String(n)} is not a power of two`);
  return Math.round(Math.log2(n));
}

/** Largest multiple of a (a > 0) that is <= n. */
export function alignDown(n: number, a: number): number {
  return n - (n % a);
}

/** Smallest multiple of a (a > 0) that is >= n. */
export function alignUp(n: number, a: number): number {
  const r = n % a;
  return r === 0 ? n : n + (a - r);
}

/** True when n is a multiple of a. */
export function isAligned(n: number, a: number): boolean {
  return n % a === 0;
}
