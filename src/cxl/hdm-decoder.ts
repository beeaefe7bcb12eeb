// The HDM decoder capability block of one component (host bridge, switch USP or type-3 endpoint).
// Owns the register image (SPEC-NOTES 2.3) and nothing else: the decoder state IS the image, so
// guest MMIO writes and host-side region creation program one and the same state. Commit applies
// the spec's checks and sets Committed or Error-Not-Committed; it never routes and never touches
// backing bytes (router.ts compiles committed state; listeners hear commit/uncommit only).

import * as R from '../cxl-math/hdm-registers.js';
import { decoderCountToEncoding, eigToGranularity, eiwToWays, isThreeFamily } from '../cxl-math/interleave.js';

/** Register layout (SPEC-NOTES 2.3; CXL r3.1 8.2.4.20), derived from src/cxl-math/hdm-registers.ts. */
export const HDM = {
  CAP: R.HDM_CAPABILITY.offset,
  GLOBAL_CTRL: R.HDM_GLOBAL_CONTROL.offset,
  DECODER0: R.DECODER0_OFFSET,
  STRIDE: R.DECODER_STRIDE,
  BASE_LO: R.HDM_BASE_LOW.offset - R.DECODER0_OFFSET,
  BASE_HI: R.HDM_BASE_HIGH.offset - R.DECODER0_OFFSET,
  SIZE_LO: R.HDM_SIZE_LOW.offset - R.DECODER0_OFFSET,
  SIZE_HI: R.HDM_SIZE_HIGH.offset - R.DECODER0_OFFSET,
  CTRL: R.HDM_CONTROL.offset - R.DECODER0_OFFSET,
  TL_LO: R.HDM_TARGET_LIST_LOW.offset - R.DECODER0_OFFSET, // endpoint: DPA Skip Low
  TL_HI: R.HDM_TARGET_LIST_HIGH.offset - R.DECODER0_OFFSET, // endpoint: DPA Skip High
} as const;

const bit = (fd: R.FieldDef) => 1 << fd.lo;

/** Capability register fields. */
export const CAP = {
  COUNT_SHIFT: R.HDM_CAPABILITY.fields.decoderCount.lo,
  TARGET_COUNT_SHIFT: R.HDM_CAPABILITY.fields.targetCount.lo,
  A11TO8: bit(R.HDM_CAPABILITY.fields.a11to8),
  A14TO12: bit(R.HDM_CAPABILITY.fields.a14to12),
  POISON_ON_ERR: bit(R.HDM_CAPABILITY.fields.poisonOnDecodeErrorCap),
  WAYS_3_6_12: bit(R.HDM_CAPABILITY.fields.ways3_6_12),
  WAYS_16: bit(R.HDM_CAPABILITY.fields.ways16),
} as const;

/** Global control fields. */
export const GCTRL = {
  POISON_ENABLE: bit(R.HDM_GLOBAL_CONTROL.fields.poisonOnDecodeErrorEnable),
  ENABLE: bit(R.HDM_GLOBAL_CONTROL.fields.hdmDecoderEnable),
  MASK: R.writeMask(R.HDM_GLOBAL_CONTROL),
} as const;

/** Decoder control fields. */
export const CTRL = {
  IG_SHIFT: R.HDM_CONTROL.fields.ig.lo,
  IW_SHIFT: R.HDM_CONTROL.fields.iw.lo,
  LOCK: bit(R.HDM_CONTROL.fields.lockOnCommit),
  COMMIT: bit(R.HDM_CONTROL.fields.commit),
  COMMITTED: bit(R.HDM_CONTROL.fields.committed),
  ERROR: bit(R.HDM_CONTROL.fields.errorNotCommitted),
  TYPE: bit(R.HDM_CONTROL.fields.targetRangeType),
  /** RW bits: IG, IW, Lock-on-Commit, Commit, Target Range Type (0x13FF). Committed/Error are RO. */
  WRITE_MASK: R.writeMask(R.HDM_CONTROL),
} as const;

/** Base/size/skip low registers keep [31:28] only (256 MiB units; QEMU mask 0xF0000000). */
export const LOW_256M_MASK = R.writeMask(R.HDM_BASE_LOW);
const TWO32 = 2 ** 32;
export const SZ_256M = 2 ** 28;
/** Highest HPA/DPA cxlemu models (DESIGN: addresses < 2^52). */
const ADDR_LIMIT = 2 ** 52;

