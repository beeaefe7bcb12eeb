// CDAT (Coherent Device Attribute Table, UEFI forum; SPEC-NOTES 3) for type-3 devices and switch
// upstream ports, built from plain performance data: header, then per partition DSMAS + DSEMTS +
// DSLBIS (read/write latency and bandwidth), or SSLBIS for a switch. Owns the bytes and the entry
// handles CDAT Table Access over DOE reads (handle 0 = header, next = 0xFFFF after the last); never
// speaks DOE itself (the transport belongs to the device model) and imports only src/cxl-math.

import { hi32, lo32 } from '../cxl-math/bits.js';
import { fillChecksum } from '../cxl-math/checksum.js';

export const CDAT_HEADER_SIZE = 16;
export const CDAT_REVISION = 1;
export const CDAT_CHECKSUM_OFFSET = 5;
/** Entry handle meaning "no more entries" in a CDAT Table Access response. */
export const CDAT_END_HANDLE = 0xffff;
export const CDAT_TYPE = Object.freeze({ dsmas: 0, dslbis: 1, dsmscis: 2, dsis: 3, dsemts: 4, sslbis: 5 });
export const DSMAS_LENGTH = 24;
export const DSLBIS_LENGTH = 24;
export const DSEMTS_LENGTH = 24;
export const DSMAS_FLAG_NON_VOLATILE = 1 << 2;
export const DSMAS_FLAG_SHAREABLE = 1 << 3;
export const DSMAS_FLAG_READ_ONLY = 1 << 6;
/** HMAT data types used by DSLBIS/SSLBIS. */
export const CDAT_DATA_TYPE = Object.freeze({
  accessLatency: 0,
  readLatency: 1,
  writeLatency: 2,
  accessBandwidth: 3,
  readBandwidth: 4,
  writeBandwidth: 5,
});
/** DSEMTS EFI memory type values (QEMU's usage, SPEC-NOTES 3 "verify"): 1 = EFI_MEMORY_SP volatile, 2 non-volatile. */
export const DSEMTS_EFI_SP_VOLATILE = 1;
export const DSEMTS_EFI_NON_VOLATILE = 2;
/** SSLBIS port ids: the upstream port, and "any port". */
export const SSLBIS_PORT_UPSTREAM = 0x0100;
export const SSLBIS_PORT_ANY = 0xffff;

/** Latency/bandwidth of one media or link, as the machine description gives them. */
export interface CdatPerf {
  readLatencyNs: number;
  writeLatencyNs: number;
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}

/** One DPA range with its own DSMAS (a volatile or persistent partition). */
export interface CdatPartition {
  dpaBase: number;
  length: number;
  nonVolatile: boolean;
  perf: CdatPerf;
}

export interface Type3CdatInput {
  partitions: CdatPartition[];
  /** Header sequence number (change it when the table changes). Default 0. */
  sequence?: number;
}

export interface SwitchCdatInput {
  /** Downstream port numbers the USP-to-DSP entries name. */
  downstreamPorts: number[];
  perf: CdatPerf;
  sequence?: number;
}

