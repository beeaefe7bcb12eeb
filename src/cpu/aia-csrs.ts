// Smaia/Ssaia (RISC-V AIA 1.0 chapters 2 and 6): what the hart needs from an IMSIC interrupt file
// behind its *iselect/*ireg/*topei CSRs, and the *topi value of a set of pending-and-enabled major
// interrupts. The board hands each hart its files (src/devices/imsic.ts fulfils the shape), so
// the CPU never imports a device.

import { IRQ_PRIORITY } from './csr.js';

/** An interrupt file as the hart's CSRs see it. */
export interface InterruptFileCsrs {
  /** Register `sel` (*iselect 0x70..0xff) as 64 bits; false = no such register (illegal instruction). */
  read(sel: number, o: { lo: number; hi: number }): boolean;
  write(sel: number, lo: number, hi: number): boolean;
  /** *topei: the top identity in bits 26:16 and 10:0, or 0. */
  topei(): number;
  /** A write to *topei: clear the pending bit of the identity *topei reports. */
  claim(): void;
}

/** A hart's two interrupt files: machine and supervisor level. */
export interface HartInterruptFiles {
  m: InterruptFileCsrs;
  s: InterruptFileCsrs;
}

/** *iselect ranges: 0x30..0x3f the major interrupts' iprio array, 0x70..0xff the interrupt file. */
export const ISELECT_IPRIO_FIRST = 0x30;
export const ISELECT_IPRIO_LAST = 0x3f;
export const ISELECT_FILE_FIRST = 0x70;
export const ISELECT_FILE_LAST = 0xff;

/**
 * mtopi/stopi for the pending-and-enabled major interrupts `pend` (mip bits): the highest in the
 * default order (privileged spec 3.1.9) in IID (bits 27:16). This hart's iprio array is read-only
 * zero, so every interrupt has the same priority number and IPRIO reads 1, the simplified form the
 * AIA allows for that case. 0 when nothing is pending.
 */
export function topiOf(pend: number): number {
  if (pend === 0) return 0;
  for (const irq of IRQ_PRIORITY) if ((pend & (1 << irq)) !== 0) return (irq << 16) | 1;
  return 0;
}

/**
 * A read of *ireg: the iprio array (even numbers read zero, odd ones do not exist on RV64) or the
 * interrupt file; false = illegal instruction.
 */
export function readIreg(sel: number, file: InterruptFileCsrs, o: { lo: number; hi: number }): boolean {
  o.lo = 0;
  o.hi = 0;
  if (sel >= ISELECT_IPRIO_FIRST && sel <= ISELECT_IPRIO_LAST) return (sel & 1) === 0;
  if (sel >= ISELECT_FILE_FIRST && sel <= ISELECT_FILE_LAST) return file.read(sel, o);
  return false;
}

/** A write of *ireg (iprio is read-only zero: the write is dropped); false = illegal instruction. */
export function writeIreg(sel: number, file: InterruptFileCsrs, lo: number, hi: number): boolean {
  if (sel >= ISELECT_IPRIO_FIRST && sel <= ISELECT_IPRIO_LAST) return (sel & 1) === 0;
  if (sel >= ISELECT_FILE_FIRST && sel <= ISELECT_FILE_LAST) return file.write(sel, lo, hi);
  return false;
}
