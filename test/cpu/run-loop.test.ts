// The run loop contract (docs/internal/CONTRACTS.md "src/cpu"): run(n) stops on the limit, on
// WFI and on requestStop() from a device callback; an interrupt line raised by a device during an
// MMIO store is taken right after that store; counters (instret/cycle) and the limit count
// attempted instructions. Oracle: the contract text and privileged ISA 3.1.9 (interrupts are
// taken between instructions when pending and enabled).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace, Arena, BackingStore, type MmioOps } from '../../src/memory/index.js';
import { Hart } from '../../src/cpu/hart.js';
import { a, reg } from './asm.js';
import { CSR } from '../../src/cpu/csr.js';

const RAM = 0x8000_0000,
  DEV = 0x1000_0000;

function machine(onWrite: (h: Hart, off: number, v: number) => void) {
  const arena = new Arena({ bytes: 8 << 20 });
  const bus = new AddressSpace(arena);
  let hart: Hart | undefined;
  const ops: MmioOps = {
    valid: { min: 4, max: 4 },
    impl: { min: 4, max: 4 },
    read: () => 0,
    write: (off, _size, v) => onWrite(hart!, off, v),
  };
  bus.begin();
  bus.ram('ram', RAM, new BackingStore(arena, { name: 'ram', size: 1 << 20 }));
  bus.mmio('dev', DEV, 0x1000, ops);
  bus.commit();
  hart = new Hart({ arena, bus, hartId: 0, resetPc: RAM });
  const code = (at: number, ws: number[]) => ws.forEach((w, i) => bus.store(at + 4 * i, 4, w));
  return { hart, code };
}

test('requestStop from a device stops run() right after the store', () => {
  const { hart, code } = machine((h) => h.requestStop());
  code(RAM, [a.sw(0, reg.a1, 0), a.addi(reg.a0, 0, 1), a.jal(0, -4)]);
  hart.writeReg(reg.a1, BigInt(DEV));
  assert.equal(hart.run(1000), 'stop');
  assert.equal(hart.pc, RAM + 4);
  assert.equal(hart.instret, 1);
  assert.equal(hart.run(10), 'limit', 'the stop request was consumed');
  assert.equal(hart.instret, 11);
  assert.equal(hart.cycle, 11);
});

test('an interrupt raised by a device during a store is taken before the next instruction', () => {
  const { hart, code } = machine((h, _off, v) => h.setPendingLine(3, v !== 0));
  code(RAM, [
    a.csrrw(0, CSR.mtvec, reg.a2),
    a.addi(0, 0, 0),
    a.csrrw(0, CSR.mie, reg.a3),
    a.csrrsi(0, CSR.mstatus, 8), // MIE
    a.sw(reg.a4, reg.a1, 0), // raise MSIP
    a.addi(reg.a0, 0, 1), // must not run before the handler
  ]);
  code(RAM + 0x100, [a.addi(reg.a5, 0, 9)]);
  hart.writeReg(reg.a1, BigInt(DEV));
  hart.writeReg(reg.a2, BigInt(RAM + 0x100));
  hart.writeReg(reg.a3, 1n << 3n);
  hart.writeReg(reg.a4, 1n);
  hart.run(6);
  assert.equal(hart.readReg(reg.a0), 0n, 'the instruction after the store did not execute');
  assert.equal(hart.readReg(reg.a5), 9n, 'the handler ran');
  assert.equal(hart.mepcLo >>> 0, RAM + 20);
  assert.equal(hart.mcauseHi >>> 0, 0x80000000);
  assert.equal(hart.mcauseLo, 3);
});

test('the limit counts instructions that trap (a fault loop still returns)', () => {
  const { hart } = machine(() => {});
  hart.mtvecLo = 0x2000_0000; // nothing there: every fetch faults
  hart.pc = 0x2000_0000;
  assert.equal(hart.run(1000), 'limit');
  assert.equal(hart.instret, 0);
  assert.equal(hart.cycle, 1000);
});