export type HdmKind = 'hostBridge' | 'switch' | 'endpoint';

/** What the owning component tells its decoder block (for the commit checks). */
export interface HdmOwner {
  kind: HdmKind;
  /** Diagnostic name, e.g. "host bridge hb0". */
  name: string;
  /** HB/USP: port ids a target list may name (its root ports / downstream ports). */
  portIds: readonly number[];
  /** Endpoint: partition sizes in bytes (DPA order volatile, then persistent). */
  volatileBytes: number;
  persistentBytes: number;
}

export interface HdmCapsOptions {
  count: number;
  ways3_6_12: boolean;
  ways16: boolean;
}

/** Decoded view of one decoder's registers (plain data, for the router, list and region code). */
export interface DecoderView {
  index: number;
  base: number;
  size: number;
  eiw: number;
  eig: number;
  /** undefined when the encoding is invalid. */
  ways: number | undefined;
  granularity: number | undefined;
  lock: boolean;
  commit: boolean;
  committed: boolean;
  error: boolean;
  hostOnly: boolean;
  /** HB/USP: the 8 target-list bytes. */
  targets: number[];
  /** Endpoint: DPA skip in bytes. */
  skip: number;
}

export type HdmEvent = 'commit' | 'uncommit' | 'enable';
export type HdmListener = (block: HdmDecoderBlock, index: number, event: HdmEvent) => void;

/** Outcome of a commit request (the register bits are the truth; this is for the caller). */
export type CommitOutcome = { kind: 'committed' } | { kind: 'error'; code: string; reason: string };

export class HdmDecoderBlock {
  readonly owner: HdmOwner;
  readonly count: number;
  /** Block length in bytes: 0x10 + 0x20 * count. */
  readonly length: number;
  /** The register image, one Uint32 per dword. */
  readonly regs: Uint32Array;
  /** Per decoder: why the last commit failed or the last write was refused ('' if none). */
  readonly reasons: string[];
  private readonly listeners: HdmListener[] = [];
  /**
   * Topology-level commit rule, run after the block's own checks (set by the topology, which knows
   * the windows): the range must lie inside a window that routes to this component, and endpoint
   * ranges must be aligned to 256 MiB x W within it. See docs/cxl-registers.md "Commit rules".
   */
  rangeCheck: ((index: number, d: DecoderView) => { code: string; message: string } | undefined) | null = null;
  private memEnable = true;

  constructor(owner: HdmOwner, caps: HdmCapsOptions) {
    const enc = decoderCountToEncoding(caps.count);
    if (enc === undefined)
      throw new RangeError(
        `${owner.name}: decoder count ${caps.count} is not encodable (1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32)`,
      );
    this.owner = owner;
    this.count = caps.count;
    this.length = HDM.DECODER0 + HDM.STRIDE * caps.count;
    this.regs = new Uint32Array(this.length / 4);
    this.reasons = new Array<string>(caps.count).fill('');
    const targetCount = owner.kind === 'endpoint' ? 0 : 8;
    let cap = enc | (targetCount << CAP.TARGET_COUNT_SHIFT) | CAP.A11TO8 | CAP.A14TO12;
    if (caps.ways3_6_12) cap |= CAP.WAYS_3_6_12;
    if (caps.ways16) cap |= CAP.WAYS_16;
    this.regs[0] = cap >>> 0;
  }

