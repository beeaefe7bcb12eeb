// 64-bit integer arithmetic on signed 32-bit halves (lo, hi), for the interpreter's M extension.
// Owns multiply/divide; never allocates and never uses BigInt (the hot path forbids it).
//
// Approach: a 32x32 -> 64 unsigned product takes its low word from Math.imul and its high word
// from the rounded double product corrected by the exact low word (mulhu32); 64x64 products are
// four of those with carries. Division: exact double division when both operands are below 2^52
// (one correction step); 16-bit-digit long division for 32-bit divisors; for larger divisors a
// double estimate stepped down by one and corrected upwards with exact 64-bit multiply-subtract;
// shift-subtract only for divisors >= 2^62 (quotient <= 3).
// Every function returns the low half and leaves the high half in `out.hi`.

export const out = { hi: 0 };

const TWO32 = 4294967296;

/**
 * High 32 bits of the unsigned product a*b (a, b taken as unsigned 32-bit). The double product is
 * within 2^11 of the exact one, so (product - exact low word) / 2^32 is within 2^-20 of the
 * integer high word: rounding recovers it exactly.
 */
export function mulhu32(a: number, b: number): number {
  const p = (a >>> 0) * (b >>> 0);
  return Math.round((p - (Math.imul(a, b) >>> 0)) * 2.3283064365386963e-10) | 0;
}

