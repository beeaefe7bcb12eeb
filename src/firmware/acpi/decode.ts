// Decodes ACPI tables from their bytes into trees for people (the dashboard, `cxlemu tables`):
// the common header with a checksum verdict, then the body of every table cxlemu generates. A
// second implementation written from the specifications, not from the generators beside it, so
// it cross-checks them. Owns the dispatch by signature; never throws on bad bytes (every problem
// becomes an `error` node naming offset and field) and never reads outside the bytes given.

import { TableReader } from '../../cxl-math/table-reader.js';
import { branch, errorNode, hexBytes, leaf, type TableTree, textValue } from '../../cxl-math/table-tree.js';
import { decodeCedtBody } from './decode/cedt.js';
import { decodeAmlBody } from './decode/dsdt.js';
import { decodeFadtBody } from './decode/fadt.js';
import { decodeHeader, HEADER_SIZE } from './decode/header.js';
import { decodeHmatBody } from './decode/hmat.js';
import { decodeMadtBody } from './decode/madt.js';
import { decodeMcfgBody } from './decode/mcfg.js';
import { decodeRhctBody } from './decode/rhct.js';
import { decodeRootTableBody, decodeRsdp } from './decode/rsdp.js';
import { decodeSlitBody } from './decode/slit.js';
import { decodeSpcrBody } from './decode/spcr.js';
import { decodeSratBody } from './decode/srat.js';

export { decodeRsdp } from './decode/rsdp.js';
export type { TableTree } from '../../cxl-math/table-tree.js';

const RSDP_SIGNATURE = 'RSD PTR ';

interface BodyDecoder {
  name: string;
  decode(r: TableReader, revision: number): TableTree[];
}

const BODIES: Readonly<Record<string, BodyDecoder>> = {
  XSDT: { name: 'Extended System Description Table', decode: (r) => decodeRootTableBody(r, 8) },
  RSDT: { name: 'Root System Description Table', decode: (r) => decodeRootTableBody(r, 4) },
  FACP: { name: 'Fixed ACPI Description Table (FADT)', decode: decodeFadtBody },
  APIC: { name: 'Multiple APIC Description Table (MADT)', decode: decodeMadtBody },
  RHCT: { name: 'RISC-V Hart Capabilities Table', decode: decodeRhctBody },
  SPCR: { name: 'Serial Port Console Redirection', decode: decodeSpcrBody },
  MCFG: { name: 'PCI Express memory-mapped configuration', decode: decodeMcfgBody },
  CEDT: { name: 'CXL Early Discovery Table', decode: decodeCedtBody },
  SRAT: { name: 'System Resource Affinity Table', decode: decodeSratBody },
  SLIT: { name: 'System Locality Information Table', decode: decodeSlitBody },
  HMAT: { name: 'Heterogeneous Memory Attribute Table', decode: decodeHmatBody },
  DSDT: { name: 'Differentiated System Description Table', decode: decodeAmlBody },
  SSDT: { name: 'Secondary System Description Table', decode: decodeAmlBody },
};

/** Any ACPI table, the RSDP included (recognised by its 'RSD PTR ' signature). */
export function decodeAcpiTable(bytes: Uint8Array): TableTree {
  if (bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 8)) === RSDP_SIGNATURE) return decodeRsdp(bytes);
  const r = new TableReader(bytes);
  const signature = bytes.length >= 4 ? String.fromCharCode(...bytes.subarray(0, 4)) : '';
  const known = BODIES[signature];
  const header = decodeHeader(r);
  const label = bytes.length >= 4 ? textValue(bytes.subarray(0, 4)).slice(1, -1) : '(no signature)';
  const children: TableTree[] = [branch('Header', header.fields), ...header.notes];
  if (bytes.length < HEADER_SIZE) {
    children.push(errorNode(`only ${bytes.length} bytes: the common header alone needs ${HEADER_SIZE}`));
    return branch(label, children, `${bytes.length} bytes`);
  }
  const body = r.window(0, header.end, 'table');
  if (known) children.push(...known.decode(body, bytes[8]!));
  else {
    const rest = bytes.subarray(HEADER_SIZE, header.end);
    children.push(leaf('Body', `${rest.length} bytes, not decoded (unknown signature)`));
    if (rest.length > 0) children.push(leaf('Bytes', hexBytes(rest, 256)));
  }
  return branch(label, children, `${known?.name ?? 'unknown table'}, ${header.end} bytes`);
}
