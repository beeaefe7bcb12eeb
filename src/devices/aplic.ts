// APLIC (advanced platform-level interrupt controller, RISC-V AIA 1.0 chapter 4) in MSI delivery
// mode, laid out as QEMU virt's `aia=aplic-imsic`: a machine-level root domain that may delegate
// each wired source to one supervisor-level child domain. A source active in a domain becomes
// pending by its wire (edge or level, possibly inverted) or by a write to setip/setipnum; when it
// is pending and enabled and the domain's IE is set, the domain forwards it as an MSI (the EIID of
// target[i], written to the IMSIC interrupt file that the hart index and the root domain's
// *msiaddrcfg registers name) and clears the pending bit.
//
// Owns the sources' configuration, pending/enable bits, targets and the MSI address arithmetic.
// Sends MSIs through the `sendMsi` the board gives (a 32-bit write into the address space, where
// the IMSIC pages are mapped); never imports the IMSIC or the CPU.
//
// Implementation choices (all allowed by the spec): delivery mode is MSI only (domaincfg.DM reads
// 1, no IDC structures); little-endian only (BE reads 0); no guest files (Guest Index reads 0);
// genmsi sends at once, so Busy always reads 0; at reset the root domain's *msiaddrcfg registers
// hold the board's IMSIC layout and are unlocked, so firmware may rewrite or lock them.

import type { MmioOps } from '../memory/index.js';
import type { IrqLine } from './irq.js';

/** Wired sources, as QEMU virt (riscv,num-sources = 96: sources 1..96). */
export const APLIC_NUM_SOURCES = 96;
/** Each domain's control region (QEMU virt maps 0x8000; registers end at 0x4000). */
export const APLIC_DOMAIN_SIZE = 0x8000;

const REG = Object.freeze({
  domaincfg: 0x0000,
  sourcecfg: 0x0004, // sourcecfg[1] .. sourcecfg[1023]
  mmsiaddrcfg: 0x1bc0,
  mmsiaddrcfgh: 0x1bc4,
  smsiaddrcfg: 0x1bc8,
  smsiaddrcfgh: 0x1bcc,
  setip: 0x1c00,
  setipnum: 0x1cdc,
  inClrip: 0x1d00,
  clripnum: 0x1ddc,
  setie: 0x1e00,
  setienum: 0x1edc,
  clrie: 0x1f00,
  clrienum: 0x1fdc,
  setipnumLe: 0x2000,
  setipnumBe: 0x2004,
  genmsi: 0x3000,
  target: 0x3004, // target[1] .. target[1023]
});

const DOMAINCFG_RO = 0x80000000 | 0;
const DOMAINCFG_IE = 1 << 8;
const DOMAINCFG_DM = 1 << 2;
const SOURCECFG_D = 1 << 10;
const SM = Object.freeze({ inactive: 0, detached: 1, edge1: 4, edge0: 5, level1: 6, level0: 7 });
const MSIADDRCFGH_L = 0x80000000 | 0;

/** Where the IMSIC interrupt files of one privilege level are (AIA 3.6's arrangement). */
export interface ImsicLayout {
  /** Address of hart index 0's file. */
  base: number;
  /** log2 of the byte distance between consecutive harts' files, minus 12 (LHXS). */
  lhxs: number;
}

export interface AplicOptions {
  /** Number of harts the domains target (hart index = hart id). */
  harts: number;
  /** Machine- and supervisor-level IMSIC files, the reset value of the *msiaddrcfg registers. */
  imsic: { m: ImsicLayout; s: ImsicLayout };
  /** EIIDs the IMSICs implement (EIID keeps as many bits as this needs). */
  numIds: number;
  /** Write a 32-bit MSI (the board writes the address space). */
  sendMsi: (address: number, data: number) => void;
  sources?: number;
}

