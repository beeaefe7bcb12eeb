// The HDM decoder capability block of one component (host bridge, switch USP or type-3 endpoint).
// Owns the register image (SPEC-NOTES 2.3) and nothing else: the decoder state IS the image, so
// guest MMIO writes and host-side region creation program one and the same state. Commit applies
// the spec's checks and sets Committed or Error-Not-Committed; it never routes and never touches
// backing bytes (router.ts compiles committed state; listeners hear commit/uncommit only).

import {
  checkAddressLimit,
  checkCommitOrder,
  checkDecoderRangeOrder,
  checkDecoderSize,
  checkEncodedGranularity,
  checkEncodedWays,
  checkEndpointDpa,
  checkEndpointSize,
  checkSwitchDecoderWays,
  checkTargetList,
  checkWaysAdvertised,
  type RuleIssue,
  type WaysCaps,
} from '../cxl-math/decoder-rules.js';
import * as R from '../cxl-math/hdm-registers.js';
import {
  VALID_DECODER_COUNTS,
  decoderCountToEncoding,
  eigToGranularity,
  eiwToWays,
  endpointDpaBase,
} from '../cxl-math/interleave.js';

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

/** Field tables, read and written by name (never a bare shift). */
const CAPF = R.HDM_CAPABILITY.fields;
const GCF = R.HDM_GLOBAL_CONTROL.fields;
const CF = R.HDM_CONTROL.fields;
const get = R.extractField;
const set = R.depositField;
const bit = (fd: R.FieldDef) => R.fieldMask(fd);

/** Capability register bits (for tests and the reference decoder; derived from the table). */
export const CAP = {
  A11TO8: bit(CAPF.a11to8),
  A14TO12: bit(CAPF.a14to12),
  POISON_ON_ERR: bit(CAPF.poisonOnDecodeErrorCap),
  WAYS_3_6_12: bit(CAPF.ways3_6_12),
  WAYS_16: bit(CAPF.ways16),
} as const;

/** Global control bits. */
export const GCTRL = {
  POISON_ENABLE: bit(GCF.poisonOnDecodeErrorEnable),
  ENABLE: bit(GCF.hdmDecoderEnable),
} as const;

/** Decoder control bits. */
export const CTRL = {
  LOCK: bit(CF.lockOnCommit),
  COMMIT: bit(CF.commit),
  COMMITTED: bit(CF.committed),
  ERROR: bit(CF.errorNotCommitted),
  TYPE: bit(CF.targetRangeType),
  /** RW bits: IG, IW, Lock-on-Commit, Commit, Target Range Type (0x13FF). Committed/Error are RO. */
  WRITE_MASK: R.writeMask(R.HDM_CONTROL),
} as const;

const TWO32 = 2 ** 32;
const CONTROL_MASKS = R.writeMasks(R.HDM_CONTROL);

interface Slot {
  readonly def: R.RegisterDef;
  readonly decoder: number;
  readonly masks: R.WriteMasks;
}