  onChange(listener: HdmListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit(index: number, event: HdmEvent): void {
    for (const l of this.listeners) l(this, index, event);
  }

  get capability(): number {
    return this.regs[0]!;
  }
  get enabled(): boolean {
    return (this.regs[1]! & GCTRL.ENABLE) !== 0;
  }
  /**
   * Endpoint: the CXL device DVSEC's Mem_Enable (Control bit 2). An endpoint with it clear does not
   * decode (routers treat its decoders as absent). True for blocks without PCI config space; the
   * endpoint's PCI function drives it from the DVSEC.
   */
  get memEnabled(): boolean {
    return this.memEnable;
  }
  setMemEnable(on: boolean): void {
    if (on === this.memEnable) return;
    this.memEnable = on;
    this.emit(-1, 'enable');
  }
  get targetCount(): number {
    return (this.capability >>> CAP.TARGET_COUNT_SHIFT) & 0xf;
  }

  private dword(index: number, reg: number): number {
    return (HDM.DECODER0 + HDM.STRIDE * index + reg) / 4;
  }

  // ---- MMIO-style access -------------------------------------------------------------------

  /** Read `size` bytes at `offset` (little-endian, unsigned). 8-byte reads return lo + hi * 2^32. */
  read(offset: number, size: 1 | 2 | 4 | 8): number {
    if (offset < 0 || offset + size > this.length) return 0;
    if (size === 8) return this.read(offset, 4) + this.read(offset + 4, 4) * TWO32;
    const dw = offset >>> 2;
    const shift = (offset & 3) * 8;
    const v = this.regs[dw]! >>> shift;
    if (size === 4 && shift === 0) return this.regs[dw]!;
    if (shift + size * 8 > 32) {
      // Straddles a dword: assemble byte by byte.
      let r = 0;
      for (let i = size - 1; i >= 0; i--) r = r * 256 + this.read(offset + i, 1);
      return r;
    }
    return size === 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff);
  }

  /** Write `size` bytes at `offset`; applies the write masks and commit semantics. Never throws. */
  write(offset: number, size: 1 | 2 | 4 | 8, value: number): void {
    if (offset < 0 || offset + size > this.length) return;
    if (size === 8) {
      this.write(offset, 4, value % TWO32);
      this.write(offset + 4, 4, Math.floor(value / TWO32) % TWO32);
      return;
    }
    // Sub-dword writes merge into the current dword value.
    const dw = offset >>> 2;
    const shift = (offset & 3) * 8;
    if (shift + size * 8 > 32) {
      for (let i = 0; i < size; i++) this.write(offset + i, 1, Math.floor(value / 2 ** (8 * i)) & 0xff);
      return;
    }
    let v: number;
    if (size === 4) v = value >>> 0;
    else {
      const m = (size === 1 ? 0xff : 0xffff) << shift;
      v = ((this.regs[dw]! & ~m) | ((value << shift) & m)) >>> 0;
    }
    this.writeDword(dw, v);
  }

  private writeDword(dw: number, v: number): void {
    const byteOff = dw * 4;
    if (byteOff === HDM.CAP) return; // RO
    if (byteOff === HDM.GLOBAL_CTRL) {
      const old = this.regs[dw]!;
      const nv = (v & GCTRL.MASK) >>> 0;
      this.regs[dw] = nv;
      if ((old ^ nv) & GCTRL.ENABLE) this.emit(-1, 'enable');
      return;
    }
    if (byteOff < HDM.DECODER0) return; // reserved
    const index = Math.floor((byteOff - HDM.DECODER0) / HDM.STRIDE);
    const reg = (byteOff - HDM.DECODER0) % HDM.STRIDE;
    const ctrlDw = this.dword(index, HDM.CTRL);
    const ctrl = this.regs[ctrlDw]!;
    const committed = (ctrl & CTRL.COMMITTED) !== 0;
    const locked = committed && (ctrl & CTRL.LOCK) !== 0;
    if (locked) {
      this.reasons[index] =
        `decoder ${index} of ${this.owner.name} is locked (Lock-on-Commit): registers are read-only until reset`;
      return;
    }
    switch (reg) {
      case HDM.BASE_LO:
      case HDM.SIZE_LO:
        if (committed) {
          this.refuseWhileCommitted(index);
          return;
        }
        this.regs[dw] = (v & LOW_256M_MASK) >>> 0;
        return;
      case HDM.BASE_HI:
      case HDM.SIZE_HI:
        if (committed) {
          this.refuseWhileCommitted(index);
          return;
        }
        this.regs[dw] = v >>> 0;
        return;
      case HDM.TL_LO:
        if (committed) {
          this.refuseWhileCommitted(index);
          return;
        }
        this.regs[dw] = (this.owner.kind === 'endpoint' ? v & LOW_256M_MASK : v) >>> 0;
        return;
      case HDM.TL_HI:
        if (committed) {
          this.refuseWhileCommitted(index);
          return;
        }
        this.regs[dw] = v >>> 0;
        return;
      case HDM.CTRL:
        this.writeControl(index, v);
        return;
      default:
        return; // reserved dword
    }
  }

