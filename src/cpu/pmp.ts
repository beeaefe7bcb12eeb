// Physical memory protection: 16 entries (pmpcfg0, pmpcfg2, pmpaddr0..15), grain 4 bytes.
// Owns the PMP CSR image and the matching rules of the privileged spec (3.7); it never
// translates addresses and never touches memory.
//
// WARL choices: pmpaddr keeps bits 53:0 (physical addresses are 56 bits in the spec, 52 here);
// cfg bits 6:5 read zero; a locked entry ignores writes to its cfg and pmpaddr, and a locked TOR
// entry also protects the pmpaddr below it. R=0/W=1 is stored as written (QEMU 7.2 does the same).

export const PMP_ENTRIES = 16;
export const PMP_R = 1;
export const PMP_W = 2;
export const PMP_X = 4;
const PMP_A_SHIFT = 3;
const PMP_L = 0x80;
const A_OFF = 0,
  A_TOR = 1,
  A_NA4 = 2,
  A_NAPOT = 3;

const TWO32 = 4294967296;

export class Pmp {
  readonly cfg = new Uint8Array(PMP_ENTRIES);
  readonly addrLo = new Int32Array(PMP_ENTRIES);
  readonly addrHi = new Int32Array(PMP_ENTRIES);
  /** Byte range [start, end) of each entry (Numbers; end 0 for OFF or empty). */
  private readonly start = new Float64Array(PMP_ENTRIES);
  private readonly end = new Float64Array(PMP_ENTRIES);
  /** Number of entries with A != OFF. */
  active = 0;
  /** Any entry locked (then M-mode accesses are checked too). */
  anyLocked = false;

  /** Read pmpcfgN (N even, 0 or 2): returns lo, hi via out. */
  readCfg(n: number, out: { lo: number; hi: number }): void {
    const b = n === 0 ? 0 : 8;
    const c = this.cfg;
    out.lo = c[b]! | (c[b + 1]! << 8) | (c[b + 2]! << 16) | (c[b + 3]! << 24);
    out.hi = c[b + 4]! | (c[b + 5]! << 8) | (c[b + 6]! << 16) | (c[b + 7]! << 24);
  }

  writeCfg(n: number, lo: number, hi: number): void {
    const b = n === 0 ? 0 : 8;
    for (let i = 0; i < 8; i++) {
      const e = b + i;
      if ((this.cfg[e]! & PMP_L) !== 0) continue;
      const v = (i < 4 ? lo >>> (8 * i) : hi >>> (8 * (i - 4))) & 0xff;
      this.cfg[e] = v & 0x9f;
    }
    this.recompute();
  }

  readAddr(i: number, out: { lo: number; hi: number }): void {
    out.lo = this.addrLo[i]!;
    out.hi = this.addrHi[i]!;
  }

  writeAddr(i: number, lo: number, hi: number): void {
    if ((this.cfg[i]! & PMP_L) !== 0) return;
    if (i + 1 < PMP_ENTRIES) {
      const next = this.cfg[i + 1]!;
      if ((next & PMP_L) !== 0 && ((next >>> PMP_A_SHIFT) & 3) === A_TOR) return;
    }
    this.addrLo[i] = lo;
    this.addrHi[i] = hi & 0x3fffff;
    this.recompute();
  }

  private recompute(): void {
    this.active = 0;
    this.anyLocked = false;
    let prevEnd = 0;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const c = this.cfg[i]!;
      const a = (c >>> PMP_A_SHIFT) & 3;
      const lo = this.addrLo[i]! >>> 0;
      const hi = this.addrHi[i]! >>> 0;
      const word = hi * TWO32 + lo; // pmpaddr (address bits 55:2); exact below 2^53
      let s = 0,
        e = 0;
      if (a === A_TOR) {
        s = prevEnd;
        e = word * 4;
        if (e <= s) e = s; // empty
      } else if (a === A_NA4) {
        s = word * 4;
        e = s + 4;
      } else if (a === A_NAPOT) {
        // Trailing ones t: region of 2^(t+3) bytes at pmpaddr with the low t+1 bits cleared.
        let t = 0;
        if (lo === 0xffffffff) {
          t = 32;
          let h = hi;
          while (t < 54 && (h & 1) === 1) {
            t++;
            h >>>= 1;
          }
        } else {
          let l = lo;
          while ((l & 1) === 1) {
            t++;
            l >>>= 1;
          }
        }
        const size = 2 ** (t + 3);
        s = Math.floor((word * 4) / size) * size;
        e = s + size;
      }
      prevEnd = word * 4;
      this.start[i] = s;
      this.end[i] = a === A_OFF ? 0 : e;
      if (a !== A_OFF) this.active++;
      if ((c & PMP_L) !== 0) this.anyLocked = true;
    }
  }

  /**
   * May a `priv`-mode access of kind `perm` (PMP_R/W/X) touch [pa, pa+size)? The lowest-numbered
   * entry matching any byte decides; it must cover every byte. No match: M allowed, S/U denied.
   */
  check(pa: number, size: number, perm: number, priv: number): boolean {
    if (priv === 3 && !this.anyLocked) return true;
    const last = pa + size;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const e = this.end[i]!;
      if (e === 0) continue;
      const s = this.start[i]!;
      if (pa >= e || last <= s) continue;
      if (pa < s || last > e) return false; // partial match
      const c = this.cfg[i]!;
      if (priv === 3 && (c & PMP_L) === 0) return true;
      return (c & perm) !== 0;
    }
    return priv === 3;
  }

  /** 1 if every byte of the 4 KiB page at `base` gets the same yes, 0 the same no, -1 mixed. */
  pageDecision(base: number, perm: number, priv: number): number {
    if (priv === 3 && !this.anyLocked) return 1;
    const last = base + 4096;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const e = this.end[i]!;
      if (e === 0) continue;
      const s = this.start[i]!;
      if (base >= e || last <= s) continue;
      if (base < s || last > e) return -1;
      const c = this.cfg[i]!;
      if (priv === 3 && (c & PMP_L) === 0) return 1;
      return (c & perm) !== 0 ? 1 : 0;
    }
    return priv === 3 ? 1 : 0;
  }
}
