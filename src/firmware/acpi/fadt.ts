// FADT (ACPI 6.5 §5.2.9, revision 6.5, 276 bytes) for a hardware-reduced platform: no fixed
// hardware, no PM blocks, only the flags and the DSDT's 64-bit address. RISC-V Linux requires the
// HW_REDUCED_ACPI flag (and warns below revision 6.5). Owns these bytes.

import { buildAcpiTable, type AcpiOem } from './tables.js';

export const FADT_REVISION = 6;
export const FADT_MINOR_REVISION = 5;
export const FADT_LENGTH = 276;
/** Flags: HW_REDUCED_ACPI (bit 20). */
export const FADT_HW_REDUCED_ACPI = 1 << 20;
/** Offset of X_DSDT in the table. */
export const FADT_X_DSDT_OFFSET = 140;

export function buildFadt(dsdtAddress: number, oem: AcpiOem): Uint8Array {
  return buildAcpiTable('FACP', FADT_REVISION, oem, (w) => {
    // +36 FIRMWARE_CTRL, DSDT (32-bit forms unused), reserved, PM profile (0 unspecified), SCI_INT,
    // SMI_CMD, ACPI enable/disable, S4BIOS, PSTATE_CNT, eight PM/GPE blocks, their eight lengths,
    // CST_CNT, C-state latencies, flush size/stride, duty cycle, RTC alarms, century, IAPC_BOOT_ARCH
    // and a reserved byte: all zero on a hardware-reduced platform (+36..+111).
    w.zeros(112 - 36);
    w.u32(FADT_HW_REDUCED_ACPI); // +112 Flags
    w.zeros(12); // +116 RESET_REG: none
    w.u8(0); // +128 RESET_VALUE
    w.u16(0); // +129 ARM_BOOT_ARCH
    w.u8(FADT_MINOR_REVISION); // +131
    w.u64(0); // +132 X_FIRMWARE_CTRL
    w.u64(dsdtAddress, 'dsdtAddress'); // +140 X_DSDT
    w.zeros(268 - 148); // X_PM*/X_GPE* blocks, SLEEP_CONTROL/STATUS: none
    w.u64(0); // +268 hypervisor vendor identity
  });
}
