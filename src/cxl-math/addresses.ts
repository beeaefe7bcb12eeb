// Branded address types: one per address space, so an Hpa handed to something expecting a Dpa
// fails to compile. Owns the brands and their checked constructors; never does arithmetic on them
// (arithmetic drops the brand, and only the range-checking helpers below add it back).
// The brands are type-only: at run time every address is a plain Number, exact below 2^53.

/** Every physical address cxlemu models fits in 52 bits (SPEC-NOTES 1.2: HPAs fit in 52 bits). */
export const MAX_ADDRESS = 2 ** 52;

/** Host physical address: what the CPU (or a DMA master after the IOMMU) emits. */
export type Hpa = number & { readonly __brand: 'Hpa' };
/** Offset of an HPA from a decoder's (or window's) base: `off` in SPEC-NOTES 1.2. */
export type HpaOffset = number & { readonly __brand: 'HpaOffset' };
/** Device physical address inside one type-3 device's media. */
export type Dpa = number & { readonly __brand: 'Dpa' };
/** Guest virtual address (before Sv39 translation). */
export type Gva = number & { readonly __brand: 'Gva' };
/** Byte offset inside the one WebAssembly.Memory arena (src/memory). */
export type ArenaOffset = number & { readonly __brand: 'ArenaOffset' };

function checked(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n >= MAX_ADDRESS) {
    throw new RangeError(`${what} must be an integer in [0, 2^52), got ${String(n)}`);
  }
  return n;
}

/** Checked constructor: integer, 0 <= n < 2^52, else RangeError naming the value. */
export function asHpa(n: number): Hpa {
  return checked(n, 'Hpa') as Hpa;
}
export function asHpaOffset(n: number): HpaOffset {
  return checked(n, 'HpaOffset') as HpaOffset;
}
export function asDpa(n: number): Dpa {
  return checked(n, 'Dpa') as Dpa;
}
export function asGva(n: number): Gva {
  return checked(n, 'Gva') as Gva;
}
export function asArenaOffset(n: number): ArenaOffset {
  return checked(n, 'ArenaOffset') as ArenaOffset;
}

/** The hop from an absolute HPA to its offset from a decoder base (RangeError if hpa < base). */
export function hpaToOffset(hpa: Hpa, base: Hpa): HpaOffset {
  if (hpa < base) {
    throw new RangeError(`Hpa 0x${hpa.toString(16)} lies below decoder base 0x${base.toString(16)}`);
  }
  return (hpa - base) as HpaOffset;
}

/** The hop back: base + offset, checked to stay below 2^52. */
export function offsetToHpa(base: Hpa, off: HpaOffset): Hpa {
  return asHpa(base + off);
}
