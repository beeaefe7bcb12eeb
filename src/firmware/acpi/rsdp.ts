// RSDP (ACPI 6.x §5.2.5.3, revision 2 form, 36 bytes): the root pointer the guest finds first
// (cxlemu hands its address over in /chosen/cxlemu,acpi-rsdp). Owns its 36 bytes; points at the
// XSDT only (RsdtAddress stays 0: every address here may lie above 4 GiB).

import { fillChecksum } from '../../cxl-math/checksum.js';
import { ByteWriter, type AcpiOem } from './tables.js';

export const RSDP_SIZE = 36;
/** The checksum over the first 20 bytes (the ACPI 1.0 part) sits at +8; the extended one at +32. */
export const RSDP_CHECKSUM_OFFSET = 8;
export const RSDP_EXT_CHECKSUM_OFFSET = 32;

export function buildRsdp(xsdtAddress: number, oem: AcpiOem): Uint8Array {
  const w = new ByteWriter();
  w.ascii('RSD PTR ', 8, 'RSDP signature');
  w.u8(0); // checksum
  w.ascii(oem.oemId, 6, 'oemId');
  w.u8(2, 'RSDP revision'); // 2 = ACPI 2.0+ (XSDT present)
  w.u32(0); // RsdtAddress: no RSDT
  w.u32(RSDP_SIZE);
  w.u64(xsdtAddress, 'xsdtAddress');
  w.u8(0); // extended checksum
  w.zeros(3);
  const b = w.finish();
  fillChecksum(b, RSDP_CHECKSUM_OFFSET, 0, 20);
  fillChecksum(b, RSDP_EXT_CHECKSUM_OFFSET, 0, RSDP_SIZE);
  return b;
}
