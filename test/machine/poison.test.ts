// Poison end to end on the default machine (issue 7 item 2; docs/mailbox.md "Poison"): the host
// injects poison through a device's mailbox registers (driver-style client), a guest load from the
// poisoned HPA in region R0 takes a load access fault (mcause 5, mtval = the address) with the JIT
// on and off, Get Poison List reports the line, Clear Poison makes the page cacheable again with
// its write data visible, and Sanitize's disabled media reads all-ones. Oracles: the RISC-V
// privileged spec's cause codes (5 load access fault, mtval = faulting address), Get Poison List's
// record layout (CXL r3.x: DPA | source in bits [2:0], length in 64 B units; source 3 = injected),
// and bytes written by the test itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { boardOptionsForMachine, createBoard, runBoard, runProgram, type Board } from '../../src/machine/board.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { sendMailboxCommand } from '../../src/cxl/index.js';
import { AccessFault, PageFlag } from '../../src/memory/index.js';
import { Hart } from '../../src/cpu/hart.js';
import { a, li, reg } from '../cpu/asm.js';

const MiB = 2 ** 20;
const R0 = 0x1_0000_0000;
const HPA = R0 + 0x12_3440; // 64-byte aligned, inside R0
const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const rd64 = (b: Uint8Array, o: number) => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(o, true));

function poisonedMachine() {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
  const tr = m.cxl.translateHpa(HPA);
  assert.ok(tr.ok, 'R0 decodes the test address');
  const { memdev, dpa } = tr.value;
  assert.equal(dpa % 64, 0);
  assert.equal(m.addressSpace.writeU64(HPA, 0x1122_3344_5566_7788n), AccessFault.None);
  assert.equal(m.addressSpace.writeU64(HPA + 64, 0x0bad_cafe_0000_0001n), AccessFault.None);
  const regs = m.deviceRegisters(memdev);
  assert.equal(sendMailboxCommand(regs, 0x4301, u64(dpa)).rc, 0, 'Inject Poison');
  return { m, regs, dpa, memdev };
}

/** M-mode guest: mtvec = handler; 200 clean loads from the poisoned page (the JIT compiles the loop),
 *  then one from the poisoned line; the handler copies mcause/mtval to a0/a1 and passes. */
function guest(loopForever = false): Uint8Array {
  const w: number[] = [];
  const body: number[] = loopForever
    ? [
        ...li(reg.t1, BigInt(HPA)),
        a.ld(reg.s1, reg.t1, 0), // loop: load the (not yet) poisoned line
        a.addi(reg.t5, reg.t5, 1),
        a.jal(0, -8),
      ]
    : [
        ...li(reg.t1, BigInt(HPA)),
        ...li(reg.t5, 200n),
        a.ld(reg.t2, reg.t1, 64), // loop: clean neighbour line
        a.addi(reg.t5, reg.t5, -1),
        a.bne(reg.t5, 0, -8),
        a.ld(reg.s1, reg.t1, 0), // poisoned: faults, s1 untouched
        a.jal(0, 0),
      ];
  const handlerAt = 4 * (3 + body.length);
  w.push(a.auipc(reg.t0, 0), a.addi(reg.t0, reg.t0, handlerAt), a.csrrw(0, 0x305, reg.t0), ...body);
  assert.equal(w.length * 4, handlerAt);
  w.push(
    a.csrrs(reg.a0, 0x342, 0), // mcause
    a.csrrs(reg.a1, 0x343, 0), // mtval
    ...li(reg.t3, 0x10_0000n),
    ...li(reg.t4, 0x5555n),
    a.sw(reg.t4, reg.t3, 0),
    a.jal(0, 0),
  );
  const out = new Uint8Array(w.length * 4);
  const dv = new DataView(out.buffer);
  w.forEach((x, i) => dv.setUint32(4 * i, x, true));
  return out;
}

