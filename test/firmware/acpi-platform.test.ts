// The platform tables of an ACPI boot (FADT, MADT, RHCT, SPCR, MCFG) and the EFI hand-off that
// points Linux at them, for whole machines (src/machine/firmware-tables.ts with the machine's PCI
// apertures). Oracles: test/helpers/acpi-decoder.ts (offsets spelled out independently of
// src/firmware), the board's own constants read from the device tree side (PLIC, UART, ECAM), and
// Debian's iasl for the tables its 2020 release knows (FACP, SPCR, MCFG; it predates RHCT and the
// MADT's RINTC/PLIC structures, which the decoder checks instead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disassemble, IASL } from '../helpers/iasl.js';
import { Machine } from '../../src/machine/build.js';
import { defaultDescription } from '../../src/machine/default-machine.js';
import { buildFirmwareTables } from '../../src/machine/firmware-tables.js';
import {
  decodeEfi,
  decodeHeader,
  decodeMadt,
  decodeRhct,
  walkFromRsdp,
  type MadtEntry,
} from '../helpers/acpi-decoder.js';
import { buildEfiHandoff } from '../../src/firmware/efi.js';
import { guidBytes } from '../../src/firmware/acpi/tables.js';

const skip = IASL ? false : 'iasl not found: install acpica-tools';

function tablesOf(cpus = 1, irqchip: 'plic' | 'aia' = 'plic') {
  const d = { ...defaultDescription(), cpus, irqchip };
  const m = Machine.build(d);
  const t = m.firmwareTables;
  const read = (addr: number, n: number) => t.handoffImage.subarray(addr - t.layout.base, addr - t.layout.base + n);
  const walked = walkFromRsdp(t.handoffImage, t.layout.base, t.layout.rsdpAddress);
  return { m, t, read, tables: walked.tables, d };
}

test('an ACPI machine lists FACP, APIC, RHCT, SPCR, MCFG, CEDT, SRAT, SLIT, HMAT in its XSDT; the FADT points at the DSDT; every checksum holds', () => {
  const { t, tables, read } = tablesOf();
  assert.deepEqual([...tables.keys()], ['FACP', 'APIC', 'RHCT', 'SPCR', 'MCFG', 'CEDT', 'SRAT', 'SLIT', 'HMAT']);
  const fadt = tables.get('FACP')!;
  const h = decodeHeader(fadt);
  assert.equal(h.revision, 6);
  assert.equal(fadt.length, 276);
  assert.equal(fadt[131], 5, 'FADT minor revision 5 (Linux wants 6.5+)');
  const flags = new DataView(fadt.buffer, fadt.byteOffset).getUint32(112, true);
  assert.equal(flags & (1 << 20), 1 << 20, 'HW_REDUCED_ACPI');
  const dsdtAt = Number(new DataView(fadt.buffer, fadt.byteOffset).getBigUint64(140, true));
  const dsdtLen = new DataView(read(dsdtAt, 8).slice().buffer).getUint32(4, true);
  const dsdt = decodeHeader(read(dsdtAt, dsdtLen).slice());
  assert.equal(dsdt.signature, 'DSDT');
  assert.ok(dsdt.checksumOk);
  for (const [name, b] of tables) assert.ok(decodeHeader(b).checksumOk, name);
  assert.deepEqual(
    t.acpi.map((x) => x.name),
    ['RSDP', 'XSDT', 'DSDT', 'FACP', 'APIC', 'RHCT', 'SPCR', 'MCFG', 'CEDT', 'SRAT', 'SLIT', 'HMAT'],
  );
});

test('MADT: one enabled RINTC per hart naming the PLIC and the hart S-mode context; the PLIC at its board address with GSI base 0', () => {
  for (const cpus of [1, 3]) {
    const { tables } = tablesOf(cpus);
    const madt = decodeMadt(tables.get('APIC')!);
    const rintc = madt.entries.filter((e): e is Extract<MadtEntry, { type: 'rintc' }> => e.type === 'rintc');
    assert.deepEqual(
      rintc.map((r) => [r.hartId, r.uid, r.flags & 1, r.extIntcId, r.length, r.version]),
      Array.from({ length: cpus }, (_, i) => [i, i, 1, 2 * i + 1, 36, 1]),
    );
    const plic = madt.entries.find((e): e is Extract<MadtEntry, { type: 'plic' }> => e.type === 'plic')!;
    assert.deepEqual(
      { base: plic.base, size: plic.size, sources: plic.sources, maxPriority: plic.maxPriority, gsiBase: plic.gsiBase },
      { base: 0x0c00_0000, size: 0x60_0000, sources: 95, maxPriority: 7, gsiBase: 0 },
    );
  }
});

test('MADT with the AIA: RINTCs name each hart S-level IMSIC file, one IMSIC and one MSI-mode APLIC (QEMU virt aia=aplic-imsic addresses); no PLIC', () => {
  for (const cpus of [1, 3]) {
    const { tables, t } = tablesOf(cpus, 'aia');
    const madt = decodeMadt(tables.get('APIC')!);
    const of = <K extends MadtEntry['type']>(k: K) =>
      madt.entries.filter((e): e is Extract<MadtEntry, { type: K }> => e.type === k);
    assert.deepEqual(
      of('rintc').map((r) => [r.hartId, r.extIntcId, r.imsicAddr, r.imsicSize]),
      Array.from({ length: cpus }, (_, i) => [i, 0, 0x2800_0000 + i * 0x1000, 0x1000]),
    );
    const [imsic] = of('imsic');
    assert.deepEqual(
      { ...imsic, length: imsic!.length },
      {
        type: 'imsic',
        length: 16,
        version: 1,
        flags: 0,
        numIds: 255,
        numGuestIds: 255,
        guestIndexBits: 0,
        hartIndexBits: cpus === 1 ? 0 : 2,
        groupIndexBits: 0,
        groupIndexShift: 24,
      },
    );
    const [aplic] = of('aplic');
    assert.deepEqual(
      [aplic!.length, aplic!.id, aplic!.numIdcs, aplic!.sources, aplic!.gsiBase, aplic!.base, aplic!.size],
      [36, 0, 0, 96, 0, 0x0d00_0000, 0x8000],
    );
    assert.equal(of('plic').length, 0);
    const rhct = decodeRhct(tables.get('RHCT')!);
    for (const isa of rhct.isa.values()) assert.match(isa, /_smaia_ssaia_/);
    assert.match(t.decoded, /APLC \(RSCV0002\)/);
  }
});

