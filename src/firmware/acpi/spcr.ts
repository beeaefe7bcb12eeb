// SPCR, the Serial Port Console Redirection table (revision 2, 80 bytes): the console UART as a
// full 16550 with byte-wide registers in memory, its PLIC interrupt (interrupt type bit 4: RISC-V
// PLIC/APLIC) and its baud rate. Linux takes its console and earlycon from it. Owns these bytes.

import { AcpiTableError, buildAcpiTable, writeGas, type AcpiOem } from './tables.js';
import type { AcpiUart } from './platform.js';

export const SPCR_REVISION = 2;
/** Interface type 0: full 16550. */
export const SPCR_16550 = 0;
/** Interrupt type bit 4: RISC-V PLIC/APLIC global system interrupt. */
export const SPCR_IRQ_RISCV = 1 << 4;
const BAUD_CODES: Record<number, number> = { 9600: 3, 19200: 4, 57600: 6, 115200: 7 };

export function buildSpcr(uart: AcpiUart, oem: AcpiOem): Uint8Array {
  const baud = BAUD_CODES[uart.baud];
  if (baud === undefined) throw new AcpiTableError('uart.baud', uart.baud, Object.keys(BAUD_CODES).join(', '));
  return buildAcpiTable('SPCR', SPCR_REVISION, oem, (w) => {
    w.u8(SPCR_16550);
    w.zeros(3);
    writeGas(w, { space: 0, bitWidth: 8, bitOffset: 0, accessSize: 1, address: uart.base }, 'uart');
    w.u8(SPCR_IRQ_RISCV);
    w.u8(0); // PC-AT IRQ
    w.u32(uart.gsi, 'uart.gsi');
    w.u8(baud);
    w.u8(0); // no parity
    w.u8(1); // 1 stop bit
    w.u8(0); // no flow control
    w.u8(0); // terminal type VT100
    w.u8(0); // language
    w.u16(0xffff).u16(0xffff); // not a PCI device
    w.u8(0).u8(0).u8(0); // PCI bus, device, function
    w.u32(0); // PCI flags
    w.u8(0); // PCI segment
    w.u32(0);
  });
}