for (const jit of [true, false]) {
  test(`guest load from a poisoned R0 line: load access fault, mcause 5, mtval = HPA (${jit ? 'JIT' : 'CXLEMU_JIT=0 interpreter'})`, async () => {
    const { m } = poisonedMachine();
    try {
      let board: Board | undefined;
      const r = await runProgram({
        kernel: guest(),
        machine: boardOptionsForMachine(m),
        output: () => {},
        maxInstructions: 100_000,
        hartFactory: (o) => new Hart({ ...o, jit, jitThreshold: 1 }),
        beforeRun: (b) => {
          board = b;
        },
      });
      assert.equal(r.exit.kind, 'pass', r.exit.message);
      const h = board!.hart as Hart;
      assert.equal(h.readReg(reg.a0), 5n, 'mcause: load access fault');
      assert.equal(h.readReg(reg.a1), BigInt(HPA), 'mtval: the poisoned address');
      assert.equal(h.readReg(reg.t2), 0x0bad_cafe_0000_0001n, 'the neighbouring line loaded');
      assert.equal(h.readReg(reg.t5), 0n, 'the clean loop ran to the end');
      assert.equal(h.readReg(reg.s1), 0n, 'no data from the poisoned line');
    } finally {
      m.close();
    }
  });
}

for (const jit of [true, false]) {
  test(`poison injected while the guest loops on the line (TLB and JIT warm) faults the next load (${jit ? 'JIT' : 'interpreter'})`, async () => {
    const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
    const tr = m.cxl.translateHpa(HPA);
    assert.ok(tr.ok);
    assert.equal(m.addressSpace.writeU64(HPA, 77n), AccessFault.None);
    const board = createBoard({
      ...boardOptionsForMachine(m),
      hartFactory: (o) => new Hart({ ...o, jit, jitThreshold: 1 }),
    });
    board.loadKernel(guest(true));
    const h = board.hart as Hart;
    const r1 = await runBoard(board, { maxInstructions: 20_000 });
    assert.equal(r1.exit.kind, 'limit');
    assert.equal(h.readReg(reg.s1), 77n);
    assert.ok(h.readReg(reg.t5) > 1000n, 'the loop ran hot');
    assert.equal(sendMailboxCommand(m.deviceRegisters(tr.value.memdev), 0x4301, u64(tr.value.dpa)).rc, 0);
    const before = h.readReg(reg.t5);
    const r2 = await runBoard(board, { maxInstructions: 40_000 });
    assert.equal(r2.exit.kind, 'pass', r2.exit.message);
    assert.equal(h.readReg(reg.a0), 5n);
    assert.equal(h.readReg(reg.a1), BigInt(HPA));
    assert.ok(h.readReg(reg.t5) - before <= 1n, 'faulted on the first load after the injection');
  });
}

for (const jit of [true, false]) {
  test(`instruction fetch from a poisoned line: instruction access fault, mcause 1, mtval = HPA (${jit ? 'JIT' : 'interpreter'})`, async () => {
    const { m } = poisonedMachine();
    // Jump to HPA instead of loading from it (the line holds data, never executed).
    const w: number[] = [];
    const body = [...li(reg.t1, BigInt(HPA)), a.jalr(0, reg.t1, 0)];
    const handlerAt = 4 * (3 + body.length);
    w.push(a.auipc(reg.t0, 0), a.addi(reg.t0, reg.t0, handlerAt), a.csrrw(0, 0x305, reg.t0), ...body);
    w.push(
      a.csrrs(reg.a0, 0x342, 0),
      a.csrrs(reg.a1, 0x343, 0),
      ...li(reg.t3, 0x10_0000n),
      ...li(reg.t4, 0x5555n),
      a.sw(reg.t4, reg.t3, 0),
      a.jal(0, 0),
    );
    const bytes = new Uint8Array(w.length * 4);
    w.forEach((x, i) => new DataView(bytes.buffer).setUint32(4 * i, x, true));
    let board: Board | undefined;
    const r = await runProgram({
      kernel: bytes,
      machine: boardOptionsForMachine(m),
      output: () => {},
      maxInstructions: 10_000,
      hartFactory: (o) => new Hart({ ...o, jit, jitThreshold: 1 }),
      beforeRun: (b) => {
        board = b;
      },
    });
    assert.equal(r.exit.kind, 'pass', r.exit.message);
    const h = board!.hart as Hart;
    assert.equal(h.readReg(reg.a0), 1n, 'mcause: instruction access fault');
    assert.equal(h.readReg(reg.a1), BigInt(HPA));
  });
}

