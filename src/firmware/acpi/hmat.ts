// HMAT, the Heterogeneous Memory Attribute Table (ACPI 6.3+, revision 2, SPEC-NOTES 4.3): memory
// proximity domain attributes (type 0) and system locality latency and bandwidth information
// (type 1, latency in ps, bandwidth in MB/s, each matrix with its own power-of-ten base unit).
// Owns the bytes; never decides what the numbers are (the machine description does).

import { AcpiTableError, baseUnitFor, buildAcpiTable, entryFor, type AcpiOem, type ByteWriter } from './tables.js';
import type { AcpiHmat, AcpiLatencyBandwidth, AcpiMemoryDomain, HmatDataType, HmatHierarchy } from './platform.js';

export const HMAT_REVISION = 2;
export const HMAT_TYPE = Object.freeze({ memoryDomain: 0, locality: 1, cache: 2 });
export const HMAT_MEMORY_DOMAIN_LENGTH = 40;
export const HMAT_INITIATOR_VALID = 1 << 0;
/** HMAT data types in their ACPI code order (the index is the code); the one list of them. */
export const HMAT_DATA_TYPES = [
  'access-latency',
  'read-latency',
  'write-latency',
  'access-bandwidth',
  'read-bandwidth',
  'write-bandwidth',
] as const satisfies readonly HmatDataType[];
/** HMAT memory hierarchies in their ACPI code order. */
export const HMAT_HIERARCHIES = [
  'memory',
  'first-level',
  'second-level',
  'third-level',
] as const satisfies readonly HmatHierarchy[];

export function writeMemoryDomain(w: ByteWriter, d: AcpiMemoryDomain, path: string): void {
  w.u16(HMAT_TYPE.memoryDomain).u16(0).u32(HMAT_MEMORY_DOMAIN_LENGTH);
  w.u16(d.initiatorDomain !== undefined ? HMAT_INITIATOR_VALID : 0);
  w.u16(0);
  w.u32(d.initiatorDomain ?? 0, `${path}.initiatorDomain`);
  w.u32(d.memoryDomain, `${path}.memoryDomain`);
  w.u32(0);
  w.zeros(16); // revision 1's SPA base and length: reserved in revision 2
}

/** 32 + 4n + 4m + 2nm, rounded up to a multiple of 4 (SPEC-NOTES 4.3: pad to 4 B). */
export function localityLength(n: number, m: number): number {
  return 32 + 4 * n + 4 * m + Math.ceil((2 * n * m) / 4) * 4;
}

export function writeLocality(w: ByteWriter, lb: AcpiLatencyBandwidth, path: string): void {
  const n = lb.initiators.length;
  const m = lb.targets.length;
  const type = HMAT_DATA_TYPES.indexOf(lb.dataType);
  const hier = HMAT_HIERARCHIES.indexOf(lb.hierarchy);
  if (type < 0) throw new AcpiTableError(`${path}.dataType`, lb.dataType, HMAT_DATA_TYPES.join(', '));
  if (hier < 0) throw new AcpiTableError(`${path}.hierarchy`, lb.hierarchy, HMAT_HIERARCHIES.join(', '));
  if (lb.values.length !== n || lb.values.some((r) => r.length !== m))
    throw new AcpiTableError(`${path}.values`, 'shape', `${n} rows of ${m} values`);
  const flat = lb.values.flatMap((r) => r.map((v) => v ?? 0));
  flat.forEach((v, k) => {
    if (!Number.isFinite(v) || v < 0)
      throw new AcpiTableError(`${path}.values[${Math.floor(k / m)}][${k % m}]`, v, 'a non-negative number');
  });
  const base = baseUnitFor(flat);
  w.u16(HMAT_TYPE.locality).u16(0).u32(localityLength(n, m));
  w.u8(hier);
  w.u8(type);
  w.u16(0); // min transfer size (6.4) and reserved: not given
  w.u32(n).u32(m);
  w.u32(0);
  w.u64(base);
  lb.initiators.forEach((x, i) => w.u32(x, `${path}.initiators[${i}]`));
  lb.targets.forEach((x, i) => w.u32(x, `${path}.targets[${i}]`));
  for (const v of flat) w.u16(entryFor(v, base));
  if ((n * m) % 2 === 1) w.u16(0);
}

export function buildHmat(p: AcpiHmat, oem: AcpiOem): Uint8Array {
  return buildAcpiTable('HMAT', HMAT_REVISION, oem, (w) => {
    w.u32(0);
    p.memoryDomains.forEach((d, i) => writeMemoryDomain(w, d, `hmat.memoryDomains[${i}]`));
    p.localities.forEach((lb, i) => writeLocality(w, lb, `hmat.localities[${i}]`));
  });
}