  private refuseWhileCommitted(index: number): void {
    this.reasons[index] = `decoder ${index} of ${this.owner.name} is committed: clear Commit before reprogramming it`;
  }

  private writeControl(index: number, v: number): void {
    const dw = this.dword(index, HDM.CTRL);
    const old = this.regs[dw]!;
    const wantCommit = (v & CTRL.COMMIT) !== 0;
    if (old & CTRL.COMMITTED) {
      if (wantCommit) return; // fields are read-only while committed; Commit stays set
      // Un-commit, highest first (decoders are reset from the highest committed one).
      if (index + 1 < this.count && this.isCommitted(index + 1)) {
        this.reasons[index] =
          `decoder ${index} of ${this.owner.name} cannot be un-committed while decoder ${index + 1} is committed (reset from the highest committed decoder)`;
        return;
      }
      this.regs[dw] = (old & ~(CTRL.COMMIT | CTRL.COMMITTED | CTRL.ERROR)) >>> 0;
      this.reasons[index] = '';
      this.emit(index, 'uncommit');
      return;
    }
    const nv = ((old & ~CTRL.WRITE_MASK & ~CTRL.ERROR) | (v & CTRL.WRITE_MASK)) >>> 0;
    this.regs[dw] = nv;
    if (!wantCommit) {
      this.reasons[index] = '';
      return;
    }
    const issue = this.commitIssue(index);
    if (issue) {
      this.regs[dw] = (this.regs[dw]! | CTRL.ERROR) >>> 0;
      this.reasons[index] = issue.message;
      this.lastIssueCode[index] = issue.code;
      return;
    }
    this.regs[dw] = (this.regs[dw]! | CTRL.COMMITTED) >>> 0;
    this.reasons[index] = '';
    this.emit(index, 'commit');
  }

  private readonly lastIssueCode: string[] = [];

  /** Code of the last commit failure of decoder `index` ('' if none). */
  errorCode(index: number): string {
    return this.isError(index) ? (this.lastIssueCode[index] ?? '') : '';
  }

  // ---- decoded views -----------------------------------------------------------------------