test('RHCT: the timebase and, for every hart, an ISA string listing zicsr, zifencei and zicntr, an Sv39 MMU node and a CMO node', () => {
  const { tables } = tablesOf(2);
  const r = decodeRhct(tables.get('RHCT')!);
  assert.equal(r.timebase, 10_000_000);
  assert.deepEqual(
    r.harts.map((h) => h.uid),
    [0, 1],
  );
  for (const h of r.harts) {
    const isa = h.offsets.map((o) => r.isa.get(o)).find((x) => x !== undefined);
    assert.equal(isa, 'rv64imafdc_zicbom_zicboz_zicntr_zicond_zicsr_zifencei_zihintpause_zba_zbb_zbs_sstc_svpbmt');
    // The CMO node (Linux keeps Zicbom/Zicboz only with it): 64-byte blocks, as log2.
    assert.deepEqual(
      h.offsets.map((o) => r.cmo.get(o)).filter((x) => x !== undefined),
      [{ cbom: 6, cbop: 6, cboz: 6 }],
    );
    assert.deepEqual(
      h.offsets.map((o) => r.mmu.get(o)).filter((x) => x !== undefined),
      [0],
    );
  }
});

test('iasl: FACP, SPCR and MCFG disassemble with our fields', { skip }, () => {
  const { tables, m } = tablesOf();
  const facp = disassemble('FACP', tables.get('FACP')!);
  assert.match(facp, /Hardware Reduced \(V5\) : 1/);
  const spcr = disassemble('SPCR', tables.get('SPCR')!);
  assert.match(spcr, /Address : 0000000010000000/);
  assert.match(spcr, /Baud Rate : 07/);
  assert.match(spcr, /Interrupt : 0000000A/);
  const mcfg = disassemble('MCFG', tables.get('MCFG')!);
  assert.match(mcfg, /Base Address : 0000000030000000/);
  assert.match(mcfg, /Start Bus Number : 00/);
  assert.match(mcfg, /End Bus Number : FF/);
  assert.ok(m.cxlHostBridges.every((h) => h.busNr >= 0 && h.busLast <= 255));
});

test('EFI hand-off: the system table names the RSDP under the ACPI 2.0 GUID; the map covers RAM with the tables as ACPI reclaim', () => {
  const { t, read, d } = tablesOf();
  const efi = t.efi!;
  const e = decodeEfi(read, efi.systemTable, {
    start: efi.memoryMap.start,
    size: efi.memoryMap.size,
    descSize: efi.memoryMap.descriptorSize,
  });
  assert.equal(e.signature, 'IBI SYST');
  assert.deepEqual(e.tables, [{ guid: '8868e871-e4f1-11d3-bc22-0080c73c8881', address: t.layout.rsdpAddress }]);
  const ramEnd = 0x8000_0000 + d.ram.size;
  // Contiguous, write-back, conventional except one ACPI-reclaim range holding tables and hand-off.
  let at = 0x8000_0000;
  for (const r of e.memory) {
    assert.equal(r.base, at);
    assert.equal(r.attribute, 8);
    at += r.pages * 4096;
  }
  assert.equal(at, ramEnd);
  const reclaim = e.memory.filter((r) => r.type === 9);
  assert.equal(reclaim.length, 1);
  assert.ok(reclaim[0]!.base <= t.layout.base);
  assert.ok(reclaim[0]!.base + reclaim[0]!.pages * 4096 >= efi.memoryMap.start + efi.memoryMap.size);
  assert.deepEqual(
    e.memory.filter((r) => r.type !== 9).map((r) => r.type),
    [7, 7],
  );
});

test('EFI hand-off: GUID byte order, overlapping or unaligned ranges are refused with the field named', () => {
  assert.deepEqual(
    [...guidBytes('8868e871-e4f1-11d3-bc22-0080c73c8881')],
    [0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11, 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81],
  );
  assert.throws(
    () =>
      buildEfiHandoff({
        base: 0x1000,
        rsdpAddress: 0,
        memory: [
          { base: 0x8000_0000, size: 0x2000, type: 'conventional' },
          { base: 0x8000_1000, size: 0x1000, type: 'acpiReclaim' },
        ],
      }),
    /memory\[1\].*do not overlap/,
  );
  assert.throws(
    () =>
      buildEfiHandoff({ base: 0x1000, rsdpAddress: 0, memory: [{ base: 0x10, size: 0x1000, type: 'conventional' }] }),
    /memory\[0\]\.base/,
  );
});

test('without PCI apertures (the description alone) only the CXL/NUMA tables are built and there is no EFI hand-off', () => {
  const t = buildFirmwareTables(defaultDescription());
  assert.deepEqual(
    t.acpi.map((x) => x.name),
    ['RSDP', 'XSDT', 'CEDT', 'SRAT', 'SLIT', 'HMAT'],
  );
  assert.equal(t.efi, undefined);
});