test('Get Poison List reports the line; host loads fault only on it; Clear Poison writes data and makes the page cacheable', () => {
  const { m, regs, dpa } = poisonedMachine();
  try {
    const as = m.addressSpace;
    const list = sendMailboxCommand(regs, 0x4300, cat(u64(0), u64(m.cxl.memdevs[0]!.capacity / 64)));
    assert.equal(list.rc, 0);
    assert.equal(list.out[0xa], 1, 'one record');
    assert.equal(rd64(list.out, 0x20), dpa + 3, 'DPA | source Injected');
    assert.equal(new DataView(list.out.buffer, list.out.byteOffset).getUint32(0x28, true), 1, 'one line');
    as.load(HPA, 8);
    assert.equal(as.fault, AccessFault.Poisoned);
    as.load(HPA + 63, 1);
    assert.equal(as.fault, AccessFault.Poisoned);
    assert.equal(as.readU64(HPA + 64), 0x0bad_cafe_0000_0001n);
    assert.equal(as.readU64(HPA - 8), 0n);
    assert.equal(as.fault, AccessFault.None);
    const page = as.resolvePage(HPA);
    assert.equal(page.flags & (PageFlag.Poisoned | PageFlag.Mmio), PageFlag.Poisoned | PageFlag.Mmio);
    assert.equal(as.resolveRun(HPA), -1);
    // Stores complete and the line stays poisoned.
    assert.equal(as.writeU64(HPA, 5n), AccessFault.None);
    as.load(HPA, 4);
    assert.equal(as.fault, AccessFault.Poisoned);
    // Clear Poison with 64 bytes of write data.
    const data = Uint8Array.from({ length: 64 }, (_, i) => 0xa0 + i);
    assert.equal(sendMailboxCommand(regs, 0x4302, cat(u64(dpa), data)).rc, 0);
    const back = new Uint8Array(64);
    assert.equal(as.readBytes(HPA, back), AccessFault.None);
    assert.deepEqual([...back], [...data]);
    const p2 = as.resolvePage(HPA);
    assert.equal(p2.flags & (PageFlag.Poisoned | PageFlag.Mmio), 0);
    assert.ok(as.resolveRun(HPA) >= 0);
    const empty = sendMailboxCommand(regs, 0x4300, cat(u64(0), u64(m.cxl.memdevs[0]!.capacity / 64)));
    assert.equal(empty.out[0xa], 0);
  } finally {
    m.close();
  }
});

test('Sanitize: media disabled reads all-ones and drops stores (no fault); afterwards the media is zero', () => {
  const { m, regs, dpa } = poisonedMachine();
  try {
    const as = m.addressSpace;
    assert.equal(sendMailboxCommand(regs, 0x4400).rc, 1, 'Background Operation Started');
    assert.equal(as.readU64(HPA + 64), 0xffff_ffff_ffff_ffffn);
    assert.equal(as.fault, AccessFault.None);
    assert.equal(as.readU64(HPA), 0xffff_ffff_ffff_ffffn, 'disabled media does not report poison');
    assert.equal(as.fault, AccessFault.None);
    assert.equal(as.writeU64(HPA + 128, 42n), AccessFault.None);
    assert.equal(as.resolvePage(HPA).flags & PageFlag.Poisoned, PageFlag.Poisoned);
    // Let it finish (deterministic clock: 100 us per register access).
    for (let i = 0; i < 20000 && (regs.read(0x1010, 4) & 1) === 1; i++) regs.tick();
    assert.equal(regs.read(0x1010, 4) & 1, 0, 'sanitize finished');
    assert.equal(as.readU64(HPA), 0n, 'poison cleared by sanitize, media zeroed');
    assert.equal(as.fault, AccessFault.None);
    assert.equal(as.readU64(HPA + 128), 0n, 'the store while disabled was dropped');
    void dpa;
  } finally {
    m.close();
  }
});