  isCommitted(index: number): boolean {
    return (this.regs[this.dword(index, HDM.CTRL)]! & CTRL.COMMITTED) !== 0;
  }
  isError(index: number): boolean {
    return (this.regs[this.dword(index, HDM.CTRL)]! & CTRL.ERROR) !== 0;
  }
  isLocked(index: number): boolean {
    const c = this.regs[this.dword(index, HDM.CTRL)]!;
    return (c & CTRL.COMMITTED) !== 0 && (c & CTRL.LOCK) !== 0;
  }
  /** Number of committed decoders (the next index to commit, when commits are in order). */
  committedCount(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.isCommitted(i)) n = i + 1;
    return n;
  }

  view(index: number): DecoderView {
    const r = this.regs;
    const at = (reg: number) => r[this.dword(index, reg)]!;
    const ctrl = at(HDM.CTRL);
    const eiw = (ctrl >>> CTRL.IW_SHIFT) & 0xf;
    const eig = (ctrl >>> CTRL.IG_SHIFT) & 0xf;
    const tlLo = at(HDM.TL_LO);
    const tlHi = at(HDM.TL_HI);
    const endpoint = this.owner.kind === 'endpoint';
    const targets: number[] = [];
    if (!endpoint) {
      for (let i = 0; i < 4; i++) targets.push((tlLo >>> (8 * i)) & 0xff);
      for (let i = 0; i < 4; i++) targets.push((tlHi >>> (8 * i)) & 0xff);
    }
    return {
      index,
      base: at(HDM.BASE_LO) + at(HDM.BASE_HI) * TWO32,
      size: at(HDM.SIZE_LO) + at(HDM.SIZE_HI) * TWO32,
      eiw,
      eig,
      ways: eiwToWays(eiw),
      granularity: eigToGranularity(eig),
      lock: (ctrl & CTRL.LOCK) !== 0,
      commit: (ctrl & CTRL.COMMIT) !== 0,
      committed: (ctrl & CTRL.COMMITTED) !== 0,
      error: (ctrl & CTRL.ERROR) !== 0,
      hostOnly: (ctrl & CTRL.TYPE) !== 0,
      targets,
      skip: endpoint ? tlLo + tlHi * TWO32 : 0,
    };
  }

  /** Endpoint: DPA base of decoder n = sum over m < n of (skip_m + size_m/W_m), plus skip_n. */
  dpaBase(index: number): number {
    let dpa = 0;
    for (let m = 0; m < index; m++) {
      const d = this.view(m);
      dpa += d.skip + (d.ways ? d.size / d.ways : 0);
    }
    return dpa + this.view(index).skip;
  }

  // ---- commit checks -----------------------------------------------------------------------

  /** Why decoder `index` may not commit with its current registers, or undefined if it may. */
  commitIssue(index: number): { code: string; message: string } | undefined {
    const who = `decoder ${index} of ${this.owner.name}`;
    const d = this.view(index);
    const hex = (n: number) => '0x' + n.toString(16);
    if (index > 0 && !this.isCommitted(index - 1)) {
      return {
        code: 'commit-order',
        message: `${who}: commit out of order: decoder ${index - 1} is not committed (decoders commit in increasing index order)`,
      };
    }
    if (d.size === 0)
      return { code: 'zero-size', message: `${who}: size is 0 (a committed decoder needs a non-zero size)` };
    if (d.ways === undefined)
      return {
        code: 'iw-invalid',
        message: `${who}: interleave ways encoding IW=${d.eiw} is invalid (valid: 0-4, 8-10)`,
      };
    if (d.granularity === undefined)
      return {
        code: 'ig-invalid',
        message: `${who}: interleave granularity encoding IG=${d.eig} is invalid (valid: 0-6, 256 B..16 KiB)`,
      };
    const cap = this.capability;
    if (isThreeFamily(d.ways) && !(cap & CAP.WAYS_3_6_12)) {
      return {
        code: 'iw-capability',
        message: `${who}: ${d.ways}-way interleave needs the 3/6/12-way capability (HDM Decoder Capability bit 11), which this component does not advertise`,
      };
    }
    if (d.ways === 16 && !(cap & CAP.WAYS_16)) {
      return {
        code: 'iw-capability',
        message: `${who}: 16-way interleave needs the 16-way capability (HDM Decoder Capability bit 12), which this component does not advertise`,
      };
    }
    if (d.base + d.size > ADDR_LIMIT) {
      return { code: 'range', message: `${who}: range ${hex(d.base)}+${hex(d.size)} ends above 2^52` };
    }
    if (index > 0) {
      const p = this.view(index - 1);
      if (d.base < p.base + p.size) {
        return {
          code: 'overlap',
          message: `${who}: base ${hex(d.base)} is below the end ${hex(p.base + p.size)} of decoder ${index - 1} (decoders hold increasing, non-overlapping ranges)`,
        };
      }
    }
    if (this.owner.kind === 'endpoint') {
      if (d.size % d.ways !== 0) {
        return {
          code: 'size-ways',
          message: `${who}: size ${hex(d.size)} is not a multiple of the ${d.ways} interleave ways (endpoint size mod W must be 0)`,
        };
      }
      const dpa = this.dpaBase(index);
      const len = d.size / d.ways;
      const vol = this.owner.volatileBytes;
      const cap2 = vol + this.owner.persistentBytes;
      if (dpa + len > cap2) {
        return {
          code: 'dpa-capacity',
          message: `${who}: DPA ${hex(dpa)}-${hex(dpa + len - 1)} exceeds the device capacity ${hex(cap2)}`,
        };
      }
      if (dpa < vol && dpa + len > vol) {
        return {
          code: 'dpa-partition',
          message: `${who}: DPA ${hex(dpa)}-${hex(dpa + len - 1)} crosses the volatile/persistent partition boundary at ${hex(vol)} (a decoder maps one partition)`,
        };
      }
    } else {
      if (d.ways > 8) {
        return {
          code: 'iw-targets',
          message: `${who}: ${d.ways}-way interleave exceeds the 8-entry target list (host bridge and switch decoders allow W <= 8)`,
        };
      }
      if (d.ways > this.targetCount) {
        return {
          code: 'iw-targets',
          message: `${who}: ${d.ways}-way interleave exceeds the Target Count ${this.targetCount}`,
        };
      }
      const seen = new Set<number>();
      for (let i = 0; i < d.ways; i++) {
        const t = d.targets[i]!;
        if (!this.owner.portIds.includes(t)) {
          return {
            code: 'target-invalid',
            message: `${who}: target list entry ${i} names port ${t}, which is not a downstream port of this component (ports: ${this.owner.portIds.join(', ') || 'none'})`,
          };
        }
        if (seen.has(t)) {
          return {
            code: 'target-duplicate',
            message: `${who}: target list entry ${i} repeats port ${t} (each way needs a distinct port)`,
          };
        }
        seen.add(t);
      }
    }
    return this.rangeCheck ? this.rangeCheck(index, d) : undefined;
  }

  // ---- host-side programming helpers (through the register image) --------------------------

  /** Program base, size, IW/IG and target list or skip of decoder `index` (not committed). */
  program(
    index: number,
    p: {
      base: number;
      size: number;
      eiw: number;
      eig: number;
      targets?: readonly number[];
      skip?: number;
      lock?: boolean;
      hostOnly?: boolean;
    },
  ): void {
    const o = HDM.DECODER0 + HDM.STRIDE * index;
    this.write(o + HDM.BASE_LO, 4, p.base % TWO32);
    this.write(o + HDM.BASE_HI, 4, Math.floor(p.base / TWO32));
    this.write(o + HDM.SIZE_LO, 4, p.size % TWO32);
    this.write(o + HDM.SIZE_HI, 4, Math.floor(p.size / TWO32));
    if (this.owner.kind === 'endpoint') {
      const skip = p.skip ?? 0;
      this.write(o + HDM.TL_LO, 4, skip % TWO32);
      this.write(o + HDM.TL_HI, 4, Math.floor(skip / TWO32));
    } else {
      const t = p.targets ?? [];
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < 4; i++) lo += (t[i] ?? 0) * 2 ** (8 * i);
      for (let i = 0; i < 4; i++) hi += (t[i + 4] ?? 0) * 2 ** (8 * i);
      this.write(o + HDM.TL_LO, 4, lo);
      this.write(o + HDM.TL_HI, 4, hi);
    }
    const ctrl =
      (p.eig << CTRL.IG_SHIFT) | (p.eiw << CTRL.IW_SHIFT) | (p.lock ? CTRL.LOCK : 0) | (p.hostOnly ? CTRL.TYPE : 0);
    this.write(o + HDM.CTRL, 4, ctrl);
  }

  /** Set Commit on decoder `index`; returns the outcome the register bits show. */
  commit(index: number): CommitOutcome {
    const o = HDM.DECODER0 + HDM.STRIDE * index + HDM.CTRL;
    this.write(o, 4, this.read(o, 4) | CTRL.COMMIT);
    if (this.isCommitted(index)) return { kind: 'committed' };
    return { kind: 'error', code: this.errorCode(index), reason: this.reasons[index] ?? '' };
  }

  /** Clear Commit on decoder `index` and zero its base and size (as Linux does). */
  uncommit(index: number): { ok: true } | { ok: false; reason: string } {
    const o = HDM.DECODER0 + HDM.STRIDE * index;
    if (this.isLocked(index)) {
      return {
        ok: false,
        reason: `decoder ${index} of ${this.owner.name} is locked (Lock-on-Commit) and cannot be un-committed until reset`,
      };
    }
    this.write(o + HDM.CTRL, 4, this.read(o + HDM.CTRL, 4) & ~CTRL.COMMIT);
    if (this.isCommitted(index)) return { ok: false, reason: this.reasons[index] ?? '' };
    this.write(o + HDM.CTRL, 4, 0);
    for (const r of [HDM.BASE_LO, HDM.BASE_HI, HDM.SIZE_LO, HDM.SIZE_HI, HDM.TL_LO, HDM.TL_HI]) this.write(o + r, 4, 0);
    return { ok: true };
  }

  /** Reset: every decoder cleared and un-locked, global control cleared (a conventional reset). */
  reset(): void {
    const had: number[] = [];
    for (let i = this.count - 1; i >= 0; i--) if (this.isCommitted(i)) had.push(i);
    const cap = this.regs[0]!;
    this.regs.fill(0);
    this.regs[0] = cap;
    this.reasons.fill('');
    for (const i of had) this.emit(i, 'uncommit');
  }

  /** Set HDM Decoder Enable (global control bit 1). */
  enable(): void {
    this.write(HDM.GLOBAL_CTRL, 4, this.read(HDM.GLOBAL_CTRL, 4) | GCTRL.ENABLE);
  }
}