/** One interrupt domain's registers and per-source state. */
export class AplicDomain implements MmioOps {
  readonly valid = { min: 4, max: 4 } as const;
  readonly impl = { min: 4, max: 4 } as const;
  /** Set on the root domain by the Aplic that owns both. */
  child: AplicDomain | null = null;
  private ie = false;
  private readonly cfg: Uint32Array;
  private readonly target: Uint32Array;
  private readonly pend: Uint32Array;
  private readonly en: Uint32Array;

  constructor(
    private readonly aplic: Aplic,
    readonly level: 'M' | 'S',
    readonly parent: AplicDomain | null,
  ) {
    const n = aplic.sources + 1;
    this.cfg = new Uint32Array(n);
    this.target = new Uint32Array(n);
    this.pend = new Uint32Array(Math.ceil(n / 32));
    this.en = new Uint32Array(Math.ceil(n / 32));
  }

  get isRoot(): boolean {
    return this.parent === null;
  }

  /** Source i's sourcecfg as the guest sees it (zero unless the parent delegated it here). */
  sourcecfg(i: number): number {
    return this.reachable(i) ? this.cfg[i]! : 0;
  }

  /** Source i is active here: reachable, not delegated on, and a mode other than Inactive. */
  active(i: number): boolean {
    const c = this.sourcecfg(i);
    return (c & SOURCECFG_D) === 0 && (c & 7) !== SM.inactive;
  }

