// The Sdtrig trigger module as QEMU 7.2's virt CPU has it (measured with guests/isa/sdtrig.c on
// qemu-system-riscv64): two triggers selected by tselect (writes of 2 or more are ignored); tinfo
// = 0x44 (types 2 "mcontrol" and 6 "mcontrol6"); tdata1 resets to type 2 with nothing enabled;
// writable bits are load, store, execute, U, S, M (and VU/VS for type 6), every other field reads
// 0 (so match is "equal" and action "breakpoint exception"); a write of another type is ignored;
// tdata3 reads 0. An execute trigger fires before the instruction at tdata2; a load or store
// trigger before an access overlapping the 8 bytes at tdata2; both raise a breakpoint exception
// with tval 0. Owns the CSR state; the hart turns it into debug points (debug-points.ts).

import { CSR } from './csr.js';
import type { DebugPoint } from './debug-points.js';

/** Whether csr is one of the trigger CSRs (tselect..tinfo). */
export const isTriggerCsr = (csr: number): boolean => csr >= CSR.tselect && csr <= CSR.tinfo;

const TRIGGERS = 2;
const TINFO = 0x44;
/** tdata1[63:60] (in the high half: bits 31:28). */
const TYPE_SHIFT = 28;
const TYPE2_LO_MASK = 0x5f;
/** mcontrol6 adds VU (23) and VS (24). */
const TYPE6_LO_MASK = 0x180005f;
const LOAD = 1,
  STORE = 2,
  EXEC = 4,
  U = 8,
  S = 16,
  M = 64;
/** Bytes a load/store trigger watches from tdata2 (QEMU 7.2's watchpoint length). */
const DATA_LENGTH = 8;

export class Triggers {
  private select = 0;
  private readonly ctrlLo = new Array<number>(TRIGGERS).fill(0);
  private readonly type = new Array<number>(TRIGGERS).fill(2);
  private readonly addrLo = new Array<number>(TRIGGERS).fill(0);
  private readonly addrHi = new Array<number>(TRIGGERS).fill(0);

  /** Reads a trigger CSR into o; false when csr is not one. */
  read(csr: number, o: { lo: number; hi: number }): boolean {
    const t = this.select;
    o.lo = 0;
    o.hi = 0;
    switch (csr) {
      case CSR.tselect:
        o.lo = t;
        return true;
      case CSR.tdata1:
        o.lo = this.ctrlLo[t]!;
        o.hi = this.type[t]! << TYPE_SHIFT;
        return true;
      case CSR.tdata2:
        o.lo = this.addrLo[t]!;
        o.hi = this.addrHi[t]!;
        return true;
      case CSR.tdata3:
        return true;
      case CSR.tinfo:
        o.lo = TINFO;
        return true;
    }
    return false;
  }

  /** Writes a trigger CSR (WARL as above); false when csr is not one. */
  write(csr: number, lo: number, hi: number): boolean {
    const t = this.select;
    switch (csr) {
      case CSR.tselect:
        if (hi === 0 && lo >>> 0 < TRIGGERS) this.select = lo >>> 0;
        return true;
      case CSR.tdata1: {
        const type = hi >>> TYPE_SHIFT;
        if (type === 2 || type === 6) {
          this.type[t] = type;
          this.ctrlLo[t] = lo & (type === 2 ? TYPE2_LO_MASK : TYPE6_LO_MASK);
        }
        return true;
      }
      case CSR.tdata2:
        this.addrLo[t] = lo | 0;
        this.addrHi[t] = hi | 0;
        return true;
      case CSR.tdata3:
      case CSR.tinfo:
        return true;
    }
    return false;
  }

  /** The enabled triggers as debug points (addresses in the hart's Number form). */
  points(): DebugPoint[] {
    const out: DebugPoint[] = [];
    for (let t = 0; t < TRIGGERS; t++) {
      const c = this.ctrlLo[t]!;
      const privMask = (c & U ? 1 : 0) | (c & S ? 2 : 0) | (c & M ? 8 : 0);
      if (privMask === 0) continue;
      const address = this.addrHi[t]! * 2 ** 32 + (this.addrLo[t]! >>> 0);
      if (c & EXEC) out.push({ kind: 'exec', address, length: 1, action: 'exception', privMask });
      const data = c & (LOAD | STORE);
      if (data !== 0) {
        const kind = data === (LOAD | STORE) ? 'access' : data === LOAD ? 'read' : 'write';
        out.push({ kind, address, length: DATA_LENGTH, action: 'exception', privMask });
      }
    }
    return out;
  }
}
