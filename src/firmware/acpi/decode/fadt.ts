// The FADT (ACPI 6.5 §5.2.9, signature FACP) read back from bytes: the DSDT pointers, the PM
// profile, boot architecture flags, the feature flags by name (HW_REDUCED_ACPI among them), the
// reset register and the 6.x minor version. Owns that decode; the fixed-hardware block addresses
// of a non-reduced platform are left undecoded (shown only as the body's length).

import { fieldList, type TableReader } from '../../../cxl-math/table-reader.js';
import { codeValue, flagsValue, hex, type TableTree } from '../../../cxl-math/table-tree.js';
import { decodeGas } from './gas.js';

const PM_PROFILES: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'desktop',
  2: 'mobile',
  3: 'workstation',
  4: 'enterprise server',
  5: 'SOHO server',
  6: 'appliance PC',
  7: 'performance server',
  8: 'tablet',
};

/** Fixed feature flags (ACPI 6.5 Table 5.10), by bit. */
const FLAGS: Readonly<Record<number, string>> = {
  0: 'WBINVD',
  1: 'WBINVD_FLUSH',
  2: 'PROC_C1',
  3: 'P_LVL2_UP',
  4: 'PWR_BUTTON',
  5: 'SLP_BUTTON',
  6: 'FIX_RTC',
  7: 'RTC_S4',
  8: 'TMR_VAL_EXT',
  9: 'DCK_CAP',
  10: 'RESET_REG_SUP',
  11: 'SEALED_CASE',
  12: 'HEADLESS',
  13: 'CPU_SW_SLP',
  14: 'PCI_EXP_WAK',
  15: 'USE_PLATFORM_CLOCK',
  16: 'S4_RTC_STS_VALID',
  17: 'REMOTE_POWER_ON_CAPABLE',
  18: 'FORCE_APIC_CLUSTER_MODEL',
  19: 'FORCE_APIC_PHYSICAL_DESTINATION_MODE',
  20: 'HW_REDUCED_ACPI',
  21: 'LOW_POWER_S0_IDLE_CAPABLE',
};
const IAPC_BOOT: Readonly<Record<number, string>> = {
  0: 'LEGACY_DEVICES',
  1: '8042',
  2: 'VGA not present',
  3: 'MSI not supported',
  4: 'PCIe ASPM controls',
  5: 'CMOS RTC not present',
};
const ARM_BOOT: Readonly<Record<number, string>> = { 0: 'PSCI compliant', 1: 'PSCI use HVC' };

export function decodeFadtBody(r: TableReader, revision: number): TableTree[] {
  return fieldList(r, (f) => {
    f.u32(36, 'FIRMWARE_CTRL', (v) => hex(v, 8));
    f.u32(40, 'DSDT', (v) => hex(v, 8));
    f.u8(45, 'Preferred PM profile', (v) => codeValue(v, PM_PROFILES));
    f.u16(46, 'SCI_INT');
    f.u32(48, 'SMI_CMD', (v) => hex(v, 8));
    f.u16(109, 'IAPC_BOOT_ARCH', (v) => flagsValue(v, IAPC_BOOT, 4));
    f.u32(112, 'Flags', (v) => flagsValue(v, FLAGS));
    if (r.length <= 116) return; // ACPI 1.0 FADT ends here
    f.push(decodeGas(r, 116, 'RESET_REG'));
    f.u8(128, 'RESET_VALUE', (v) => hex(v, 2));
    f.u16(129, 'ARM_BOOT_ARCH', (v) => flagsValue(v, ARM_BOOT, 4));
    f.u8(131, 'FADT minor version', (v) => `${v} (ACPI ${revision}.${v})`);
    f.u64(132, 'X_FIRMWARE_CTRL', (v) => hex(v, 16));
    f.u64(140, 'X_DSDT', (v) => hex(v, 16));
    if (r.length >= 276) f.u64(268, 'Hypervisor vendor identity', (v) => hex(v, 16));
  });
}
