// Access faults: the typed outcomes of guest accesses that hit nothing, the wrong thing, or the
// wrong way. Values, never exceptions (STYLE habit 10); 0 means the access completed.

export enum AccessFault {
  None = 0,
  /** No region claims the address (the flat map has a hole there). */
  Unassigned = 1,
  /** Write to ROM. */
  ReadOnly = 2,
  /** MMIO access width outside the device's declared `valid` sizes. */
  BadSize = 3,
  /** CXL window address with no committed decode (QEMU reads 0 / drops writes; we fault). */
  Unrouted = 4,
  /** MMIO access not aligned to its size on a device that does not accept unaligned accesses. */
  Misaligned = 5,
  /** A router returned a store offset outside its store (a router bug surfaced as a fault). */
  OutOfStore = 6,
  /** A load or instruction fetch touched a poisoned 64-byte media line (MediaGuard): no data returned. */
  Poisoned = 7,
}

export function accessFaultName(f: AccessFault): string {
  return AccessFault[f] ?? `AccessFault(${f})`;
}
