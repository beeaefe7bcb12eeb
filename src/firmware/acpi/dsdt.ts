// DSDT (ACPI 6.5 §5.2.11.1, revision 2) of the RISC-V board, in AML from aml.ts: the PLIC (or APLIC)
// (RSCV0001 with _GSB), the console UART (RSCV0003: a PNP0501 is never bound on RISC-V, since the
// PNP scan runs before the PLIC driver), one PCI host bridge per CXL host bridge (ACPI0016 with
// _CID PNP0A08/PNP0A03, _UID = its CHBS uid, _SEG, _BBN, bus range and MMIO windows in _CRS, _PRT
// for INTx, _OSC granting PCIe and CXL native control) and the CXL root ACPI0017, which depends
// on every host bridge (else cxl_acpi probes before the PCI roots exist) and answers the QoS
// Throttling Group _DSM. Owns the namespace; the facts come from LINUX-NOTES and the CXL spec
// (9.18.2 _OSC, 9.18.3 QTG _DSM).

import {
  createDWordField,
  device,
  dwordMemory,
  eisaId,
  encodeAml,
  ifOp,
  interrupt,
  lequal,
  memory32Fixed,
  method,
  name,
  one,
  or,
  pkg,
  qwordMemory,
  ref,
  resourceTemplate,
  ret,
  scope,
  str,
  toUuid,
  wordBusNumber,
  zero,
  arg,
  buffer,
  type AmlResource,
  type AmlTerm,
} from './aml.js';
import { AcpiTableError, buildAcpiTable, type AcpiOem } from './tables.js';
import type { AcpiPciHost, AcpiSystem } from './platform.js';

export const DSDT_REVISION = 2;
/** PCI Host Bridge _OSC (PCI Firmware 3.3 §4.5.1). */
export const PCI_OSC_UUID = '33db4d5b-1ff7-401c-9657-7441c03dd766';
/** CXL _OSC (CXL 3.1 §9.18.2). */
export const CXL_OSC_UUID = '68f2d50b-c469-4d8a-bd3d-941a103fd3fc';
/** QoS Throttling Group _DSM on ACPI0017 (CXL 3.1 §9.18.3). */
export const QTG_DSM_UUID = 'f365f9a6-a7de-4071-a66a-b40c0b4f8e52';
/** _OSC status DWORD: unrecognised UUID. */
const OSC_UNRECOGNIZED_UUID = 4;

/** ACPI names of the devices (4 characters). */
export function hostBridgeName(i: number): string {
  if (i > 0xff) throw new AcpiTableError('pciHosts', i + 1, 'at most 256 PCI host bridges');
  return `HB${i.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** 4 INTx pins of 32 slots on the root bus: pin p of slot s -> GSI base + (s + p) mod 4 (QEMU virt). */
function prt(h: AcpiPciHost) {
  const entries = [];
  for (let slot = 0; slot < 32; slot++)
    for (let pin = 0; pin < 4; pin++)
      entries.push(pkg((slot << 16) | 0xffff, pin, 0, h.intxGsiBase + ((slot + pin) % 4)));
  return pkg(...entries);
}

function hostBridge(h: AcpiPciHost, i: number): AmlTerm {
  const windows: AmlResource[] = h.mmio.map((m, k) => {
    if (m.size <= 0) throw new AcpiTableError(`pciHosts[${i}].mmio[${k}].size`, m.size, 'a positive size');
    const o = { producer: true, minFixed: true, maxFixed: true, min: m.base, max: m.base + m.size - 1, length: m.size };
    return m.base + m.size <= 2 ** 32 ? dwordMemory(o) : qwordMemory(o);
  });
  return device(
    hostBridgeName(i),
    name('_HID', str('ACPI0016')),
    name('_CID', pkg(eisaId('PNP0A08'), eisaId('PNP0A03'))), // the PCI root driver matches only these
    name('_UID', h.uid),
    name('_SEG', h.segment),
    name('_BBN', h.busFirst),
    name('_CCA', one), // DMA is cache coherent
    name(
      '_CRS',
      resourceTemplate(
        wordBusNumber({
          producer: true,
          minFixed: true,
          maxFixed: true,
          min: h.busFirst,
          max: h.busLast,
          length: h.busLast - h.busFirst + 1,
        }),
        ...windows,
      ),
    ),
    name('_PRT', prt(h)),
    // Grant whatever the OS asks for (PCIe native hot-plug, AER, PME, LTR, DPC; CXL memory error
    // reporting): return its buffer with no error bits; an unknown UUID gets "unrecognised".
    method(
      '_OSC',
      4,
      {},
      createDWordField(arg(3), 0, 'CDW1'),
      ifOp(lequal(arg(0), toUuid(PCI_OSC_UUID)), ret(arg(3))),
      ifOp(lequal(arg(0), toUuid(CXL_OSC_UUID)), ret(arg(3))),
      or(ref('CDW1'), OSC_UNRECOGNIZED_UUID, ref('CDW1')),
      ret(arg(3)),
    ),
  );
}

/**
 * The QTG _DSM: function 0 lists functions 0 and 1; function 1 (given Package{read latency ps,
 * write latency ps, read MB/s, write MB/s}) returns Package{max QTG id, Package{ids}}: every
 * window's QTG id, whatever the performance asked about.
 */
function qtgDsm(ids: readonly number[]): AmlTerm {
  const maxId = ids.length > 0 ? Math.max(...ids) : 0;
  return method(
    '_DSM',
    4,
    { serialized: true },
    ifOp(
      lequal(arg(0), toUuid(QTG_DSM_UUID)),
      ifOp(lequal(arg(2), zero), ret(buffer([0x03]))),
      ifOp(lequal(arg(2), one), ret(pkg(maxId, pkg(...ids)))),
    ),
    ret(buffer([0x00])),
  );
}

/** The wired-interrupt controller: the PLIC (RSCV0001) or the supervisor APLIC domain (RSCV0002). */
function irqchipDevice(sys: AcpiSystem): AmlTerm {
  const c = sys.aia
    ? { path: 'APLC', hid: 'RSCV0002', ...sys.aia.aplic }
    : { path: 'PLIC', hid: 'RSCV0001', ...sys.plic! };
  return device(
    c.path,
    name('_HID', str(c.hid)),
    name('_UID', c.id),
    name('_GSB', c.gsiBase),
    name('_CRS', resourceTemplate(memory32Fixed({ base: c.base, length: c.size }))),
  );
}

export function buildDsdt(sys: AcpiSystem, oem: AcpiOem): Uint8Array {
  const body: AmlTerm[] = [
    irqchipDevice(sys),
    device(
      'COM0',
      name('_HID', str('RSCV0003')),
      name('_UID', 0),
      name(
        '_CRS',
        resourceTemplate(
          memory32Fixed({ base: sys.uart.base, length: sys.uart.size }),
          interrupt({ interrupts: [sys.uart.gsi], trigger: 'level', polarity: 'activeHigh' }),
        ),
      ),
    ),
    ...sys.pciHosts.map(hostBridge),
  ];
  if (sys.cxlRoot) {
    const hbs = sys.pciHosts.map((_, i) => ref(`\\_SB.${hostBridgeName(i)}`));
    body.push(
      device(
        'CXLM',
        name('_HID', str('ACPI0017')),
        ...(hbs.length > 0 ? [name('_DEP', pkg(...hbs))] : []),
        qtgDsm(sys.cxlRoot.qtgIds),
      ),
    );
  }
  return buildAcpiTable('DSDT', DSDT_REVISION, oem, (w) => w.bytes(encodeAml(scope('\\_SB', ...body))));
}
