// Loading guest programs: ELF64 RISC-V executables (PT_LOAD segments at their physical addresses,
// as QEMU's -kernel does) and raw binaries at a given address. Owns ELF validation and the copy
// into guest memory through the AddressSpace, so a segment may land in RAM, ROM or a committed
// CXL region alike. Never guesses: a malformed file or a segment with no memory behind it is an
// ElfLoadError naming the file, the field or segment, and the rule it broke.

import { AccessFault, RangeKind, accessFaultName, type AddressSpace } from '../memory/index.js';
import { overlappingPairs } from '../cxl-math/intervals.js';

export const EM_RISCV = 243;
export const ET_EXEC = 2;
export const PT_LOAD = 1;
const ELF_HEADER_SIZE = 64;
const PHDR_SIZE = 56;
/** Physical addresses stay below 2^52 (MAX_PHYS_ADDRESS). */
const PHYS_LIMIT = 2 ** 52;

export class ElfLoadError extends Error {
  override readonly name = 'ElfLoadError';
  constructor(
    /** What was being loaded (a file path or "kernel"). */
    readonly what: string,
    readonly problem: string,
  ) {
    super(`${what}: ${problem}`);
  }
}

export interface LoadedSegment {
  index: number;
  paddr: number;
  filesz: number;
  memsz: number;
}

export interface LoadedImage {
  kind: 'elf' | 'raw';
  entry: number;
  segments: LoadedSegment[];
  /** Lowest and one-past-highest physical address written. */
  low: number;
  high: number;
}

function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** A u64 field as a Number; values at or above 2^53 are refused by name. */
function u64(dv: DataView, off: number, what: string, field: string): number {
  const v = dv.getBigUint64(off, true);
  if (v >= 2n ** 53n) throw new ElfLoadError(what, `${field} = ${hex(v)} is too large (must be below 2^53)`);
  return Number(v);
}

export interface ElfSegmentHeader {
  index: number;
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
}

export interface ParsedElf {
  entry: number;
  /** PT_LOAD segments with a non-zero memsz, in file order. */
  loads: ElfSegmentHeader[];
}

/** Validate an ELF64 little-endian RISC-V executable and return its loadable segments. */
export function parseElf(bytes: Uint8Array, what = 'kernel'): ParsedElf {
  const fail = (problem: string): never => {
    throw new ElfLoadError(what, problem);
  };
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail(`not an ELF file (bad magic: expected 7f 45 4c 46 "\\x7fELF" at offset 0)`);
  }
  if (bytes.length < ELF_HEADER_SIZE)
    fail(`truncated ELF header: file has ${bytes.length} bytes, the ELF64 header needs ${ELF_HEADER_SIZE}`);
  if (bytes[4] !== 2)
    fail(
      `EI_CLASS is ${bytes[4]} (${bytes[4] === 1 ? 'ELF32' : 'invalid'}); cxlemu runs RV64 and needs ELFCLASS64 (2)`,
    );
  if (bytes[5] !== 1)
    fail(
      `EI_DATA is ${bytes[5]} (${bytes[5] === 2 ? 'big-endian' : 'invalid'}); RISC-V ELF files are little-endian (ELFDATA2LSB = 1)`,
    );
  if (bytes[6] !== 1) fail(`EI_VERSION is ${bytes[6]}; must be 1 (EV_CURRENT)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_RISCV) fail(`e_machine is ${machine}; must be ${EM_RISCV} (EM_RISCV)`);
  if (type !== ET_EXEC) {
    const names: Record<number, string> = {
      0: 'ET_NONE',
      1: 'ET_REL (an object file: link it)',
      3: 'ET_DYN (position independent: link a static executable)',
      4: 'ET_CORE',
    };
    fail(`e_type is ${type} ${names[type] ?? ''}; must be ${ET_EXEC} (ET_EXEC)`.replace(/ ;/, ';'));
  }
  const entry = u64(dv, 24, what, 'e_entry');
  const phoff = u64(dv, 32, what, 'e_phoff');
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phnum === 0) fail('no program headers (e_phnum = 0): nothing to load');
  if (phentsize !== PHDR_SIZE) fail(`e_phentsize is ${phentsize}; ELF64 program headers are ${PHDR_SIZE} bytes`);
  if (phoff + phnum * PHDR_SIZE > bytes.length) {
    fail(
      `truncated: the program header table (e_phoff ${hex(phoff)}, ${phnum} x ${PHDR_SIZE} bytes) ends at ${hex(phoff + phnum * PHDR_SIZE)}, past the end of the file (${bytes.length} bytes)`,
    );
  }
  const loads: ElfSegmentHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    const ptype = dv.getUint32(o, true);
    if (ptype !== PT_LOAD) continue;
    const seg = `segment ${i} (PT_LOAD)`;
    const h: ElfSegmentHeader = {
      index: i,
      type: ptype,
      offset: u64(dv, o + 8, what, `${seg} p_offset`),
      vaddr: u64(dv, o + 16, what, `${seg} p_vaddr`),
      paddr: u64(dv, o + 24, what, `${seg} p_paddr`),
      filesz: u64(dv, o + 32, what, `${seg} p_filesz`),
      memsz: u64(dv, o + 40, what, `${seg} p_memsz`),
    };
    if (h.filesz > h.memsz) fail(`${seg}: p_filesz ${hex(h.filesz)} is larger than p_memsz ${hex(h.memsz)}`);
    if (h.offset + h.filesz > bytes.length) {
      fail(
        `truncated: ${seg} needs file bytes ${hex(h.offset)}..${hex(h.offset + h.filesz)} but the file has ${bytes.length} bytes`,
      );
    }
    if (h.paddr + h.memsz > PHYS_LIMIT)
      fail(`${seg}: p_paddr ${hex(h.paddr)} + p_memsz ${hex(h.memsz)} is beyond the 2^52 physical address space`);
    if (h.memsz > 0) loads.push(h);
  }
  if (loads.length === 0) fail('no PT_LOAD segment with a non-zero size: nothing to load');
  // Two segments over the same bytes: which one wins would depend on load order.
  const clash = overlappingPairs(loads.map((h) => ({ base: h.paddr, end: h.paddr + h.memsz })))[0];
  if (clash) {
    const [a, b] = [loads[clash[0]]!, loads[clash[1]]!];
    fail(
      `segment ${b.index} (PT_LOAD, p_paddr ${hex(b.paddr)}..${hex(b.paddr + b.memsz)}) overlaps segment ${a.index} (p_paddr ${hex(a.paddr)}..${hex(a.paddr + a.memsz)})`,
    );
  }
  // Instructions are 2-byte aligned (C extension), and the first one must be something loaded.
  if (entry % 2 !== 0) fail(`e_entry ${hex(entry)} is odd; instructions start on 2-byte boundaries`);
  const inside = (h: ElfSegmentHeader, a: number) =>
    (a >= h.paddr && a < h.paddr + h.memsz) || (a >= h.vaddr && a < h.vaddr + h.memsz);
  if (!loads.some((h) => inside(h, entry)))
    fail(`e_entry ${hex(entry)} lies outside every PT_LOAD segment: the first instruction would not be loaded`);
  return { entry, loads };
}

/**
 * Copy bytes to guest physical memory: RAM and committed CXL window pages through the address
 * space, ROM through its store (loading firmware into ROM is allowed, as QEMU does). MMIO,
 * unassigned addresses and window pages without a committed decode are refused with `where`.
 */
function copyIn(space: AddressSpace, addr: number, src: Uint8Array, what: string, where: string): void {
  let done = 0;
  while (done < src.length) {
    const at = addr + done;
    const r = space.lookup(at);
    if (r === null)
      throw new ElfLoadError(what, `${where}: no memory at ${hex(at)} (address unassigned in the machine's map)`);
    const n = Math.min(src.length - done, r.end - at);
    const chunk = src.subarray(done, done + n);
    if (r.kind === RangeKind.Mmio) {
      throw new ElfLoadError(what, `${where}: ${hex(at)} is device registers (${r.region.name}), not memory`);
    }
    if (r.kind === RangeKind.Rom) {
      r.region.store!.write(r.targetBase + (at - r.base), chunk);
    } else {
      const f = space.writeBytes(at, chunk);
      if (f !== AccessFault.None) {
        const why =
          f === AccessFault.Unrouted
            ? `lies in CXL window ${r.region.name}, but no committed region decodes that address`
            : `cannot be written (${accessFaultName(f)})`;
        throw new ElfLoadError(what, `${where}: ${hex(at)} ${why}`);
      }
    }
    done += n;
  }
}

