// The 64 KiB CXL component register block of one component (SPEC-NOTES 2.2; CXL 2.0 §8.2.4-8.2.5):
// CXL.io registers (0x0000-0x0FFF, read 0), the CXL.cachemem capability array at 0x1000 with the
// HDM decoder capability (the component's HdmDecoderBlock itself: its register image is the
// decoder state, so guest MMIO and host-side region creation are one state), RAS and Link. Owns
// the array layout and access-size rules; never decodes HPAs and never touches device media.

import type { MmioOps } from '../memory/address-space.js';
import type { HdmDecoderBlock } from './hdm-decoder.js';
import { RasCapability, RAS_CAP_VERSION, RAS_LENGTH } from './ras.js';

export const COMPONENT_BLOCK_SIZE = 0x1_0000;
/** Start of the CXL.cachemem primary range (the capability array). */
export const CACHEMEM_BASE = 0x1000;
export const CACHEMEM_SIZE = 0x1000;

/** CXL.cachemem capability ids (SPEC-NOTES 2.2). */
export const CM_CAP = { array: 1, ras: 2, security: 3, link: 4, hdm: 5 } as const;
export const LINK_CAP_VERSION = 2;
export const LINK_LENGTH = 0x38;
export const HDM_CAP_VERSION = 3;

/** Where each structure sits, as an offset from CACHEMEM_BASE (the header pointer value). */
export const CM_POINTER = { ras: 0x100, link: 0x180, hdm: 0x200 } as const;

export interface ComponentRegistersOptions {
  /** The component's decoders (host bridge, switch USP, endpoint); null: no HDM capability. */
  hdm: HdmDecoderBlock | null;
  /** RAS capability (default true). */
  ras?: boolean;
  /** Link capability (default true; host bridges have none). */
  link?: boolean;
}

interface Structure {
  id: number;
  version: number;
  pointer: number;
  length: number;
}

/**
 * A component register block as MmioOps. 32-bit registers take 4-byte accesses and 64-bit ones
 * 8 (split by the bus into two aligned dwords); narrower or misaligned accesses read 0 and are
 * ignored (SPEC-NOTES 2.2: no partial reads). Nothing here throws for a guest access.
 */
export class ComponentRegisters implements MmioOps {
  readonly valid = { min: 1, max: 8, unaligned: true } as const;
  readonly impl = { min: 1, max: 4 } as const;
  readonly hdm: HdmDecoderBlock | null;
  readonly ras: RasCapability | null;
  readonly linkPresent: boolean;
  readonly structures: readonly Structure[];

  constructor(o: ComponentRegistersOptions) {
    this.hdm = o.hdm;
    this.ras = o.ras === false ? null : new RasCapability();
    this.linkPresent = o.link !== false;
    const s: Structure[] = [];
    if (this.ras) s.push({ id: CM_CAP.ras, version: RAS_CAP_VERSION, pointer: CM_POINTER.ras, length: RAS_LENGTH });
    if (this.linkPresent)
      s.push({ id: CM_CAP.link, version: LINK_CAP_VERSION, pointer: CM_POINTER.link, length: LINK_LENGTH });
    if (this.hdm)
      s.push({ id: CM_CAP.hdm, version: HDM_CAP_VERSION, pointer: CM_POINTER.hdm, length: this.hdm.length });
    this.structures = s;
  }

  /** DWORD 0 of the array: id 1, version 1, cache-mem version 1, array size. */
  get arrayHeader(): number {
    return (CM_CAP.array | (1 << 16) | (1 << 20) | (this.structures.length << 24)) >>> 0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (size !== 4 || offset % 4 !== 0) return 0;
    return this.read32(offset);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4 || offset % 4 !== 0) return;
    this.write32(offset, value >>> 0);
  }

  /** Aligned dword read of the block (0 for reserved space). */
  read32(offset: number): number {
    if (offset < CACHEMEM_BASE || offset >= CACHEMEM_BASE + CACHEMEM_SIZE) return 0;
    const o = offset - CACHEMEM_BASE;
    if (o === 0) return this.arrayHeader;
    const n = this.structures.length;
    if (o >= 4 && o < 4 + 4 * n) {
      const st = this.structures[o / 4 - 1]!;
      return (st.id | (st.version << 16) | (st.pointer << 20)) >>> 0;
    }
    for (const st of this.structures) {
      if (o < st.pointer || o >= st.pointer + st.length) continue;
      const rel = o - st.pointer;
      if (st.id === CM_CAP.hdm) return this.hdm!.read(rel, 4);
      if (st.id === CM_CAP.ras) return this.ras!.read32(rel);
      return 0; // Link: every register reads 0 (no link-layer state is modelled)
    }
    return 0;
  }

  write32(offset: number, value: number): void {
    if (offset < CACHEMEM_BASE || offset >= CACHEMEM_BASE + CACHEMEM_SIZE) return;
    const o = offset - CACHEMEM_BASE;
    for (const st of this.structures) {
      if (o < st.pointer || o >= st.pointer + st.length) continue;
      const rel = o - st.pointer;
      if (st.id === CM_CAP.hdm) this.hdm!.write(rel, 4, value);
      else if (st.id === CM_CAP.ras) this.ras!.write32(rel, value);
      return;
    }
  }
}
