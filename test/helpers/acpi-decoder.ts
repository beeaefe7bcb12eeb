// An independent reader of ACPI tables (RSDP, XSDT, CEDT, SRAT, SLIT, HMAT) and CDAT, written from
// the byte layouts in /work/shared/SPEC-NOTES.md sections 3 and 4 (and ACPI 6.6 / ACPICA for the
// RSDP and SRAT RINTC affinity). It shares no code or constants with src/firmware or src/cxl/cdat.ts:
// every offset is spelled out here, so a builder bug cannot hide behind its own decoder.

function u8(b: Uint8Array, o: number): number {
  if (o + 1 > b.length) throw new Error(`read past end at ${o}`);
  return b[o]!;
}
function u16(b: Uint8Array, o: number): number {
  return u8(b, o) | (u8(b, o + 1) << 8);
}
function u32(b: Uint8Array, o: number): number {
  return u16(b, o) + u16(b, o + 2) * 0x10000;
}
function u64(b: Uint8Array, o: number): number {
  const v = u32(b, o) + u32(b, o + 4) * 0x1_0000_0000;
  if (!Number.isSafeInteger(v)) throw new Error(`u64 at ${o} above 2^53`);
  return v;
}
function text(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(u8(b, o + i));
  return s;
}
export function sum8(b: Uint8Array, start = 0, end = b.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += b[i]!;
  return s % 256;
}

export interface Header {
  signature: string;
  length: number;
  revision: number;
  checksum: number;
  oemId: string;
  oemTableId: string;
  oemRevision: number;
  creatorId: string;
  creatorRevision: number;
  /** True when every byte sums to 0 mod 256. */
  checksumOk: boolean;
}

export function decodeHeader(b: Uint8Array): Header {
  const length = u32(b, 4);
  if (length !== b.length) throw new Error(`header length ${length} != ${b.length} bytes`);
  return {
    signature: text(b, 0, 4),
    length,
    revision: u8(b, 8),
    checksum: u8(b, 9),
    oemId: text(b, 10, 6),
    oemTableId: text(b, 16, 8),
    oemRevision: u32(b, 24),
    creatorId: text(b, 28, 4),
    creatorRevision: u32(b, 32),
    checksumOk: sum8(b) === 0,
  };
}

// ---- RSDP / XSDT ----

export interface Rsdp {
  signature: string;
  oemId: string;
  revision: number;
  rsdtAddress: number;
  length: number;
  xsdtAddress: number;
  checksumOk: boolean;
  extendedChecksumOk: boolean;
}
export function decodeRsdp(b: Uint8Array): Rsdp {
  return {
    signature: text(b, 0, 8),
    oemId: text(b, 9, 6),
    revision: u8(b, 15),
    rsdtAddress: u32(b, 16),
    length: u32(b, 20),
    xsdtAddress: u64(b, 24),
    checksumOk: sum8(b, 0, 20) === 0,
    extendedChecksumOk: sum8(b, 0, u32(b, 20)) === 0,
  };
}
export function decodeXsdt(b: Uint8Array): { header: Header; entries: number[] } {
  const header = decodeHeader(b);
  const entries: number[] = [];
  for (let o = 36; o < header.length; o += 8) entries.push(u64(b, o));
  return { header, entries };
}

/** Walk guest memory (`image` placed at `base`) from the RSDP: every table the XSDT lists. */
export function walkFromRsdp(
  image: Uint8Array,
  base: number,
  rsdpAddress: number,
): { rsdp: Rsdp; xsdt: ReturnType<typeof decodeXsdt>; tables: Map<string, Uint8Array> } {
  const at = (addr: number, n: number) => image.subarray(addr - base, addr - base + n);
  const rsdp = decodeRsdp(at(rsdpAddress, 36));
  const lengthAt = (addr: number) => u32(image, addr - base + 4);
  const xsdt = decodeXsdt(at(rsdp.xsdtAddress, lengthAt(rsdp.xsdtAddress)));
  const tables = new Map<string, Uint8Array>();
  for (const a of xsdt.entries) {
    const t = at(a, lengthAt(a));
    tables.set(text(t, 0, 4), t);
  }
  return { rsdp, xsdt, tables };
}

