// A CXL fixed memory window (CEDT CFMWS): an HPA range, its host-bridge targets in position order,
// HBIG and modulo or XOR arithmetic. Owns the root-level selection (which host bridge serves an
// HPA); XOR maps come from the platform list for its HBIG (one CXIMS per granularity).

import { hi32, log2Exact, lo32, lowestSetBit } from '../cxl-math/bits.js';
import { HDM_RANGE_UNIT } from '../cxl-math/hdm-registers.js';
import { isThreeFamily, isValidGranularity, isValidWays } from '../cxl-math/interleave.js';
import { xorBitMasks, xorMapsForHbiw, xorTransform } from '../cxl-math/xor.js';
import type { HostBridge } from './components.js';
import type { WindowSpec, XorMapSpec } from './topology-spec.js';
import { TopologyError } from './errors.js';

export class CxlWindow {
  readonly id: string;
  readonly index: number;
  readonly base: number;
  readonly size: number;
  readonly targets: HostBridge[];
  /** HBIG in bytes. */
  readonly granularity: number;
  /** HBIW = number of targets. */
  readonly ways: number;
  readonly arithmetic: 'modulo' | 'xor';
  /** The XOR maps this window uses (the first xorMapsForHbiw(HBIW) of its HBIG's list). */
  readonly xorMaps: number[];
  /** Address bit each map sets (ffs(map) - 1), same order as xorMaps. */
  readonly xorBits: number[];
  readonly volatile: boolean;
  readonly persistent: boolean;
  readonly qtgId: number;
  /** Power-of-two HBIW: slot = (lo32 >>> rootShift) & rootMask; rootMask -1 for 3/6/12. */
  private readonly rootShift: number;
  private readonly rootMask: number;
  /** 2^(32 - log2 HBIG) mod HBIW, for the 3/6/12 remainder on halves. */
  private readonly rootHiFactor: number;
  /**
   * Hot path form of T (cxl-math xorBitMasks): bit xorBitIdx[i] of T(hpa) is the parity of hpa
   * AND the mask whose int32 halves are xorLo[i], xorHi[i]; xorKeep clears those bits.
   */
  private xorLo = new Int32Array(0);
  private xorHi = new Int32Array(0);
  private xorBitIdx = new Int32Array(0);
  private xorKeep = -1;

  readonly spec: WindowSpec;

  constructor(spec: WindowSpec, index: number, targets: HostBridge[], xorLists: ReadonlyMap<number, number[]>) {
    const path = `windows[${index}] (${spec.id})`;
    this.spec = spec;
    this.id = spec.id;
    this.index = index;
    this.base = spec.base;
    this.size = spec.size;
    this.targets = targets;
    this.granularity = spec.granularity;
    this.ways = targets.length;
    this.arithmetic = spec.arithmetic;
    this.volatile = spec.volatile;
    this.persistent = spec.persistent;
    this.qtgId = spec.qtgId;
    if (!isValidWays(this.ways))
      throw new TopologyError(
        `${path}.targets: ${this.ways} host bridges is not a valid interleave (1, 2, 3, 4, 6, 8, 12, 16)`,
      );
    if (!isValidGranularity(spec.granularity))
      throw new TopologyError(
        `${path}.granularity: ${spec.granularity} is not a valid HBIG (256..16384, a power of two)`,
      );
    if (spec.base % HDM_RANGE_UNIT !== 0 || spec.size % HDM_RANGE_UNIT !== 0 || spec.size <= 0) {
      throw new TopologyError(
        `${path}: base 0x${spec.base.toString(16)} and size 0x${spec.size.toString(16)} must be non-zero multiples of 256 MiB`,
      );
    }
    if (spec.base + spec.size > 2 ** 52) throw new TopologyError(`${path}: ends above 2^52`);
    if (new Set(targets).size !== targets.length)
      throw new TopologyError(`${path}.targets: a host bridge is listed twice`);
    this.rootShift = log2Exact(spec.granularity);
    this.rootMask = isThreeFamily(this.ways) ? -1 : this.ways - 1;
    this.rootHiFactor = (2 ** (32 - this.rootShift) % this.ways) | 0;
    this.xorMaps = [];
    this.xorBits = [];
    if (spec.arithmetic === 'xor') {
      const n = xorMapsForHbiw(this.ways)!;
      const list = xorLists.get(spec.granularity) ?? [];
      if (list.length < n) {
        throw new TopologyError(
          `${path}: XOR arithmetic with ${this.ways} host bridges needs ${n} XOR maps for HBIG ${spec.granularity}, but the platform list (xorMaps, one CXIMS per HBIG) has ${list.length}`,
        );
      }
      const firstBit = log2Exact(spec.granularity);
      const want = new Set<number>();
      for (let i = 0; i < n; i++) want.add(firstBit + i);
      for (let i = 0; i < n; i++) {
        const m = list[i]!;
        const b = lowestSetBit(m);
        if (!want.has(b)) {
          throw new TopologyError(
            `${path}: XOR map ${i} (0x${m.toString(16)}) of the HBIG ${spec.granularity} list has lowest bit ${b}, but this window's position bits are ${[...want].join(', ')}: the window needs a conflicting map list`,
          );
        }
        want.delete(b);
        if (b >= 32) throw new TopologyError(`${path}: XOR map ${i} position bit ${b} is above 31`);
        this.xorMaps.push(m);
        this.xorBits.push(b);
      }
      const masks = xorBitMasks(this.xorMaps, n);
      this.xorLo = Int32Array.from(masks, (m) => lo32(m.mask) | 0);
      this.xorHi = Int32Array.from(masks, (m) => hi32(m.mask) | 0);
      this.xorBitIdx = Int32Array.from(masks, (m) => m.bit);
      for (const m of masks) this.xorKeep &= ~(1 << m.bit);
    }
  }