/** The dword layout of a block, derived once per (kind, decoder count) from the cxl-math table. */
const layouts = new Map<string, ReadonlyArray<Slot | undefined>>();
function layoutOf(kind: 'switch' | 'endpoint', count: number): ReadonlyArray<Slot | undefined> {
  const key = `${kind}/${count}`;
  let l = layouts.get(key);
  if (!l) {
    l = Array.from({ length: R.hdmCapabilityLength(count) / 4 }, (_, dw) => {
      const at = R.registerAt(dw * 4, count, kind);
      return at && { ...at, masks: R.writeMasks(at.def) };
    });
    layouts.set(key, l);
  }
  return l;
}

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
   * Per dword: the register the table puts there, its decoder (-1 for global) and its write masks
   * (derived once from the access kinds, as QEMU keeps a wmask per register), or undefined.
   */
  private readonly layout: ReadonlyArray<Slot | undefined>;
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
        `${owner.name}: decoder count ${caps.count} is not encodable (${VALID_DECODER_COUNTS.join(', ')})`,
      );
    this.owner = owner;
    this.count = caps.count;
    this.length = R.hdmCapabilityLength(caps.count);
    this.regs = new Uint32Array(this.length / 4);
    this.reasons = new Array<string>(caps.count).fill('');
    const kind = owner.kind === 'endpoint' ? 'endpoint' : 'switch';
    this.layout = layoutOf(kind, caps.count);
    let cap = set(0, CAPF.decoderCount, enc);
    cap = set(cap, CAPF.targetCount, owner.kind === 'endpoint' ? 0 : R.TARGET_LIST_SLOTS);
    cap = set(cap, CAPF.a11to8, 1);
    cap = set(cap, CAPF.a14to12, 1);
    cap = set(cap, CAPF.ways3_6_12, caps.ways3_6_12 ? 1 : 0);
    cap = set(cap, CAPF.ways16, caps.ways16 ? 1 : 0);
    this.regs[0] = cap;
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
    return get(this.regs[1]!, GCF.hdmDecoderEnable) !== 0;
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
    return get(this.capability, CAPF.targetCount);
  }
  /** The interleave ways the capability advertises beyond powers of two up to 8. */
  get advertisedWays(): WaysCaps {
    return { ways3_6_12: get(this.capability, CAPF.ways3_6_12) !== 0, ways16: get(this.capability, CAPF.ways16) !== 0 };
  }

  private dword(index: number, reg: number): number {
    return (HDM.DECODER0 + HDM.STRIDE * index + reg) / 4;
  }
  private control(index: number): number {
    return this.regs[this.dword(index, HDM.CTRL)]!;
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

  /**
   * The one write path: the table's access kinds decide which bits take the value (RO and
   * reserved bits keep theirs). Decoder side effects: a locked or committed decoder refuses
   * writes, Control runs commit/uncommit, and Global Control reports enable changes.
   */
  private writeDword(dw: number, v: number): void {
    const at = this.layout[dw];
    if (at === undefined) return; // reserved dword
    const { def, decoder: index, masks } = at;
    const old = this.regs[dw]!;
    if (index < 0) {
      const nv = R.applyMaskedWrite(masks, old, v);
      this.regs[dw] = nv;
      if (def === R.HDM_GLOBAL_CONTROL && get(old, GCF.hdmDecoderEnable) !== get(nv, GCF.hdmDecoderEnable))
        this.emit(-1, 'enable');
      return;
    }
    if (this.isLocked(index)) {
      this.reasons[index] =
        `decoder ${index} of ${this.owner.name} is locked (Lock-on-Commit): registers are read-only until reset`;
      return;
    }
    if (def === R.HDM_CONTROL) {
      this.writeControl(index, v);
      return;
    }
    if (this.isCommitted(index)) {
      this.reasons[index] = `decoder ${index} of ${this.owner.name} is committed: clear Commit before reprogramming it`;
      return;
    }
    this.regs[dw] = R.applyMaskedWrite(masks, old, v);
  }

  private writeControl(index: number, v: number): void {
    const dw = this.dword(index, HDM.CTRL);
    const old = this.regs[dw]!;
    const wantCommit = get(v, CF.commit) !== 0;
    if (get(old, CF.committed) !== 0) {
      if (wantCommit) return; // fields are read-only while committed; Commit stays set
      // Un-commit, highest first (decoders are reset from the highest committed one).
      if (index + 1 < this.count && this.isCommitted(index + 1)) {
        this.reasons[index] =
          `decoder ${index} of ${this.owner.name} cannot be un-committed while decoder ${index + 1} is committed (reset from the highest committed decoder)`;
        return;
      }
      this.regs[dw] = set(set(set(old, CF.commit, 0), CF.committed, 0), CF.errorNotCommitted, 0);
      this.reasons[index] = '';
      this.emit(index, 'uncommit');
      return;
    }
    // A new Control value clears Error-Not-Committed; the commit check may set it again.
    this.regs[dw] = set(R.applyMaskedWrite(CONTROL_MASKS, old, v), CF.errorNotCommitted, 0);
    if (!wantCommit) {
      this.reasons[index] = '';
      return;
    }
    const issue = this.commitIssue(index);
    if (issue) {
      this.regs[dw] = set(this.regs[dw]!, CF.errorNotCommitted, 1);
      this.reasons[index] = issue.message;
      this.lastIssueCode[index] = issue.code;
      return;
    }
    this.regs[dw] = set(this.regs[dw]!, CF.committed, 1);
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
    return get(this.control(index), CF.committed) !== 0;
  }
  isError(index: number): boolean {
    return get(this.control(index), CF.errorNotCommitted) !== 0;
  }
  isLocked(index: number): boolean {
    const c = this.control(index);
    return get(c, CF.committed) !== 0 && get(c, CF.lockOnCommit) !== 0;
  }
  /** Number of committed decoders (the next index to commit, when commits are in order). */
  committedCount(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.isCommitted(i)) n = i + 1;
    return n;
  }

  view(index: number): DecoderView {
    const at = (reg: number) => this.regs[this.dword(index, reg)]!;
    const ctrl = at(HDM.CTRL);
    const eiw = get(ctrl, CF.iw);
    const eig = get(ctrl, CF.ig);
    const tlLo = at(HDM.TL_LO);
    const tlHi = at(HDM.TL_HI);
    const endpoint = this.owner.kind === 'endpoint';
    const targets: number[] = [];
    if (!endpoint) for (let i = 0; i < R.TARGET_LIST_SLOTS; i++) targets.push(R.targetListEntry(tlLo, tlHi, i));
    return {
      index,
      base: R.rangeFromRegisters(at(HDM.BASE_LO), at(HDM.BASE_HI)),
      size: R.rangeFromRegisters(at(HDM.SIZE_LO), at(HDM.SIZE_HI)),
      eiw,
      eig,
      ways: eiwToWays(eiw),
      granularity: eigToGranularity(eig),
      lock: get(ctrl, CF.lockOnCommit) !== 0,
      commit: get(ctrl, CF.commit) !== 0,
      committed: get(ctrl, CF.committed) !== 0,
      error: get(ctrl, CF.errorNotCommitted) !== 0,
      hostOnly: get(ctrl, CF.targetRangeType) !== 0,
      targets,
      skip: endpoint ? R.rangeFromRegisters(tlLo, tlHi) : 0,
    };
  }

  /** Endpoint: DPA base of decoder n (cxl-math endpointDpaBase; invalid-IW decoders map nothing). */
  dpaBase(index: number): number {
    const decoders: { skip: number; size: number; ways: number }[] = [];
    for (let m = 0; m <= index; m++) {
      const d = this.view(m);
      decoders.push({ skip: d.skip, size: d.ways ? d.size : 0, ways: d.ways ?? 1 });
    }
    return endpointDpaBase(decoders, index);
  }

  // ---- commit checks (the rules and their wording live in src/cxl-math/decoder-rules.ts) ----

  /** Why decoder `index` may not commit with its current registers, or undefined if it may. */
  commitIssue(index: number): { code: string; message: string } | undefined {
    const d = this.view(index);
    const issue = this.registerIssue(index, d);
    if (issue) return { code: issue.code, message: `decoder ${index} of ${this.owner.name}: ${issue.message}` };
    return this.rangeCheck ? this.rangeCheck(index, d) : undefined;
  }

  /** The first rule decoder `index`'s own registers break, in the order software meets them. */
  private registerIssue(index: number, d: DecoderView): RuleIssue | undefined {
    const ways = d.ways ?? 0;
    return (
      checkCommitOrder(index, this.committedCount())[0] ??
      checkDecoderSize(d.size)[0] ??
      checkEncodedWays(d.eiw)[0] ??
      checkEncodedGranularity(d.eig)[0] ??
      checkWaysAdvertised(ways, this.advertisedWays, this.owner.name)[0] ??
      checkAddressLimit(d.base, d.size)[0] ??
      (index > 0 ? checkDecoderRangeOrder([this.view(index - 1), d], index - 1)[0] : undefined) ??
      (this.owner.kind === 'endpoint' ? this.endpointIssue(index, d, ways) : this.targetIssue(d, ways))
    );
  }

  private endpointIssue(index: number, d: DecoderView, ways: number): RuleIssue | undefined {
    return (
      checkEndpointSize(d.size, ways)[0] ??
      checkEndpointDpa(this.dpaBase(index), d.size / ways, this.owner.volatileBytes, this.owner.persistentBytes)[0]
    );
  }

  private targetIssue(d: DecoderView, ways: number): RuleIssue | undefined {
    const what = this.owner.name;
    return (
      checkSwitchDecoderWays(ways, this.targetCount, this.advertisedWays, what)[0] ??
      checkTargetList(d.targets, ways, this.owner.portIds, what)[0]
    );
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
    const at = (def: R.RegisterDef) => R.registerOffset(def, index);
    const range = (low: R.RegisterDef, high: R.RegisterDef, value: number) => {
      this.write(at(low), 4, R.rangeLowWord(value));
      this.write(at(high), 4, R.rangeHighWord(value));
    };
    range(R.HDM_BASE_LOW, R.HDM_BASE_HIGH, p.base);
    range(R.HDM_SIZE_LOW, R.HDM_SIZE_HIGH, p.size);
    if (this.owner.kind === 'endpoint') range(R.HDM_DPA_SKIP_LOW, R.HDM_DPA_SKIP_HIGH, p.skip ?? 0);
    else {
      const tl = R.targetListWords(p.targets ?? []);
      this.write(at(R.HDM_TARGET_LIST_LOW), 4, tl.low);
      this.write(at(R.HDM_TARGET_LIST_HIGH), 4, tl.high);
    }
    let ctrl = set(0, CF.ig, p.eig);
    ctrl = set(ctrl, CF.iw, p.eiw);
    ctrl = set(ctrl, CF.lockOnCommit, p.lock ? 1 : 0);
    ctrl = set(ctrl, CF.targetRangeType, p.hostOnly ? 1 : 0);
    this.write(at(R.HDM_CONTROL), 4, ctrl);
  }

  /** Set Commit on decoder `index`; returns the outcome the register bits show. */
  commit(index: number): CommitOutcome {
    const o = HDM.DECODER0 + HDM.STRIDE * index + HDM.CTRL;
    this.write(o, 4, set(this.read(o, 4), CF.commit, 1));
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
    this.write(o + HDM.CTRL, 4, set(this.read(o + HDM.CTRL, 4), CF.commit, 0));
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
    this.write(HDM.GLOBAL_CTRL, 4, set(this.read(HDM.GLOBAL_CTRL, 4), GCF.hdmDecoderEnable, 1));
  }
}