// ---- CEDT (SPEC-NOTES 4.4) ----

export type CedtEntry =
  | { type: 0; length: number; uid: number; version: number; base: number; size: number }
  | {
      type: 1;
      length: number;
      base: number;
      size: number;
      eniw: number;
      arithmetic: number;
      hbig: number;
      restrictions: number;
      qtgId: number;
      targets: number[];
    }
  | { type: 2; length: number; hbig: number; maps: number[] }
  | { type: number; length: number };

export function decodeCedtEntry(b: Uint8Array, o: number): CedtEntry {
  const type = u8(b, o);
  const length = u16(b, o + 2);
  if (type === 0)
    return { type, length, uid: u32(b, o + 4), version: u32(b, o + 8), base: u64(b, o + 16), size: u64(b, o + 24) };
  if (type === 1) {
    const eniw = u8(b, o + 24);
    const ways = eniw < 8 ? 2 ** eniw : 3 * 2 ** (eniw - 8);
    const targets: number[] = [];
    for (let i = 0; i < ways; i++) targets.push(u32(b, o + 36 + 4 * i));
    if (length !== 36 + 4 * ways) throw new Error(`CFMWS length ${length} for ${ways} ways`);
    return {
      type,
      length,
      base: u64(b, o + 8),
      size: u64(b, o + 16),
      eniw,
      arithmetic: u8(b, o + 25),
      hbig: u32(b, o + 28),
      restrictions: u16(b, o + 32),
      qtgId: u16(b, o + 34),
      targets,
    };
  }
  if (type === 2) {
    const n = u8(b, o + 7);
    const maps: number[] = [];
    for (let i = 0; i < n; i++) maps.push(u64(b, o + 8 + 8 * i));
    if (length !== 8 + 8 * n) throw new Error(`CXIMS length ${length} for ${n} maps`);
    return { type, length, hbig: u8(b, o + 6), maps };
  }
  return { type, length };
}

export function decodeCedt(b: Uint8Array): { header: Header; entries: CedtEntry[] } {
  const header = decodeHeader(b);
  const entries: CedtEntry[] = [];
  let o = 36;
  while (o < header.length) {
    const e = decodeCedtEntry(b, o);
    if (e.length === 0) throw new Error(`zero-length CEDT entry at ${o}`);
    entries.push(e);
    o += e.length;
  }
  if (o !== header.length) throw new Error('CEDT entries overrun the table');
  return { header, entries };
}

// ---- SRAT (SPEC-NOTES 4.1; type 7 per ACPI 6.6 / ACPICA acpi_srat_rintc_affinity) ----

export type SratEntry =
  | { type: 1; length: number; proximityDomain: number; base: number; size: number; flags: number }
  | {
      type: 5 | 6;
      length: number;
      handleType: number;
      proximityDomain: number;
      hid: string;
      uid: number;
      flags: number;
    }
  | { type: 7; length: number; proximityDomain: number; acpiProcessorUid: number; flags: number; clockDomain: number }
  | { type: number; length: number };

export function decodeSrat(b: Uint8Array): { header: Header; tableRevision: number; entries: SratEntry[] } {
  const header = decodeHeader(b);
  const entries: SratEntry[] = [];
  let o = 48;
  while (o < header.length) {
    const type = u8(b, o);
    const length = u8(b, o + 1);
    if (length === 0) throw new Error(`zero-length SRAT entry at ${o}`);
    if (type === 1)
      entries.push({
        type,
        length,
        proximityDomain: u32(b, o + 2),
        base: u64(b, o + 8),
        size: u64(b, o + 16),
        flags: u32(b, o + 28),
      });
    else if (type === 5 || type === 6)
      entries.push({
        type,
        length,
        handleType: u8(b, o + 3),
        proximityDomain: u32(b, o + 4),
        hid: text(b, o + 8, 8),
        uid: u32(b, o + 16),
        flags: u32(b, o + 24),
      });
    else if (type === 7)
      entries.push({
        type,
        length,
        proximityDomain: u32(b, o + 4),
        acpiProcessorUid: u32(b, o + 8),
        flags: u32(b, o + 12),
        clockDomain: u32(b, o + 16),
      });
    else entries.push({ type, length });
    o += length;
  }
  if (o !== header.length) throw new Error('SRAT entries overrun the table');
  return { header, tableRevision: u32(b, 36), entries };
}