  isPending(i: number): boolean {
    return (this.pend[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  isEnabled(i: number): boolean {
    return (this.en[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  // ---- MmioOps ----

  read(offset: number): number {
    if ((offset & 3) !== 0) return 0;
    const n = this.aplic.sources;
    if (offset === REG.domaincfg) return DOMAINCFG_RO | DOMAINCFG_DM | (this.ie ? DOMAINCFG_IE : 0);
    if (offset >= REG.sourcecfg && offset < REG.sourcecfg + 4 * n) return this.sourcecfg(offset / 4);
    if (offset >= REG.mmsiaddrcfg && offset <= REG.smsiaddrcfgh) return this.isRoot ? this.aplic.readMsiCfg(offset) : 0;
    if (offset >= REG.setip && offset < REG.setip + 128) return this.word(this.pend, (offset - REG.setip) / 4);
    if (offset >= REG.inClrip && offset < REG.inClrip + 128) return this.rectifiedWord((offset - REG.inClrip) / 4);
    if (offset >= REG.setie && offset < REG.setie + 128) return this.word(this.en, (offset - REG.setie) / 4);
    if (offset === REG.genmsi) return this.aplic.genmsiValue(this);
    if (offset >= REG.target && offset < REG.target + 4 * n) {
      const i = (offset - REG.genmsi) / 4;
      return this.active(i) ? this.target[i]! : 0;
    }
    return 0; // setipnum, clripnum, setienum, clrienum, clrie, setipnum_le/be and reserved: 0
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    if ((offset & 3) !== 0) return;
    const n = this.aplic.sources;
    const v = value >>> 0;
    if (offset === REG.domaincfg) {
      this.ie = (v & DOMAINCFG_IE) !== 0;
      this.forwardAll();
    } else if (offset >= REG.sourcecfg && offset < REG.sourcecfg + 4 * n) this.writeSourcecfg(offset / 4, v);
    else if (offset >= REG.mmsiaddrcfg && offset <= REG.smsiaddrcfgh) {
      if (this.isRoot) this.aplic.writeMsiCfg(offset, v);
    } else if (offset >= REG.setip && offset < REG.setip + 128)
      this.eachBit((offset - REG.setip) / 4, v, (i) => this.setPending(i));
    else if (offset === REG.setipnum || offset === REG.setipnumLe) this.setPending(v);
    else if (offset === REG.setipnumBe) this.setPending(byteSwap32(v));
    else if (offset >= REG.inClrip && offset < REG.inClrip + 128)
      this.eachBit((offset - REG.inClrip) / 4, v, (i) => this.clearPending(i));
    else if (offset === REG.clripnum) this.clearPending(v);
    else if (offset >= REG.setie && offset < REG.setie + 128)
      this.eachBit((offset - REG.setie) / 4, v, (i) => this.setEnable(i, true));
    else if (offset === REG.setienum) this.setEnable(v, true);
    else if (offset >= REG.clrie && offset < REG.clrie + 128)
      this.eachBit((offset - REG.clrie) / 4, v, (i) => this.setEnable(i, false));
    else if (offset === REG.clrienum) this.setEnable(v, false);
    else if (offset === REG.genmsi) this.aplic.genmsi(this, v);
    else if (offset >= REG.target && offset < REG.target + 4 * n) {
      const i = (offset - REG.genmsi) / 4;
      if (!this.active(i)) return;
      // MSI mode: Hart Index 31:18 (WLRL), Guest Index 17:12 read-only zero (no H), EIID 10:0 (WARL).
      this.target[i] = (v & 0xfffc0000) | (v & this.aplic.eiidMask);
    }
  }

  // ---- source state ----

  /** The wire of source i changed (only called on the domain where i is not delegated further). */
  wireChanged(i: number, rose: boolean): void {
    if (!this.active(i)) return;
    const sm = this.cfg[i]! & 7;
    const rect = this.rectified(i);
    if (sm === SM.edge1 || sm === SM.edge0) {
      if (rect && (sm === SM.edge1) === rose) this.markPending(i);
    } else if (sm === SM.level1 || sm === SM.level0) {
      if (rect) this.markPending(i);
      else this.unmarkPending(i);
    }
  }

  /** Rectified input: the wire XOR inverted for edge/level modes, 0 when inactive or detached. */
  rectified(i: number): boolean {
    if (!this.active(i)) return false;
    const sm = this.cfg[i]! & 7;
    if (sm < SM.edge1) return false;
    const wire = this.aplic.wire(i);
    return sm === SM.edge0 || sm === SM.level0 ? !wire : wire;
  }

  /** The parent delegated source i here (always true at the root). */
  private reachable(i: number): boolean {
    if (i < 1 || i > this.aplic.sources) return false;
    if (this.parent === null) return true;
    return (this.parent.sourcecfg(i) & SOURCECFG_D) !== 0;
  }

  private writeSourcecfg(i: number, v: number): void {
    if (!this.reachable(i)) return;
    let c: number;
    if ((v & SOURCECFG_D) !== 0) {
      // Delegation needs a child; a leaf domain's register becomes zero instead. One child: index 0.
      c = this.child !== null ? SOURCECFG_D : 0;
    } else {
      const sm = v & 7;
      c = sm === 2 || sm === 3 ? SM.inactive : sm; // reserved modes: WARL, inactive
    }
    const old = this.cfg[i]!;
    this.cfg[i] = c;
    if (((old ^ c) & SOURCECFG_D) !== 0) this.child?.forget(i);
    if (!this.active(i)) {
      this.unmarkPending(i);
      this.en[i >>> 5]! &= ~(1 << (i & 31));
      this.target[i] = 0;
      return;
    }
    // A level source asserted under its new mode becomes pending (the spec lets a write do this).
    const sm = c & 7;
    if ((sm === SM.level1 || sm === SM.level0) && this.rectified(i)) this.markPending(i);
    this.forward(i);
  }

  /** The parent changed the delegation of source i: it starts again from zero here. */
  private forget(i: number): void {
    const was = this.cfg[i]!;
    this.cfg[i] = 0;
    this.unmarkPending(i);
    this.en[i >>> 5]! &= ~(1 << (i & 31));
    this.target[i] = 0;
    if ((was & SOURCECFG_D) !== 0) this.child?.forget(i);
  }

  /** setip/setipnum: Detached and edge sources always; level sources only while asserted. */
  private setPending(i: number): void {
    if (!this.active(i)) return;
    const sm = this.cfg[i]! & 7;
    if ((sm === SM.level1 || sm === SM.level0) && !this.rectified(i)) return;
    this.markPending(i);
  }

  private clearPending(i: number): void {
    if (this.active(i)) this.unmarkPending(i);
  }

  private setEnable(i: number, on: boolean): void {
    if (!this.active(i)) return;
    if (on) this.en[i >>> 5]! |= 1 << (i & 31);
    else this.en[i >>> 5]! &= ~(1 << (i & 31));
    this.forward(i);
  }

  private markPending(i: number): void {
    this.pend[i >>> 5]! |= 1 << (i & 31);
    this.forward(i);
  }

  private unmarkPending(i: number): void {
    if (i >= 1 && i <= this.aplic.sources) this.pend[i >>> 5]! &= ~(1 << (i & 31));
  }

  /** Send source i's MSI if it is pending, enabled and the domain's IE is set; that clears pending. */
  private forward(i: number): void {
    if (!this.ie || !this.isPending(i) || !this.isEnabled(i)) return;
    this.unmarkPending(i);
    const t = this.target[i]!;
    this.aplic.send(this.level, t >>> 18, t & this.aplic.eiidMask);
  }

  private forwardAll(): void {
    for (let i = 1; i <= this.aplic.sources; i++) this.forward(i);
  }

  private word(bits: Uint32Array, k: number): number {
    let w = bits[k] ?? 0;
    for (let b = 0; b < 32; b++) if ((w & (1 << b)) !== 0 && !this.active(k * 32 + b)) w &= ~(1 << b);
    return w;
  }

  private rectifiedWord(k: number): number {
    let w = 0;
    for (let b = 0; b < 32; b++) if (this.rectified(k * 32 + b)) w |= 1 << b;
    return w;
  }

  private eachBit(k: number, v: number, f: (i: number) => void): void {
    for (let b = 0; b < 32; b++) if ((v & (1 << b)) !== 0) f(k * 32 + b);
  }

  /** Back to reset: IE off, every source inactive (the spec leaves the rest unspecified). */
  reset(): void {
    this.ie = false;
    this.cfg.fill(0);
    this.target.fill(0);
    this.pend.fill(0);
    this.en.fill(0);
  }
}

/** Both domains, the source wires and the MSI address configuration. */
export class Aplic {
  readonly sources: number;
  readonly root: AplicDomain;
  readonly supervisor: AplicDomain;
  readonly eiidMask: number;
  private readonly wires: Uint8Array;
  private readonly opts: AplicOptions;
  /** mmsiaddrcfg, mmsiaddrcfgh, smsiaddrcfg, smsiaddrcfgh. */
  private readonly msiCfg = new Uint32Array(4);
  /** Messages sent, for tests and statistics. */
  sent = 0;

  constructor(opts: AplicOptions) {
    const n = opts.sources ?? APLIC_NUM_SOURCES;
    if (!Number.isInteger(n) || n < 1 || n > 1023) throw new RangeError(`APLIC: sources must be 1..1023, got ${n}`);
    if (!Number.isInteger(opts.harts) || opts.harts < 1 || opts.harts > 16384)
      throw new RangeError(`APLIC: harts must be 1..16384, got ${opts.harts}`);
    this.sources = n;
    this.opts = opts;
    this.eiidMask = 2 ** Math.ceil(Math.log2(opts.numIds + 1)) - 1;
    this.wires = new Uint8Array(n + 1);
    this.root = new AplicDomain(this, 'M', null);
    this.supervisor = new AplicDomain(this, 'S', this.root);
    this.root.child = this.supervisor;
    this.reset();
  }

  /** The IrqLine of source i (1..sources) for a device. */
  line(i: number): IrqLine {
    if (!Number.isInteger(i) || i < 1 || i > this.sources)
      throw new RangeError(`APLIC: source must be 1..${this.sources}, got ${i}`);
    return (level) => this.setWire(i, level);
  }

  wire(i: number): boolean {
    return this.wires[i] === 1;
  }

  setWire(i: number, level: boolean): void {
    if (i < 1 || i > this.sources || this.wire(i) === level) return;
    this.wires[i] = level ? 1 : 0;
    // The source belongs to the deepest domain it is delegated to.
    let d = this.root;
    while ((d.sourcecfg(i) & SOURCECFG_D) !== 0 && d.child !== null) d = d.child;
    d.wireChanged(i, level);
  }

  /** The MSI address for hart index `hart` at `level` (AIA 4.9.1). */
  msiAddress(level: 'M' | 'S', hart: number): number {
    const h = this.msiCfg[1]!;
    const lhxw = (h >>> 12) & 0xf;
    const hhxw = (h >>> 16) & 7;
    const hhxs = (h >>> 24) & 0x1f;
    const [lo, hi] = level === 'M' ? [this.msiCfg[0]!, h] : [this.msiCfg[2]!, this.msiCfg[3]!];
    const lhxs = (hi >>> 20) & 7;
    const basePpn = (hi & 0xfff) * 2 ** 32 + lo;
    const g = Math.floor(hart / 2 ** lhxw) % 2 ** hhxw;
    const idx = hart % 2 ** lhxw;
    const ppn = basePpn + g * 2 ** (hhxs + 12) + idx * 2 ** lhxs;
    return ppn * 4096;
  }

  send(level: 'M' | 'S', hart: number, eiid: number): void {
    this.sent++;
    this.opts.sendMsi(this.msiAddress(level, hart), eiid);
  }

  readMsiCfg(offset: number): number {
    const k = (offset - REG.mmsiaddrcfg) / 4;
    return this.msiCfg[k]! | 0;
  }

  writeMsiCfg(offset: number, v: number): void {
    if ((this.msiCfg[1]! & MSIADDRCFGH_L) !== 0) return; // locked
    const k = (offset - REG.mmsiaddrcfg) / 4;
    // Writable fields: mmsiaddrcfgh L, HHXS, LHXS, HHXW, LHXW, High PPN; smsiaddrcfgh LHXS, High PPN.
    const mask = k === 1 ? 0x9f77ffff : k === 3 ? 0x00700fff : 0xffffffff;
    this.msiCfg[k] = v & mask;
  }

  /** genmsi reads its last Hart Index and EIID; Busy (bit 12) is never set: MSIs leave at once. */
  genmsiValue(d: AplicDomain): number {
    return d.level === 'M' ? this.genmsiM : this.genmsiS;
  }

  genmsi(d: AplicDomain, v: number): void {
    const keep = (v & 0xfffc0000) | (v & this.eiidMask);
    if (d.level === 'M') this.genmsiM = keep;
    else this.genmsiS = keep;
    this.send(d.level, keep >>> 18, keep & this.eiidMask);
  }

  private genmsiM = 0;
  private genmsiS = 0;

  /** System reset: both domains, and the MSI address registers back to the board's layout, unlocked. */
  reset(): void {
    this.root.reset();
    this.supervisor.reset();
    this.genmsiM = 0;
    this.genmsiS = 0;
    const lhxw = Math.ceil(Math.log2(this.opts.harts));
    const { m, s } = this.opts.imsic;
    const mPpn = Math.floor(m.base / 4096);
    const sPpn = Math.floor(s.base / 4096);
    this.msiCfg[0] = mPpn >>> 0;
    this.msiCfg[1] = ((m.lhxs & 7) << 20) | ((lhxw & 0xf) << 12) | (Math.floor(mPpn / 2 ** 32) & 0xfff);
    this.msiCfg[2] = sPpn >>> 0;
    this.msiCfg[3] = ((s.lhxs & 7) << 20) | (Math.floor(sPpn / 2 ** 32) & 0xfff);
  }
}

function byteSwap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
