// A second, deliberately different implementation of SPEC-NOTES 1.2 and 1.4 for tests only:
// BigInt shifts and masks, the spec's bit-field form for power-of-two W, the "one divide by 3"
// form for 3/6/12, and XORALLBITS parity by popcount. Shares no code with src/cxl-math.

export function refEiw(ways: number): { pow2: boolean; k: number } {
  const k = Math.round(Math.log2(ways % 3 === 0 ? ways / 3 : ways));
  return { pow2: ways % 3 !== 0, k };
}

/** pos from the spec's bit-field form. */
export function refPosition(off: bigint, ways: number, gran: number): number {
  const gBits = BigInt(Math.round(Math.log2(gran)));
  const { pow2, k } = refEiw(ways);
  const c = off >> gBits;
  if (pow2) return Number(c & ((1n << BigInt(k)) - 1n));
  // 3-family: pos = (c mod 2^k) + 2^k * ((c >> k) mod 3)
  return Number((c & ((1n << BigInt(k)) - 1n)) + (1n << BigInt(k)) * ((c >> BigInt(k)) % 3n));
}

/** DPA offset: delete the position bits (power of two) or divide the upper part by 3. */
export function refDpaOffset(off: bigint, ways: number, gran: number): bigint {
  const gBits = BigInt(Math.round(Math.log2(gran)));
  const { pow2, k } = refEiw(ways);
  const low = off & ((1n << gBits) - 1n);
  if (pow2) return ((off >> (gBits + BigInt(k))) << gBits) | low;
  return (((off >> (gBits + BigInt(k))) / 3n) << gBits) | low;
}

/** Inverse, by building the chunk index: c = q*W + pos, off = c*G + low. */
export function refHpaOffset(dpaOff: bigint, pos: number, ways: number, gran: number): bigint {
  const gBits = BigInt(Math.round(Math.log2(gran)));
  const { pow2, k } = refEiw(ways);
  const low = dpaOff & ((1n << gBits) - 1n);
  const q = dpaOff >> gBits;
  if (pow2) return (((q << BigInt(k)) | BigInt(pos)) << gBits) | low;
  // pos = p2 + 2^k * p3 with p2 = c mod 2^k, p3 = (c >> k) mod 3; c >> k = 3q + p3.
  const p2 = BigInt(pos) & ((1n << BigInt(k)) - 1n);
  const p3 = BigInt(pos) >> BigInt(k);
  const c = ((3n * q + p3) << BigInt(k)) | p2;
  return (c << gBits) | low;
}

function popcount(x: bigint): number {
  let n = 0;
  for (; x > 0n; x &= x - 1n) n++;
  return n;
}

/** T with BigInt: bit ffs(map) := parity(addr & map), maps in order. */
export function refXor(addr: bigint, maps: readonly number[], count: number): bigint {
  let a = addr;
  for (let i = 0; i < count; i++) {
    const m = BigInt(maps[i]!);
    if (m === 0n) continue;
    let b = 0n;
    while (((m >> b) & 1n) === 0n) b++;
    const p = BigInt(popcount(a & m) & 1);
    a = (a & ~(1n << b)) | (p << b);
  }
  return a;
}
