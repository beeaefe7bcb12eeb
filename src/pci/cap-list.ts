// Capability list plumbing shared by every capability builder: IDs, placement and linking of
// conventional (from 0x34) and extended (from 0x100) capabilities, and the walks Linux does to
// find them. Owns list structure only; never a capability's body (capabilities.ts, doe.ts).

import {
  CAPABILITIES_POINTER,
  CONFIG_SPACE_SIZE,
  type ConfigSpace,
  EXTENDED_CONFIG_START,
  STATUS,
  field,
  type CfgRegister,
} from './config-space.js';
import { PciConfigError } from './errors.js';

/** Conventional capability IDs. */
export const CapId = { PowerManagement: 0x01, Msi: 0x05, PciExpress: 0x10, MsiX: 0x11 } as const;
/** Extended capability IDs (PCIe r6.0 §7.6 onwards). */
export const ExtCapId = { Aer: 0x0001, Dsn: 0x0003, Dvsec: 0x0023, Doe: 0x002e } as const;

/** Reads config space the way a guest does (ConfigSpace.read, or an ECAM accessor in tests). */
export type ConfigReader = (offset: number, size: 1 | 2 | 4) => number;

// ---- Allocation and linking ----

/**
 * Append a conventional capability of `length` bytes: dword aligned in 0x40..0xFF, linked from
 * 0x34 or the previous capability's next pointer; sets Status.CapabilitiesList. Returns its offset.
 */
export function addCapability(
  cs: ConfigSpace,
  id: number,
  length: number,
  what = `capability 0x${id.toString(16)}`,
): number {
  const off = cs.nextCapOffset;
  if (length < 2 || off + length > EXTENDED_CONFIG_START) {
    throw new PciConfigError(
      what,
      `needs ${length} bytes at 0x${off.toString(16)}, past the conventional space (0x40..0xFF)`,
    );
  }
  cs.setMasks(off, 2, 0);
  cs.setRaw(off, 1, id);
  cs.setRaw(off + 1, 1, 0);
  if (cs.lastCapOffset === 0) cs.setField(0, CAPABILITIES_POINTER, 'pointer', off);
  else cs.setRaw(cs.lastCapOffset + 1, 1, off);
  cs.setField(0, STATUS, 'capabilitiesList', 1);
  cs.lastCapOffset = off;
  cs.nextCapOffset = off + Math.ceil(length / 4) * 4;
  return off;
}

/** Extended capability header: ID [15:0], version [19:16], next [31:20]. */
export const EXT_CAP_HEADER = {
  name: 'extCapHeader',
  offset: 0x00,
  size: 4,
  fields: { id: field(15, 0, 'RO'), version: field(19, 16, 'RO'), next: field(31, 20, 'RO') },
} as const satisfies CfgRegister;

/** Append an extended capability of `length` bytes from 0x100 upward, linked to the previous one. */
export function addExtendedCapability(
  cs: ConfigSpace,
  id: number,
  version: number,
  length: number,
  what = `extended capability 0x${id.toString(16)}`,
): number {
  const off = cs.nextExtOffset;
  if (length < 4 || off + length > CONFIG_SPACE_SIZE) {
    throw new PciConfigError(what, `needs ${length} bytes at 0x${off.toString(16)}, past the 4 KiB config space`);
  }
  if (!Number.isInteger(version) || version < 0 || version > 15)
    throw new PciConfigError(what, `version must be 0..15, got ${version}`);
  cs.declare(off, EXT_CAP_HEADER, (id + version * 0x10000) >>> 0);
  if (cs.lastExtOffset !== 0) cs.setField(cs.lastExtOffset, EXT_CAP_HEADER, 'next', off);
  cs.lastExtOffset = off;
  cs.nextExtOffset = off + Math.ceil(length / 4) * 4;
  return off;
}

// ---- Walking (the loops of Linux pci_find_capability / pci_find_ext_capability) ----

/** Offset of the first conventional capability `id`, or 0. At most 48 hops, like Linux's TTL. */
export function findCapability(read: ConfigReader, id: number, start = 0): number {
  if (start === 0 && (read(STATUS.offset, 2) & 0x10) === 0) return 0;
  let pos = start === 0 ? read(0x34, 1) : read(start + 1, 1);
  for (let ttl = 48; ttl > 0 && pos >= 0x40; ttl--) {
    pos &= ~3;
    const ent = read(pos, 2);
    const cid = ent & 0xff;
    if (cid === 0xff) break;
    if (cid === id) return pos;
    pos = ent >>> 8;
  }
  return 0;
}

/** Offset of the next extended capability `id` after `start` (0: from 0x100), or 0. */
export function findExtendedCapability(read: ConfigReader, id: number, start = 0): number {
  let pos = start === 0 ? EXTENDED_CONFIG_START : start;
  let ttl = (CONFIG_SPACE_SIZE - EXTENDED_CONFIG_START) / 8;
  let header = read(pos, 4);
  if (header === 0 || header === 0xffffffff) return 0;
  while (ttl-- > 0) {
    if ((header & 0xffff) === id && pos !== start) return pos;
    pos = (header >>> 20) & 0xffc;
    if (pos < EXTENDED_CONFIG_START) break;
    header = read(pos, 4);
  }
  return 0;
}

/** Offset of the DVSEC with this vendor and DVSEC ID (Linux pci_find_dvsec_capability), or 0. */
export function findDvsec(read: ConfigReader, vendor: number, dvsecId: number): number {
  let pos = findExtendedCapability(read, ExtCapId.Dvsec);
  while (pos !== 0) {
    const h1 = read(pos + 4, 4);
    const h2 = read(pos + 8, 2);
    if ((h1 & 0xffff) === vendor && h2 === dvsecId) return pos;
    pos = findExtendedCapability(read, ExtCapId.Dvsec, pos);
  }
  return 0;
}
