// Builds every ACPI table of an AcpiPlatform as exact bytes and lays them out for guest memory:
// RSDP at the base, then the XSDT, then CEDT, SRAT, SLIT and HMAT, each 16-byte aligned, the XSDT
// holding their absolute addresses. Owns the layout; never writes guest memory (the caller copies
// `image` to `base`).

import { alignUp } from '../../cxl-math/bits.js';
import { AcpiTableError, DEFAULT_OEM, type AcpiOem } from './tables.js';
import type { AcpiPlatform } from './platform.js';
import { buildRsdp, RSDP_SIZE } from './rsdp.js';
import { buildXsdt } from './xsdt.js';
import { buildCedt } from './cedt.js';
import { buildSrat } from './srat.js';
import { buildSlit } from './slit.js';
import { buildHmat } from './hmat.js';

/** Tables are placed on this alignment (the RSDP needs 16). */
export const ACPI_TABLE_ALIGN = 16;

export interface AcpiTable {
  /** "RSDP" or the 4-character signature. */
  name: string;
  bytes: Uint8Array;
  /** Guest physical address in the layout. */
  address: number;
}

export interface AcpiLayout {
  base: number;
  rsdpAddress: number;
  xsdtAddress: number;
  /** RSDP, XSDT, then the tables the XSDT lists, in address order. */
  tables: AcpiTable[];
  /** Every table at its offset from `base` (gaps are zero). */
  image: Uint8Array;
}

/** The tables the XSDT lists, without addresses (CEDT only when there is CXL to describe). */
export function buildAcpiDataTables(p: AcpiPlatform): { name: string; bytes: Uint8Array }[] {
  const oem: AcpiOem = p.oem ?? DEFAULT_OEM;
  const out: { name: string; bytes: Uint8Array }[] = [];
  if (p.hostBridges.length > 0 || p.windows.length > 0) out.push({ name: 'CEDT', bytes: buildCedt(p, oem) });
  out.push({ name: 'SRAT', bytes: buildSrat(p, oem) });
  if (p.distances) out.push({ name: 'SLIT', bytes: buildSlit(p.distances, oem) });
  if (p.hmat) out.push({ name: 'HMAT', bytes: buildHmat(p.hmat, oem) });
  return out;
}

/** Every table, placed from `base` (16-byte aligned) upward. */
export function buildAcpiLayout(p: AcpiPlatform, base: number): AcpiLayout {
  if (!Number.isSafeInteger(base) || base < 0 || base % ACPI_TABLE_ALIGN !== 0)
    throw new AcpiTableError('base', base, `a ${ACPI_TABLE_ALIGN}-byte aligned guest physical address`);
  const oem: AcpiOem = p.oem ?? DEFAULT_OEM;
  const data = buildAcpiDataTables(p);
  const xsdtAddress = base + alignUp(RSDP_SIZE, ACPI_TABLE_ALIGN);
  const xsdtSize = 36 + 8 * data.length;
  let at = xsdtAddress + alignUp(xsdtSize, ACPI_TABLE_ALIGN);
  const placed = data.map((t) => {
    const address = at;
    at += alignUp(t.bytes.length, ACPI_TABLE_ALIGN);
    return { ...t, address };
  });
  const xsdt = buildXsdt(
    placed.map((t) => t.address),
    oem,
  );
  const rsdp = buildRsdp(xsdtAddress, oem);
  const tables: AcpiTable[] = [
    { name: 'RSDP', bytes: rsdp, address: base },
    { name: 'XSDT', bytes: xsdt, address: xsdtAddress },
    ...placed,
  ];
  const image = new Uint8Array(at - base);
  for (const t of tables) image.set(t.bytes, t.address - base);
  return { base, rsdpAddress: base, xsdtAddress, tables, image };
}
