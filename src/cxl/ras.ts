// The CXL RAS capability structure (CXL 2.0 §8.2.5.9; CXL.cachemem capability id 2) of one
// component register block: uncorrectable/correctable error status (RW1C), mask and severity,
// capability/control (first error pointer) and the 512-bit header log. Owns these 0x58 bytes and
// the device-side `report*` calls; never raises interrupts (AER in config space does that).

/** Capability id in the CXL.cachemem array (SPEC-NOTES 2.2). */
export const RAS_CAP_ID = 2;
export const RAS_CAP_VERSION = 2;
export const RAS_LENGTH = 0x58;

/** Uncorrectable error bits: cache/mem data/address parity, ECC, ... [11:0], receiver overflow 14, internal 15, CXL IDE 16. */
export const RAS_UNCORRECTABLE_BITS = 0x0001cfff;
/** Correctable error bits [6:0]. */
export const RAS_CORRECTABLE_BITS = 0x7f;

type Access = 'RO' | 'RW' | 'RW1C';

/** One 32-bit register: offset in the structure, access of its implemented bits, reset value. */
export interface RasRegister {
  readonly name: string;
  readonly offset: number;
  readonly access: Access;
  /** Implemented bits (others read 0 and ignore writes). */
  readonly bits: number;
  readonly reset: number;
}

/** The register table (declared once; masks derive from it). */
export const RAS_REGS: readonly RasRegister[] = [
  { name: 'uncorrectableStatus', offset: 0x00, access: 'RW1C', bits: RAS_UNCORRECTABLE_BITS, reset: 0 },
  { name: 'uncorrectableMask', offset: 0x04, access: 'RW', bits: RAS_UNCORRECTABLE_BITS, reset: 0 },
  {
    name: 'uncorrectableSeverity',
    offset: 0x08,
    access: 'RW',
    bits: RAS_UNCORRECTABLE_BITS,
    reset: RAS_UNCORRECTABLE_BITS,
  },
  { name: 'correctableStatus', offset: 0x0c, access: 'RW1C', bits: RAS_CORRECTABLE_BITS, reset: 0 },
  { name: 'correctableMask', offset: 0x10, access: 'RW', bits: RAS_CORRECTABLE_BITS, reset: 0 },
  // Error Capabilities and Control: First Error Pointer [5:0] (RO here: hardware sets it).
  { name: 'capControl', offset: 0x14, access: 'RO', bits: 0x3f, reset: 0 },
  ...Array.from(
    { length: 16 },
    (_, i): RasRegister => ({ name: `headerLog${i}`, offset: 0x18 + 4 * i, access: 'RO', bits: 0xffffffff, reset: 0 }),
  ),
];

/** The RAS capability state: 22 dwords. Guest access is dword-only (the block enforces size). */
export class RasCapability {
  readonly regs = new Uint32Array(RAS_LENGTH / 4);

  constructor() {
    this.reset();
  }

  reset(): void {
    this.regs.fill(0);
    for (const r of RAS_REGS) this.regs[r.offset / 4] = r.reset >>> 0;
  }

  /** Dword read at a dword-aligned offset inside the structure (0 outside). */
  read32(offset: number): number {
    if (offset < 0 || offset >= RAS_LENGTH || offset % 4 !== 0) return 0;
    return this.regs[offset / 4]!;
  }

  /** Dword write through the table's masks (RW stores, RW1C clears, RO ignores). */
  write32(offset: number, value: number): void {
    if (offset < 0 || offset >= RAS_LENGTH || offset % 4 !== 0) return;
    const r = RAS_REGS[offset / 4];
    if (r === undefined || r.offset !== offset) return;
    const v = value >>> 0;
    const cur = this.regs[offset / 4]!;
    if (r.access === 'RW') this.regs[offset / 4] = ((cur & ~r.bits) | (v & r.bits)) >>> 0;
    else if (r.access === 'RW1C') this.regs[offset / 4] = (cur & ~(v & r.bits)) >>> 0;
  }

  /** Device side: record an uncorrectable error (bit of RAS_UNCORRECTABLE_BITS) with an optional header log. */
  reportUncorrectable(bit: number, headerLog?: ArrayLike<number>): boolean {
    if (!Number.isInteger(bit) || bit < 0 || bit > 31 || ((RAS_UNCORRECTABLE_BITS >>> bit) & 1) === 0) return false;
    const first = (this.regs[0]! & RAS_UNCORRECTABLE_BITS) === 0;
    this.regs[0] = (this.regs[0]! | (1 << bit)) >>> 0;
    if (first) {
      this.regs[0x14 / 4] = bit;
      for (let i = 0; i < 16; i++) this.regs[0x18 / 4 + i] = (headerLog?.[i] ?? 0) >>> 0;
    }
    return true;
  }

  reportCorrectable(bit: number): boolean {
    if (!Number.isInteger(bit) || bit < 0 || bit > 31 || ((RAS_CORRECTABLE_BITS >>> bit) & 1) === 0) return false;
    this.regs[0x0c / 4] = (this.regs[0x0c / 4]! | (1 << bit)) >>> 0;
    return true;
  }
}