// ---- SLIT (SPEC-NOTES 4.2) ----

export function decodeSlit(b: Uint8Array): { header: Header; distances: number[][] } {
  const header = decodeHeader(b);
  const n = u64(b, 36);
  if (header.length !== 44 + n * n) throw new Error(`SLIT length ${header.length} for ${n} localities`);
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(u8(b, 44 + i * n + j));
    distances.push(row);
  }
  return { header, distances };
}

// ---- HMAT (SPEC-NOTES 4.3) ----

export type HmatEntry =
  | { type: 0; length: number; flags: number; initiatorDomain: number; memoryDomain: number }
  | {
      type: 1;
      length: number;
      flags: number;
      dataType: number;
      initiators: number[];
      targets: number[];
      baseUnit: number;
      entries: number[][];
    }
  | { type: number; length: number };

export function decodeHmat(b: Uint8Array): { header: Header; entries: HmatEntry[] } {
  const header = decodeHeader(b);
  const entries: HmatEntry[] = [];
  let o = 40;
  while (o < header.length) {
    const type = u16(b, o);
    const length = u32(b, o + 4);
    if (length === 0) throw new Error(`zero-length HMAT entry at ${o}`);
    if (type === 0) {
      entries.push({
        type,
        length,
        flags: u16(b, o + 8),
        initiatorDomain: u32(b, o + 12),
        memoryDomain: u32(b, o + 16),
      });
    } else if (type === 1) {
      const n = u32(b, o + 12);
      const m = u32(b, o + 16);
      if (length < 32 + 4 * n + 4 * m + 2 * n * m) throw new Error(`SLLBI length ${length} too short for ${n}x${m}`);
      const initiators: number[] = [];
      const targets: number[] = [];
      for (let i = 0; i < n; i++) initiators.push(u32(b, o + 32 + 4 * i));
      for (let j = 0; j < m; j++) targets.push(u32(b, o + 32 + 4 * n + 4 * j));
      const e0 = o + 32 + 4 * n + 4 * m;
      const matrix: number[][] = [];
      for (let i = 0; i < n; i++) {
        const row: number[] = [];
        for (let j = 0; j < m; j++) row.push(u16(b, e0 + 2 * (i * m + j)));
        matrix.push(row);
      }
      entries.push({
        type,
        length,
        flags: u8(b, o + 8),
        dataType: u8(b, o + 9),
        initiators,
        targets,
        baseUnit: u64(b, o + 24),
        entries: matrix,
      });
    } else entries.push({ type, length });
    o += length;
  }
  if (o !== header.length) throw new Error('HMAT entries overrun the table');
  return { header, entries };
}

// ---- CDAT (SPEC-NOTES 3) ----

export type CdatEntry =
  | { type: 0; length: number; handle: number; flags: number; dpaBase: number; dpaLength: number }
  | {
      type: 1;
      length: number;
      handle: number;
      flags: number;
      dataType: number;
      baseUnit: number;
      entries: [number, number, number];
    }
  | { type: 4; length: number; handle: number; efiMemoryType: number; dpaOffset: number; dpaLength: number }
  | {
      type: 5;
      length: number;
      dataType: number;
      baseUnit: number;
      entries: { portX: number; portY: number; value: number }[];
    }
  | { type: number; length: number };

export interface CdatDecoded {
  length: number;
  revision: number;
  checksumOk: boolean;
  sequence: number;
  entries: CdatEntry[];
}

