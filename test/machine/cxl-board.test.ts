// The machine's CXL PCI wiring on the board: the ECAM the machine built is the one the guest
// sees (no empty stand-in), endpoint INTx reaches the PLIC through the swizzle, ACPI tables sit in
// RAM at the RSDP the device tree names, and the DT lists the host-bridge component blocks.
// Oracles: QEMU virt's INTx map (slot + pin) mod 4 from source 32; the RSDP signature and the
// CHBS addresses firmware-tables computes; the PLIC pending register.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { boardOptionsForMachine, createBoard } from '../../src/machine/board.js';
import { PLIC_BASE } from '../../src/machine/board-map.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { buildBoardTree } from '../../src/firmware/fdt.js';

test('board: machine ECAM, INTx to PLIC, ACPI in RAM at /chosen/cxlemu,acpi-rsdp, host bridges in the DT', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * 2 ** 20 });
  try {
    const board = createBoard(boardOptionsForMachine(m));
    // ECAM: the root port of hb1 at bus 0x20 device 0 answers (vendor 8086).
    assert.equal(board.addressSpace.load(0x3000_0000 + 0x20 * 2 ** 20, 2), 0x8086);
    // ACPI: "RSD PTR " at the RSDP address the DT names.
    const rsdp = board.description.chosen.acpiRsdp;
    assert.equal(rsdp, m.firmwareTables.layout.rsdpAddress);
    const sig = new Uint8Array(8);
    board.addressSpace.readBytes(rsdp, sig);
    assert.equal(Buffer.from(sig).toString('latin1'), 'RSD PTR ');
    // DT: host bridges with their CHBCR.
    const tree = buildBoardTree(board.description);
    const hbs = tree.children.find((c) => c.name === 'cxl-host-bridges');
    assert.ok(hbs);
    assert.deepEqual(
      hbs.children.map((c) => c.name),
      ['host-bridge@7ffe0000', 'host-bridge@7fff0000'],
    );
    // INTx: mem2 sits at device 0 below root port 0 (device 0) of hb1: pin A -> source 32.
    const ep = m.cxlPci.endpoints.find((e) => e.device.id === 'mem2')!;
    const pending = () => board.addressSpace.load(PLIC_BASE + 0x1000 + 4, 4); // sources 32..63
    assert.equal(pending() & 1, 0);
    ep.fn.setIntx(true);
    assert.equal(pending() & 1, 1);
    ep.fn.setIntx(false);
    // mem3 below root port 1 (device 1): swizzle to INTB -> source 33 (level, so check the line).
    const ep3 = m.cxlPci.endpoints.find((e) => e.device.id === 'mem3')!;
    ep3.fn.setIntx(true);
    assert.equal((pending() >>> 1) & 1, 1);
  } finally {
    m.close();
  }
});
