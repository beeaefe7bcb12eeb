// The RHCT, RISC-V Hart Capabilities Table (ACPI 6.6 §5.2.37), read back from bytes: flags,
// timebase, and its nodes (ISA string 0, CMO 1, MMU 2, hart info 0xFFFF), each hart-info offset
// resolved to the node it points at. Owns that decode; never parses the ISA string itself.

import {
  HEADER_U16_LEN16,
  structure,
  type TableReader,
  fieldList,
  unknownStructure,
  walkStructures,
} from '../../../cxl-math/table-reader.js';
import {
  codeValue,
  ERROR_LABEL,
  errorNode,
  flagsValue,
  hex,
  leaf,
  type TableTree,
  textValue,
} from '../../../cxl-math/table-tree.js';

const HART_INFO = 0xffff;
const MMU_TYPES: Readonly<Record<number, string>> = { 0: 'Sv39', 1: 'Sv48', 2: 'Sv57' };
const FLAGS: Readonly<Record<number, string>> = { 0: 'timer cannot wake up CPU' };
const OFFSET_LABEL = 'Node offset';

/** A CMO block size field holds log2 of the size. */
function blockSize(v: number): string {
  return v < 31 ? `${v} (${2 ** v} bytes)` : `${v} (invalid)`;
}

function node(s: TableReader, type: number): TableTree {
  switch (type) {
    case 0:
      return structure('ISA string', s, (f) => {
        f.u16(4, 'Revision');
        const n = f.u16(6, 'ISA length');
        const isa = textValue(s.bytesAt(8, n, 'ISA string'));
        f.push(leaf('ISA string', isa));
        return isa;
      });
    case 1:
      return structure('CMO', s, (f) => {
        f.u16(4, 'Revision');
        const cbom = f.u8(7, 'CBOM block size', blockSize);
        const cbop = f.u8(8, 'CBOP block size', blockSize);
        const cboz = f.u8(9, 'CBOZ block size', blockSize);
        return `Zicbom ${2 ** cbom} B, Zicbop ${2 ** cbop} B, Zicboz ${2 ** cboz} B`;
      });
    case 2:
      return structure('MMU', s, (f) => {
        f.u16(4, 'Revision');
        return MMU_TYPES[f.u8(7, 'MMU type', (v) => codeValue(v, MMU_TYPES))] ?? 'reserved';
      });
    case HART_INFO:
      return structure('Hart info', s, (f) => {
        f.u16(4, 'Revision');
        const n = f.u16(6, 'Number of offsets');
        const uid = f.u32(8, 'ACPI processor UID');
        for (let i = 0; i < n; i++) f.u32(12 + 4 * i, `${OFFSET_LABEL} ${i}`, (v) => hex(v));
        return `UID ${uid}, ${n} node${n === 1 ? '' : 's'}`;
      });
    default:
      return unknownStructure('RHCT node', s, type);
  }
}

/** Names each hart-info offset after the node found at it ("0x38 (ISA string)"). */
function resolveOffsets(nodes: TableTree[]): TableTree[] {
  const at = new Map<string, string>();
  for (const n of nodes) {
    const off = n.children?.[0];
    if (off?.label === 'Offset' && off.value !== undefined) at.set(off.value, n.label);
  }
  return nodes.map((n) =>
    n.label !== 'Hart info'
      ? n
      : {
          ...n,
          children: n.children?.map((c) =>
            c.label.startsWith(OFFSET_LABEL) && c.value !== undefined
              ? { ...c, value: `${c.value} (${at.get(c.value) ?? 'no node there'})` }
              : c,
          ),
        },
  );
}

export function decodeRhctBody(r: TableReader): TableTree[] {
  let count = 0;
  let offset = r.length;
  const fixed = fieldList(r, (f) => {
    f.u32(36, 'Flags', (v) => flagsValue(v, FLAGS));
    f.u64(40, 'Timebase frequency', (v) => `${v} Hz (${Number(v) / 1e6} MHz)`);
    count = f.u32(48, 'Number of nodes');
    offset = f.u32(52, 'Node array offset', (v) => hex(v));
  });
  const nodes = walkStructures(r, offset, r.length, HEADER_U16_LEN16, 'RHCT node', node, count);
  const found = nodes.filter((n) => n.label !== ERROR_LABEL).length;
  const short = found < count ? [errorNode(`${count} nodes declared, ${found} found before the table ends`)] : [];
  return [...fixed, ...resolveOffsets(nodes), ...short];
}