export function decodeCdatEntry(b: Uint8Array, o: number): CdatEntry {
  const type = u8(b, o);
  const length = u16(b, o + 2);
  if (type === 0)
    return {
      type,
      length,
      handle: u8(b, o + 4),
      flags: u8(b, o + 5),
      dpaBase: u64(b, o + 8),
      dpaLength: u64(b, o + 16),
    };
  if (type === 1)
    return {
      type,
      length,
      handle: u8(b, o + 4),
      flags: u8(b, o + 5),
      dataType: u8(b, o + 6),
      baseUnit: u64(b, o + 8),
      entries: [u16(b, o + 16), u16(b, o + 18), u16(b, o + 20)],
    };
  if (type === 4)
    return {
      type,
      length,
      handle: u8(b, o + 4),
      efiMemoryType: u8(b, o + 5),
      dpaOffset: u64(b, o + 8),
      dpaLength: u64(b, o + 16),
    };
  if (type === 5) {
    const k = (length - 16) / 8;
    const entries: { portX: number; portY: number; value: number }[] = [];
    for (let i = 0; i < k; i++)
      entries.push({ portX: u16(b, o + 16 + 8 * i), portY: u16(b, o + 18 + 8 * i), value: u16(b, o + 20 + 8 * i) });
    return { type, length, dataType: u8(b, o + 4), baseUnit: u64(b, o + 8), entries };
  }
  return { type, length };
}

export function decodeCdat(b: Uint8Array): CdatDecoded {
  const length = u32(b, 0);
  if (length !== b.length) throw new Error(`CDAT length ${length} != ${b.length} bytes`);
  const entries: CdatEntry[] = [];
  let o = 16;
  while (o < length) {
    const e = decodeCdatEntry(b, o);
    if (e.length === 0) throw new Error(`zero-length CDAT entry at ${o}`);
    entries.push(e);
    o += e.length;
  }
  if (o !== length) throw new Error('CDAT entries overrun the table');
  return { length, revision: u8(b, 4), checksumOk: sum8(b) === 0, sequence: u32(b, 12), entries };
}

// ---- RISC-V platform tables (ACPI 6.6 MADT RINTC/PLIC, RHCT) and the EFI hand-off ----
// Offsets from ACPI 6.6 §5.2.12.18 (RINTC), §5.2.12.21 (PLIC), §5.2.37 (RHCT) and UEFI 2.10 §4.3
// (EFI_SYSTEM_TABLE), §7.2 (EFI_MEMORY_DESCRIPTOR).

export type MadtEntry =
  | {
      type: 'rintc';
      length: number;
      version: number;
      flags: number;
      hartId: number;
      uid: number;
      extIntcId: number;
      imsicAddr: number;
      imsicSize: number;
    }
  | {
      type: 'imsic';
      length: number;
      version: number;
      flags: number;
      numIds: number;
      numGuestIds: number;
      guestIndexBits: number;
      hartIndexBits: number;
      groupIndexBits: number;
      groupIndexShift: number;
    }
  | {
      type: 'aplic';
      length: number;
      version: number;
      id: number;
      flags: number;
      numIdcs: number;
      sources: number;
      gsiBase: number;
      base: number;
      size: number;
    }
  | {
      type: 'plic';
      length: number;
      version: number;
      id: number;
      sources: number;
      maxPriority: number;
      size: number;
      base: number;
      gsiBase: number;
    }
  | { type: number; length: number };

export function decodeMadt(b: Uint8Array): { header: Header; entries: MadtEntry[] } {
  const header = decodeHeader(b);
  const entries: MadtEntry[] = [];
  for (let o = 44; o < b.length; ) {
    const type = u8(b, o);
    const length = u8(b, o + 1);
    if (length < 2) throw new Error(`MADT entry at ${o} has length ${length}`);
    if (type === 0x18)
      entries.push({
        type: 'rintc',
        length,
        version: u8(b, o + 2),
        flags: u32(b, o + 4),
        hartId: u64(b, o + 8),
        uid: u32(b, o + 16),
        extIntcId: u32(b, o + 20),
        imsicAddr: length >= 36 ? u64(b, o + 24) : 0,
        imsicSize: length >= 36 ? u32(b, o + 32) : 0,
      });
    else if (type === 0x19)
      entries.push({
        type: 'imsic',
        length,
        version: u8(b, o + 2),
        flags: u32(b, o + 4),
        numIds: u16(b, o + 8),
        numGuestIds: u16(b, o + 10),
        guestIndexBits: u8(b, o + 12),
        hartIndexBits: u8(b, o + 13),
        groupIndexBits: u8(b, o + 14),
        groupIndexShift: u8(b, o + 15),
      });
    else if (type === 0x1a)
      entries.push({
        type: 'aplic',
        length,
        version: u8(b, o + 2),
        id: u8(b, o + 3),
        flags: u32(b, o + 4),
        numIdcs: u16(b, o + 16),
        sources: u16(b, o + 18),
        gsiBase: u32(b, o + 20),
        base: u64(b, o + 24),
        size: u32(b, o + 32),
      });
    else if (type === 0x1b)
      entries.push({
        type: 'plic',
        length,
        version: u8(b, o + 2),
        id: u8(b, o + 3),
        sources: u16(b, o + 12),
        maxPriority: u16(b, o + 14),
        size: u32(b, o + 20),
        base: u64(b, o + 24),
        gsiBase: u32(b, o + 32),
      });
    else entries.push({ type, length });
    o += length;
  }
  return { header, entries };
}