const ZERO_CHUNK = 1 << 20;

function zeroFill(space: AddressSpace, addr: number, len: number, what: string, where: string): void {
  const zeros = new Uint8Array(Math.min(len, ZERO_CHUNK));
  for (let done = 0; done < len; done += zeros.length) {
    copyIn(space, addr + done, zeros.subarray(0, Math.min(zeros.length, len - done)), what, where);
  }
}

/** Load an ELF executable into the address space; returns the entry point and what was written. */
export function loadElf(bytes: Uint8Array, space: AddressSpace, what = 'kernel'): LoadedImage {
  const elf = parseElf(bytes, what);
  const segments: LoadedSegment[] = [];
  let low = Infinity;
  let high = 0;
  for (const s of elf.loads) {
    const where = `segment ${s.index} (PT_LOAD, p_paddr ${hex(s.paddr)}, p_memsz ${hex(s.memsz)})`;
    copyIn(space, s.paddr, bytes.subarray(s.offset, s.offset + s.filesz), what, where);
    if (s.memsz > s.filesz) zeroFill(space, s.paddr + s.filesz, s.memsz - s.filesz, what, `${where} zero fill`);
    segments.push({ index: s.index, paddr: s.paddr, filesz: s.filesz, memsz: s.memsz });
    low = Math.min(low, s.paddr);
    high = Math.max(high, s.paddr + s.memsz);
  }
  return { kind: 'elf', entry: elf.entry, segments, low, high };
}

/** Load a raw binary at `address`; the entry point is that address. */
export function loadRaw(bytes: Uint8Array, address: number, space: AddressSpace, what = 'kernel'): LoadedImage {
  if (!Number.isInteger(address) || address < 0 || address + bytes.length > PHYS_LIMIT) {
    throw new ElfLoadError(what, `load address ${address} is not a physical address below 2^52`);
  }
  if (bytes.length === 0) throw new ElfLoadError(what, 'raw binary is empty');
  copyIn(space, address, bytes, what, `raw binary at ${hex(address)} (${bytes.length} bytes)`);
  return {
    kind: 'raw',
    entry: address,
    segments: [{ index: 0, paddr: address, filesz: bytes.length, memsz: bytes.length }],
    low: address,
    high: address + bytes.length,
  };
}

/** True when the bytes start with the ELF magic (the CLI uses this to pick loadElf or loadRaw). */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}
