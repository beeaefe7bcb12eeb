// The SPCR, Serial Port Console Redirection table (revisions 2-4), read back from bytes: the
// interface type, its register block (a GAS), interrupt routing, line settings and the PCI identity
// fields. Owns that decode; revision 4's namespace string and precise baud rate are not decoded.

import { fieldList, type TableReader } from '../../../cxl-math/table-reader.js';
import { codeValue, flagsValue, hex, type TableTree } from '../../../cxl-math/table-tree.js';
import { decodeGas } from './gas.js';

/** Interface types (DBG2 serial subtypes) the tables of RISC-V, Arm and PC boards use. */
const INTERFACES: Readonly<Record<number, string>> = {
  0: 'full 16550',
  1: '16550 subset',
  3: 'Arm PL011',
  0x0e: 'Arm SBSA generic',
  0x12: '16550 with GAS',
  0x15: 'RISC-V SBI console',
};
const IRQ_TYPES: Readonly<Record<number, string>> = {
  0: 'PC-AT 8259',
  1: 'I/O APIC',
  2: 'I/O SAPIC',
  3: 'Arm GIC',
  4: 'RISC-V PLIC/APLIC',
};
const BAUD: Readonly<Record<number, string>> = { 0: 'as is', 3: '9600', 4: '19200', 6: '57600', 7: '115200' };
const FLOW: Readonly<Record<number, string>> = { 0: 'DCD required', 1: 'RTS/CTS', 2: 'XON/XOFF' };
const TERMINALS: Readonly<Record<number, string>> = { 0: 'VT100', 1: 'extended VT100', 2: 'VT-UTF8', 3: 'ANSI' };

export function decodeSpcrBody(r: TableReader, revision: number): TableTree[] {
  return fieldList(r, (f) => {
    f.u8(36, 'Interface type', (v) => codeValue(v, INTERFACES, 'other'));
    f.push(decodeGas(r, 40, 'Base address'));
    f.u8(52, 'Interrupt type', (v) => flagsValue(v, IRQ_TYPES, 2));
    f.u8(53, 'IRQ (PC-AT)');
    f.u32(54, 'Global system interrupt');
    f.u8(58, 'Baud rate', (v) => codeValue(v, BAUD));
    f.u8(59, 'Parity', (v) => codeValue(v, { 0: 'none' }));
    f.u8(60, 'Stop bits', (v) => codeValue(v, { 1: '1 stop bit' }));
    f.u8(61, 'Flow control', (v) => flagsValue(v, FLOW, 2));
    f.u8(62, 'Terminal type', (v) => codeValue(v, TERMINALS));
    f.u16(64, 'PCI device ID', (v) => hex(v, 4));
    f.u16(66, 'PCI vendor ID', (v) => hex(v, 4));
    f.u8(68, 'PCI bus');
    f.u8(69, 'PCI device');
    f.u8(70, 'PCI function');
    f.u32(71, 'PCI flags', (v) => hex(v, 8));
    f.u8(75, 'PCI segment');
    if (revision >= 3) f.u32(76, 'UART clock frequency', (v) => (v === 0 ? '0 (not given)' : `${v} Hz`));
  });
}