/** A value no CDAT field can hold: names the field and the rule. */
export class CdatError extends RangeError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${field}: ${String(value)} is not allowed; expected ${allowed}`);
    this.name = 'CdatError';
  }
}

/** A built CDAT: the whole table and its entries (index = entry handle; 0 is the header). */
export class CdatTable {
  readonly bytes: Uint8Array;
  readonly entries: readonly Uint8Array[];

  constructor(structures: Uint8Array[], sequence: number) {
    const length = CDAT_HEADER_SIZE + structures.reduce((a, s) => a + s.length, 0);
    const bytes = new Uint8Array(length);
    const dv = new DataView(bytes.buffer);
    dv.setUint32(0, length, true);
    bytes[4] = CDAT_REVISION;
    check(sequence, 0xffff_ffff, 'sequence');
    dv.setUint32(12, sequence, true);
    let at = CDAT_HEADER_SIZE;
    for (const s of structures) {
      bytes.set(s, at);
      at += s.length;
    }
    fillChecksum(bytes, CDAT_CHECKSUM_OFFSET);
    this.bytes = bytes;
    const entries: Uint8Array[] = [bytes.subarray(0, CDAT_HEADER_SIZE)];
    at = CDAT_HEADER_SIZE;
    for (const s of structures) {
      entries.push(bytes.subarray(at, at + s.length));
      at += s.length;
    }
    this.entries = entries;
  }

  /** CDAT Table Access by entry handle: the entry's bytes and the next handle, or null for a bad handle. */
  entryAt(handle: number): { bytes: Uint8Array; next: number } | null {
    if (!Number.isInteger(handle) || handle < 0 || handle >= this.entries.length) return null;
    return { bytes: this.entries[handle]!, next: handle + 1 < this.entries.length ? handle + 1 : CDAT_END_HANDLE };
  }
}

function check(v: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new CdatError(field, v, `an integer in 0..${max}`);
}

function struct(type: number, length: number): { b: Uint8Array; dv: DataView } {
  const b = new Uint8Array(length);
  const dv = new DataView(b.buffer);
  b[0] = type;
  dv.setUint16(2, length, true);
  return { b, dv };
}

function setU64(dv: DataView, at: number, v: number, field: string): void {
  check(v, Number.MAX_SAFE_INTEGER, field);
  dv.setUint32(at, lo32(v), true);
  dv.setUint32(at + 4, hi32(v), true);
}

/** Smallest power-of-ten base unit that fits every value in a u16 entry below 0xFFFF ("no data"). */
export function cdatBaseUnit(values: readonly number[]): number {
  const top = values.reduce((a, v) => Math.max(a, v), 0);
  let base = 1;
  while (Math.round(top / base) > 0xfffe) base *= 10;
  return base;
}

function entryOf(value: number, base: number): number {
  return value === 0 ? 0 : Math.max(1, Math.round(value / base));
}

/** ps for a latency in ns (CDAT and HMAT latency unit). */
export function nsToPs(ns: number): number {
  return Math.round(ns * 1000);
}

export function dsmas(handle: number, p: CdatPartition, path = 'partition'): Uint8Array {
  const { b, dv } = struct(CDAT_TYPE.dsmas, DSMAS_LENGTH);
  check(handle, 0xff, `${path}.handle`);
  b[4] = handle;
  b[5] = p.nonVolatile ? DSMAS_FLAG_NON_VOLATILE : 0;
  setU64(dv, 8, p.dpaBase, `${path}.dpaBase`);
  setU64(dv, 16, p.length, `${path}.length`);
  return b;
}

/** One DSLBIS: entry[0] carries the value (Linux reads entry[0] only); entries 1 and 2 stay 0. */
export function dslbis(handle: number, dataType: number, value: number, path = 'dslbis'): Uint8Array {
  if (!Number.isFinite(value) || value < 0) throw new CdatError(path, value, 'a non-negative number');
  const { b, dv } = struct(CDAT_TYPE.dslbis, DSLBIS_LENGTH);
  b[4] = handle;
  b[5] = 0; // HMAT SLLBI flags: hierarchy 0 = memory
  b[6] = dataType;
  const base = cdatBaseUnit([value]);
  setU64(dv, 8, base, `${path}.baseUnit`);
  dv.setUint16(16, entryOf(value, base), true);
  return b;
}

export function dsemts(handle: number, p: CdatPartition, path = 'partition'): Uint8Array {
  const { b, dv } = struct(CDAT_TYPE.dsemts, DSEMTS_LENGTH);
  b[4] = handle;
  b[5] = p.nonVolatile ? DSEMTS_EFI_NON_VOLATILE : DSEMTS_EFI_SP_VOLATILE;
  setU64(dv, 8, 0, `${path}.dpaOffset`); // offset within the DSMAS range: the whole partition
  setU64(dv, 16, p.length, `${path}.length`);
  return b;
}

/** SSLBIS of one data type: one entry per (port X, port Y, value), sharing a base unit. */
export function sslbis(
  dataType: number,
  entries: { portX: number; portY: number; value: number }[],
  path = 'sslbis',
): Uint8Array {
  const { b, dv } = struct(CDAT_TYPE.sslbis, 16 + 8 * entries.length);
  b[4] = dataType;
  const base = cdatBaseUnit(entries.map((e) => e.value));
  setU64(dv, 8, base, `${path}.baseUnit`);
  entries.forEach((e, k) => {
    check(e.portX, 0xffff, `${path}.entries[${k}].portX`);
    check(e.portY, 0xffff, `${path}.entries[${k}].portY`);
    dv.setUint16(16 + 8 * k, e.portX, true);
    dv.setUint16(18 + 8 * k, e.portY, true);
    dv.setUint16(20 + 8 * k, entryOf(e.value, base), true);
  });
  return b;
}

/** The four (data type, value) pairs a perf record gives: read/write latency in ps, read/write bandwidth in MB/s. */
export function perfEntries(perf: CdatPerf): [number, number][] {
  return [
    [CDAT_DATA_TYPE.readLatency, nsToPs(perf.readLatencyNs)],
    [CDAT_DATA_TYPE.writeLatency, nsToPs(perf.writeLatencyNs)],
    [CDAT_DATA_TYPE.readBandwidth, Math.round(perf.readBandwidthMBs)],
    [CDAT_DATA_TYPE.writeBandwidth, Math.round(perf.writeBandwidthMBs)],
  ];
}

/** Type-3 CDAT: per partition (handle = its index) DSMAS, then its 4 DSLBIS, then DSEMTS. */
export function buildType3Cdat(input: Type3CdatInput): CdatTable {
  const structures: Uint8Array[] = [];
  input.partitions.forEach((p, h) => {
    const path = `partitions[${h}]`;
    structures.push(dsmas(h, p, path));
    for (const [type, value] of perfEntries(p.perf)) structures.push(dslbis(h, type, value, `${path}.dslbis[${type}]`));
    structures.push(dsemts(h, p, path));
  });
  return new CdatTable(structures, input.sequence ?? 0);
}

/** Switch USP CDAT: 4 SSLBIS (read/write latency and bandwidth), each USP <-> every DSP. */
export function buildSwitchCdat(input: SwitchCdatInput): CdatTable {
  const structures = perfEntries(input.perf).map(([type, value]) =>
    sslbis(
      type,
      input.downstreamPorts.map((port) => ({ portX: SSLBIS_PORT_UPSTREAM, portY: port, value })),
      `sslbis[${type}]`,
    ),
  );
  return new CdatTable(structures, input.sequence ?? 0);
}