/** Low 64 bits of a*b. */
export function mul64(al: number, ah: number, bl: number, bh: number): number {
  out.hi = (mulhu32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  return Math.imul(al, bl);
}

/** High 64 bits of the unsigned 128-bit product. */
export function mulhu64(al: number, ah: number, bl: number, bh: number): number {
  // a*b = ah*bh<<64 + (ah*bl + al*bh)<<32 + al*bl ; accumulate in 32-bit columns.
  const p0h = mulhu32(al, bl) >>> 0; // column 1 contribution from al*bl
  const p1l = Math.imul(al, bh) >>> 0,
    p1h = mulhu32(al, bh) >>> 0;
  const p2l = Math.imul(ah, bl) >>> 0,
    p2h = mulhu32(ah, bl) >>> 0;
  const p3l = Math.imul(ah, bh) >>> 0,
    p3h = mulhu32(ah, bh) >>> 0;
  const c1 = p0h + p1l + p2l; // column 1 (bits 63:32), < 3*2^32
  const carry1 = Math.floor(c1 / TWO32);
  const c2 = p1h + p2h + p3l + carry1; // column 2 (bits 95:64)
  const carry2 = Math.floor(c2 / TWO32);
  out.hi = (p3h + carry2) | 0;
  return c2 | 0;
}

/** High 64 bits of signed a * signed b. */
export function mulh64(al: number, ah: number, bl: number, bh: number): number {
  let lo = mulhu64(al, ah, bl, bh);
  let hi = out.hi;
  if (ah < 0) {
    // subtract b
    const nlo = (lo - bl) | 0;
    hi = (hi - bh - (lo >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
    lo = nlo;
  }
  if (bh < 0) {
    // subtract a
    const nlo = (lo - al) | 0;
    hi = (hi - ah - (lo >>> 0 < al >>> 0 ? 1 : 0)) | 0;
    lo = nlo;
  }
  out.hi = hi;
  return lo;
}

/** High 64 bits of signed a * unsigned b. */
export function mulhsu64(al: number, ah: number, bl: number, bh: number): number {
  let lo = mulhu64(al, ah, bl, bh);
  let hi = out.hi;
  if (ah < 0) {
    const nlo = (lo - bl) | 0;
    hi = (hi - bh - (lo >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
    lo = nlo;
  }
  out.hi = hi;
  return lo;
}

/** Remainder of the last divu64 (low, high). */
export const rem = { lo: 0, hi: 0 };

/** Unsigned 64-bit divide; divisor must be nonzero. Returns quotient lo, out.hi = quotient hi, rem = remainder. */
export function divu64(al: number, ah: number, bl: number, bh: number): number {
  const ahu = ah >>> 0,
    bhu = bh >>> 0;
  if (ahu < 0x100000 && bhu < 0x100000) {
    // Both below 2^52: exact Number path.
    const a = ahu * TWO32 + (al >>> 0);
    const b = bhu * TWO32 + (bl >>> 0);
    let q = Math.floor(a / b);
    let r = a - q * b;
    if (r < 0) {
      q -= 1;
      r += b;
    } else if (r >= b) {
      q += 1;
      r -= b;
    }
    rem.lo = (r % TWO32) | 0;
    rem.hi = Math.floor(r / TWO32) | 0;
    out.hi = Math.floor(q / TWO32) | 0;
    return (q % TWO32) | 0;
  }
  if (bhu === 0) return divu64By32(ahu, al >>> 0, bl >>> 0);
  if (bhu >= 0x40000000) return divu64Shift(al, ah, bl, bh); // divisor >= 2^62: quotient <= 3
  // Divisor in [2^32, 2^62): quotient < 2^32. Estimate in floating point, step it down by one so
  // it never exceeds the true quotient, then correct upwards with exact 64-bit arithmetic.
  const a = ahu * TWO32 + (al >>> 0);
  const b = bhu * TWO32 + (bl >>> 0);
  let q = Math.floor(a / b) - 1;
  if (q < 0) q = 0;
  // r = a - q*b (exact modulo 2^64; the true value lies in [0, 4b) < 2^64)
  const pl = mul64(q | 0, 0, bl, bh);
  const ph = out.hi;
  let rl = (al - pl) | 0;
  let rh = (ah - ph - (al >>> 0 < pl >>> 0 ? 1 : 0)) | 0;
  while (rh >>> 0 > bhu || (rh >>> 0 === bhu && rl >>> 0 >= bl >>> 0)) {
    const nl = (rl - bl) | 0;
    rh = (rh - bh - (rl >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
    rl = nl;
    q++;
  }
  void pl;
  void ph;
  rem.lo = rl;
  rem.hi = rh;
  out.hi = 0;
  return q | 0;
}

/** 64-bit dividend (hi, lo unsigned) by a 32-bit divisor: long division on 16-bit digits (< 2^48, exact). */
function divu64By32(ahu: number, alu: number, b: number): number {
  let r = ahu >>> 16;
  const q3 = Math.floor(r / b);
  r -= q3 * b;
  r = r * 65536 + (ahu & 0xffff);
  const q2 = Math.floor(r / b);
  r -= q2 * b;
  r = r * 65536 + (alu >>> 16);
  const q1 = Math.floor(r / b);
  r -= q1 * b;
  r = r * 65536 + (alu & 0xffff);
  const q0 = Math.floor(r / b);
  r -= q0 * b;
  rem.lo = r | 0;
  rem.hi = 0;
  out.hi = (q3 * 65536 + q2) | 0;
  return (q1 * 65536 + q0) | 0;
}

/** Restoring shift-subtract division on halves, for operands of 2^52 and above (rare). */
function divu64Shift(al: number, ah: number, bl: number, bh: number): number {
  let ql = 0,
    qh = 0,
    rl = 0,
    rh = 0;
  const blu = bl >>> 0,
    bhu = bh >>> 0;
  for (let i = 63; i >= 0; i--) {
    const bit = i >= 32 ? (ah >>> (i - 32)) & 1 : (al >>> i) & 1;
    // r < b before the shift, so 2r + bit < 2b; a bit shifted out of 64 means r >= b.
    const top = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = ((rl << 1) | bit) >>> 0;
    if (top !== 0 || rh > bhu || (rh === bhu && rl >= blu)) {
      const nrl = (rl - blu) >>> 0;
      rh = (rh - bhu - (rl < blu ? 1 : 0)) >>> 0;
      rl = nrl;
      if (i >= 32) qh |= 1 << (i - 32);
      else ql |= 1 << i;
    }
  }
  rem.lo = rl | 0;
  rem.hi = rh | 0;
  out.hi = qh | 0;
  return ql | 0;
}
