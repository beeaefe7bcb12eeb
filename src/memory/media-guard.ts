// Media state of a backing store as the address space sees it: poisoned 64-byte lines and
// "media disabled" (CXL Sanitize / Secure Erase). The memory layer knows nothing of devices or
// DPAs; whoever owns the media (src/cxl/poison.ts) installs a MediaGuard per store with
// AddressSpace.guardStore and translates store offsets to its own addresses.
//
// Cost: an unguarded store costs nothing; a guarded one costs a Map lookup and one property read
// on the slow path while `active` is false. The hot path never looks at guards: pages of a store
// whose guard reports poison or disabled media are never cached (PageFlag.Poisoned | Mmio).

/** Poison granule: one 64-byte cache line. */
export const MEDIA_LINE = 64;

export interface MediaGuard {
  /** False when nothing needs checking (no poisoned line, media enabled): every check is skipped. */
  readonly active: boolean;
  /** Media disabled: loads read all-ones bytes, stores are dropped, neither faults. */
  readonly disabled: boolean;
  /** Some 64-byte line overlapping store bytes [off, off + len) is poisoned. */
  poisoned(off: number, len: number): boolean;
  /** The 4 KiB store page holding `off` holds a poisoned line. */
  pageHasPoison(off: number): boolean;
  /**
   * A load (a guest's or a device's read, not a probe) of [off, off + len) was refused for poison:
   * the device may report it (a CXL memory device logs a General Media event).
   */
  poisonedLoad?(off: number, len: number): void;
}