  get end(): number {
    return this.base + this.size;
  }

  contains(hpa: number): boolean {
    return hpa >= this.base && hpa < this.base + this.size;
  }

  /** T (SPEC-NOTES 1.4, cxl-math xorTransform): each map's lowest bit set to parity(hpa & map). */
  xorTransform(hpa: number): number {
    return xorTransform(hpa, this.xorMaps, this.xorMaps.length);
  }

  /**
   * Root position (index into targets) of `hpa`: modulo on the offset of T(hpa) from the base.
   * Hot path: T from its per-bit parity masks (xorBitMasks) on 32-bit halves (`>>> 0` is
   * ToUint32, exact mod 2^32 for integers < 2^53; the bits T changes are < 32 because HBIG <=
   * 16 KiB and at most 4 maps, so the high half of T(hpa) is the high half of hpa).
   */
  rootSlot(hpa: number): number {
    const n = this.xorLo.length;
    const lo = hpa >>> 0;
    let t = lo;
    let a = hpa;
    if (n !== 0) {
      const hi = ((hpa - lo) / 4294967296) | 0; // < 2^21
      const loM = this.xorLo;
      const hiM = this.xorHi;
      const bits = this.xorBitIdx;
      t = lo & this.xorKeep;
      for (let i = 0; i < n; i++) {
        let x = (lo & loM[i]!) ^ (hi & hiM[i]!);
        x ^= x >>> 16;
        x ^= x >>> 8;
        x ^= x >>> 4;
        t |= ((0x6996 >>> (x & 0xf)) & 1) << bits[i]!;
      }
      t >>>= 0;
      a = hpa - lo + t; // T changes bits below 32 only
    }
    // Power-of-two HBIW: the selector bits sit below bit 28 and the base is 256 MiB aligned.
    if (this.rootMask >= 0) return (t >>> this.rootShift) & this.rootMask;
    // 3/6/12: c mod W from the halves of the offset, c = hi * 2^(32-s) + (lo >>> s); all terms
    // stay below 2^25, so the remainder is a small-integer operation.
    const off = a - this.base;
    const ol = off >>> 0;
    const oh = ((off - ol) / 4294967296) | 0; // < 2^21
    return ((oh % this.ways) * this.rootHiFactor + (ol >>> this.rootShift)) % this.ways;
  }

  get threeFamily(): boolean {
    return isThreeFamily(this.ways);
  }
}

/** Platform XOR map lists by HBIG; refuses two different lists for one granularity. */
export function xorListsOf(maps: readonly XorMapSpec[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  maps.forEach((m, i) => {
    const prev = out.get(m.granularity);
    if (prev && (prev.length !== m.maps.length || prev.some((v, j) => v !== m.maps[j]))) {
      throw new TopologyError(
        `xorMaps[${i}]: a second, different XOR map list for HBIG ${m.granularity}; XOR maps are platform-level, one list per host-bridge granularity (CXIMS)`,
      );
    }
    out.set(m.granularity, m.maps.slice());
  });
  return out;
}

/** Default CXIMS list for an HBIG when the platform gives none: 4 maps in cxl_test's pattern (bit b+i, b+i+6, b+i+14). */
export function defaultXorMaps(granularity: number): number[] {
  const b = log2Exact(granularity);
  const out: number[] = [];
  for (let i = 0; i < 4; i++) out.push(2 ** (b + i) + 2 ** (b + i + 6) + 2 ** (b + i + 14));
  return out;
}