export interface RhctDecoded {
  header: Header;
  timebase: number;
  isa: Map<number, string>;
  mmu: Map<number, number>;
  /** CMO nodes: block sizes as log2 (cbom, cbop, cboz). */
  cmo: Map<number, { cbom: number; cbop: number; cboz: number }>;
  harts: { uid: number; offsets: number[] }[];
}

export function decodeRhct(b: Uint8Array): RhctDecoded {
  const header = decodeHeader(b);
  const count = u32(b, 48);
  const out: RhctDecoded = {
    header,
    timebase: u64(b, 40),
    isa: new Map(),
    mmu: new Map(),
    cmo: new Map(),
    harts: [],
  };
  let o = u32(b, 52);
  for (let i = 0; i < count; i++) {
    const type = u16(b, o);
    const length = u16(b, o + 2);
    if (type === 0) {
      const n = u16(b, o + 6);
      const s = text(b, o + 8, n);
      if (!s.endsWith('\0')) throw new Error('RHCT ISA string without NUL');
      out.isa.set(o, s.slice(0, -1));
    } else if (type === 1) out.cmo.set(o, { cbom: u8(b, o + 7), cbop: u8(b, o + 8), cboz: u8(b, o + 9) });
    else if (type === 2) out.mmu.set(o, u8(b, o + 7));
    else if (type === 0xffff) {
      const n = u16(b, o + 6);
      out.harts.push({ uid: u32(b, o + 8), offsets: Array.from({ length: n }, (_, k) => u32(b, o + 12 + 4 * k)) });
    }
    o += length;
  }
  if (o !== b.length) throw new Error(`RHCT nodes end at ${o}, table at ${b.length}`);
  return out;
}

/** Reads the EFI system table at `at` in `mem` (a function reading guest bytes) and its memory map. */
export function decodeEfi(
  read: (addr: number, n: number) => Uint8Array,
  systemTable: number,
  mmap: { start: number; size: number; descSize: number },
): {
  signature: string;
  tables: { guid: string; address: number }[];
  memory: { type: number; base: number; pages: number; attribute: number }[];
} {
  const st = read(systemTable, 120);
  const signature = text(st, 0, 8);
  const n = u64(st, 104);
  const cfg = read(u64(st, 112), 24 * n);
  const hex = (x: number, w: number) => x.toString(16).padStart(w, '0');
  const tables = Array.from({ length: n }, (_, i) => {
    const g = cfg.subarray(24 * i, 24 * i + 16);
    const guid = `${hex(u32(g, 0), 8)}-${hex(u16(g, 4), 4)}-${hex(u16(g, 6), 4)}-${[...g.subarray(8, 10)].map((x) => hex(x, 2)).join('')}-${[...g.subarray(10, 16)].map((x) => hex(x, 2)).join('')}`;
    return { guid, address: u64(cfg, 24 * i + 16) };
  });
  const m = read(mmap.start, mmap.size);
  const memory = [];
  for (let o = 0; o < mmap.size; o += mmap.descSize)
    memory.push({ type: u32(m, o), base: u64(m, o + 8), pages: u64(m, o + 24), attribute: u64(m, o + 32) });
  return { signature, tables, memory };
}
