// RHCT, the RISC-V Hart Capabilities Table (ACPI 6.6 §5.2.37, revision 1): the timebase frequency,
// one ISA-string node, one MMU node and (with Zicbom/Zicbop/Zicboz) one CMO node shared by every
// hart, and a hart-info node per hart (by ACPI processor UID) pointing at them. Linux turns
// Zicbom/Zicboz off when their block size is missing. Linux panics without it and, unlike with a device tree,
// does not imply zicsr/zifencei/zicntr: the ISA string must list them. Owns these bytes.

import { AcpiTableError, buildAcpiTable, type AcpiOem } from './tables.js';
import type { AcpiHart } from './platform.js';

export const RHCT_REVISION = 1;
export const RHCT_NODE = Object.freeze({ isaString: 0, cmo: 1, mmu: 2, hartInfo: 0xffff });
/** Where the first node starts: after the header, flags, timebase, node count and offset. */
export const RHCT_NODES_OFFSET = 56;
export const RHCT_MMU_TYPE = Object.freeze({ sv39: 0, sv48: 1, sv57: 2 });

export interface RhctInput {
  timebaseHz: number;
  isa: string;
  mmu: keyof typeof RHCT_MMU_TYPE;
  harts: readonly AcpiHart[];
  /** Cache-block sizes in bytes (powers of two) for the CMO node; absent: no CMO node. */
  cmo?: { cbom: number; cbop: number; cboz: number };
}

function log2Exact(n: number, field: string): number {
  const l = Math.log2(n);
  if (!Number.isInteger(l) || l < 0 || l > 30) throw new AcpiTableError(field, String(n), 'a power of two up to 2^30');
  return l;
}

export function buildRhct(input: RhctInput, oem: AcpiOem): Uint8Array {
  if (!/^rv(32|64)[a-z0-9_]+$/.test(input.isa))
    throw new AcpiTableError('isa', JSON.stringify(input.isa), 'a RISC-V ISA string such as rv64imac_zicsr');
  // ISA string with its NUL, padded to an even length.
  const isaLen = input.isa.length + 1;
  const isaNode = 8 + isaLen + (isaLen % 2);
  const mmuNode = 8;
  const cmoNode = 10;
  const isaAt = RHCT_NODES_OFFSET;
  const mmuAt = isaAt + isaNode;
  const cmoAt = mmuAt + mmuNode;
  const cmo = input.cmo;
  const shared = cmo ? [isaAt, mmuAt, cmoAt] : [isaAt, mmuAt];
  return buildAcpiTable('RHCT', RHCT_REVISION, oem, (w) => {
    w.u32(0); // flags: the timer can wake a hart
    w.u64(input.timebaseHz, 'timebaseHz');
    w.u32(shared.length + input.harts.length);
    w.u32(RHCT_NODES_OFFSET);
    w.u16(RHCT_NODE.isaString).u16(isaNode).u16(1).u16(isaLen);
    w.ascii(input.isa, isaLen + (isaLen % 2), 'isa', 0);
    w.u16(RHCT_NODE.mmu).u16(mmuNode).u16(1).u8(0).u8(RHCT_MMU_TYPE[input.mmu]);
    if (cmo) {
      // Block sizes as powers of two: CBOM, CBOP, CBOZ.
      w.u16(RHCT_NODE.cmo).u16(cmoNode).u16(1).u8(0);
      w.u8(log2Exact(cmo.cbom, 'cmo.cbom')).u8(log2Exact(cmo.cbop, 'cmo.cbop')).u8(log2Exact(cmo.cboz, 'cmo.cboz'));
    }
    input.harts.forEach((h, i) => {
      w.u16(RHCT_NODE.hartInfo)
        .u16(12 + 4 * shared.length)
        .u16(1)
        .u16(shared.length);
      w.u32(h.uid, `harts[${i}].uid`);
      for (const at of shared) w.u32(at);
    });
  });
}
