// Builds every ACPI table of an AcpiPlatform as exact bytes and lays them out for guest memory:
// RSDP at the base, then the XSDT, then (with a `system` part) the DSDT, then FADT, MADT, RHCT,
// SPCR, MCFG, then CEDT, SRAT, SLIT and HMAT, each 16-byte aligned, the XSDT holding the absolute
// addresses of all but the DSDT (the FADT points at it). Owns the layout; never writes guest memory
// (the caller copies `image` to `base`).

import { alignUp } from '../../cxl-math/bits.js';
import { AcpiTableError, DEFAULT_OEM, type AcpiOem } from './tables.js';
import type { AcpiPlatform, AcpiSystem } from './platform.js';
import { buildRsdp, RSDP_SIZE } from './rsdp.js';
import { buildXsdt } from './xsdt.js';
import { buildCedt } from './cedt.js';
import { buildSrat } from './srat.js';
import { buildSlit } from './slit.js';
import { buildHmat } from './hmat.js';
import { buildFadt } from './fadt.js';
import { buildMadt, type MadtIrqchip } from './madt.js';
import { buildRhct } from './rhct.js';
import { buildSpcr } from './spcr.js';
import { buildMcfg } from './mcfg.js';
import { buildDsdt } from './dsdt.js';

/** The system's one wired-interrupt controller (a description with both or neither is refused). */
function madtIrqchip(sys: AcpiSystem): MadtIrqchip {
  if (sys.plic && !sys.aia) return { plic: sys.plic };
  if (sys.aia && !sys.plic) return { aia: sys.aia };
  throw new AcpiTableError('system', sys.plic ? 'plic and aia' : 'neither', 'exactly one of plic and aia');
}

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
  /** RSDP, XSDT, the DSDT (with a system part), then the tables the XSDT lists, in address order. */
  tables: AcpiTable[];
  /** Every table at its offset from `base` (gaps are zero). */
  image: Uint8Array;
}

/**
 * The tables the XSDT lists, without addresses (CEDT only when there is CXL to describe; the
 * platform tables only with a `system` part, the FADT pointing at `dsdtAddress`).
 */
export function buildAcpiDataTables(p: AcpiPlatform, dsdtAddress = 0): { name: string; bytes: Uint8Array }[] {
  const oem: AcpiOem = p.oem ?? DEFAULT_OEM;
  const out: { name: string; bytes: Uint8Array }[] = [];
  const sys = p.system;
  if (sys) {
    out.push({ name: 'FACP', bytes: buildFadt(dsdtAddress, oem) });
    out.push({ name: 'APIC', bytes: buildMadt(sys.harts, madtIrqchip(sys), oem) });
    out.push({
      name: 'RHCT',
      bytes: buildRhct(
        {
          timebaseHz: sys.timebaseHz,
          isa: sys.isa,
          mmu: sys.mmu,
          harts: sys.harts,
          ...(sys.cmoBlockBytes
            ? { cmo: { cbom: sys.cmoBlockBytes, cbop: sys.cmoBlockBytes, cboz: sys.cmoBlockBytes } }
            : {}),
        },
        oem,
      ),
    });
    out.push({ name: 'SPCR', bytes: buildSpcr(sys.uart, oem) });
    out.push({ name: 'MCFG', bytes: buildMcfg(sys.ecam, oem) });
  }
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
  const xsdtAddress = base + alignUp(RSDP_SIZE, ACPI_TABLE_ALIGN);
  // The XSDT's length depends only on how many tables there are, not on their addresses.
  const xsdtSize = 36 + 8 * buildAcpiDataTables(p).length;
  let at = xsdtAddress + alignUp(xsdtSize, ACPI_TABLE_ALIGN);
  const dsdt = p.system ? { name: 'DSDT', bytes: buildDsdt(p.system, oem), address: at } : undefined;
  if (dsdt) at += alignUp(dsdt.bytes.length, ACPI_TABLE_ALIGN);
  const data = buildAcpiDataTables(p, dsdt?.address ?? 0);
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
    ...(dsdt ? [dsdt] : []),
    ...placed,
  ];
  const image = new Uint8Array(at - base);
  for (const t of tables) image.set(t.bytes, t.address - base);
  return { base, rsdpAddress: base, xsdtAddress, tables, image };
}
