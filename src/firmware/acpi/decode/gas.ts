// The Generic Address Structure (ACPI 6.5 §5.2.3.2, 12 bytes) read back from bytes, as the FADT
// and SPCR embed it. Owns that decode; never knows which register the GAS names.

import { structure, type TableReader } from '../../../cxl-math/table-reader.js';
import { codeValue, hex, type TableTree } from '../../../cxl-math/table-tree.js';

const SPACES: Readonly<Record<number, string>> = {
  0: 'system memory',
  1: 'system I/O',
  2: 'PCI configuration',
  3: 'embedded controller',
  4: 'SMBus',
  5: 'system CMOS',
  6: 'PCI BAR target',
  7: 'IPMI',
  8: 'general-purpose I/O',
  9: 'generic serial bus',
  10: 'platform communications channel',
  11: 'platform runtime mechanism',
  0x7f: 'functional fixed hardware',
};
const ACCESS: Readonly<Record<number, string>> = { 0: 'undefined', 1: 'byte', 2: 'word', 3: 'dword', 4: 'qword' };

export const GAS_SIZE = 12;

/** The GAS at `at` of `r`; an all-zero one reads "not present". */
export function decodeGas(r: TableReader, at: number, label: string): TableTree {
  return structure(label, r, (f) => {
    const space = f.u8(at, 'Address space', (v) => codeValue(v, SPACES));
    f.u8(at + 1, 'Bit width');
    f.u8(at + 2, 'Bit offset');
    f.u8(at + 3, 'Access size', (v) => codeValue(v, ACCESS));
    const address = f.u64(at + 4, 'Address', (v) => hex(v, 16));
    return address === 0n && space === 0 ? 'not present' : `${SPACES[space] ?? 'space'} ${hex(address)}`;
  });
}
