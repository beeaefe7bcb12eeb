// Sub-page code tracking in RAM (issue 14): a code page is tracked per 256-byte chunk, so stores to
// data sharing the page with code keep its decoded and translated code, while a store into a chunk
// holding code invalidates it exactly, whoever stores (this hart, another hart, a host/DMA write).
// Oracle: what the program computes (the instruction that must run) and the JIT's counters.
import assert from 'node:assert/strict';
import { Hart } from '../../src/cpu/hart.js';
import { a, reg } from './asm.js';
import { jitTest, makeMachine, RAM_BASE, type TestMachine } from './machine.js';

const CODE = RAM_BASE + 0x3000;
/** Data 512 bytes after the code: the same 4 KiB page, another 256-byte chunk. */
const DATA = CODE + 0x200;

/** A loop at CODE running a0 times: a1 += 3; store a1 to DATA; a3 += a load; then an illegal word. */
function loop(m: TestMachine, h: Hart, n: number): void {
  h.writeReg(reg.a0, BigInt(n));
  m.code(CODE, [
    a.addi(0, 0, 0),
    a.addi(reg.a1, reg.a1, 3), // CODE + 4: the loop
    a.sd(reg.a1, reg.t2, 0),
    a.ld(reg.a2, reg.t2, 8),
    a.add(reg.a3, reg.a3, reg.a2),
    a.addi(reg.a0, reg.a0, -1),
    a.bne(reg.a0, 0, -20),
    0, // illegal: ends the run (trap to the test vector)
  ]);
}

function jitHart(m: TestMachine, hartId = 0): Hart {
  return new Hart({ arena: m.arena, bus: m.bus, hartId, resetPc: CODE, jit: true, jitThreshold: 1, noWarmUp: true });
}

jitTest('stores to data next to code keep the page translated (no invalidation, fast stores)', () => {
  const m = makeMachine();
  const h = jitHart(m);
  loop(m, h, 100_000);
  m.poke64(DATA + 8, 7n);
  h.writeReg(reg.t2, BigInt(DATA));
  h.pc = CODE;
  h.run(100);
  h.jit!.compileQueued();
  h.run(1_000_000);
  assert.equal(h.readReg(reg.a1), 300_000n);
  assert.equal(m.peek64(DATA), 300_000n);
  assert.equal(h.readReg(reg.a3), 700_000n);
  const s = h.jitStats!;
  assert.equal(s.invalidatedBlocks, 0, 'no translation was dropped');
  assert.ok(s.instructions > 500_000 * 0.9, `ran translated: ${s.instructions}`);
});

jitTest('a store into a chunk holding code invalidates exactly: the new instruction runs', () => {
  const m = makeMachine();
  const h = jitHart(m);
  // addi a1, a1, 3 at CODE + 4 is rewritten by the guest itself to addi a1, a1, 100 (sw from a4).
  loop(m, h, 50);
  h.writeReg(reg.t2, BigInt(DATA));
  h.pc = CODE;
  h.run(50);
  h.jit!.compileQueued();
  h.run(1000);
  assert.equal(h.readReg(reg.a1), 150n);
  assert.ok(h.jitStats!.instructions > 0, 'the loop ran translated');
  // The guest stores the new instruction word (through the slow path) and runs the loop again.
  m.code(RAM_BASE, [a.sw(reg.a4, reg.a5, 0), 0]);
  h.writeReg(reg.a4, BigInt(a.addi(reg.a1, reg.a1, 100)));
  h.writeReg(reg.a5, BigInt(CODE + 4));
  h.pc = RAM_BASE;
  h.run(1);
  h.writeReg(reg.a1, 0n);
  h.writeReg(reg.a0, 50n);
  h.pc = CODE;
  h.run(1000);
  assert.equal(h.readReg(reg.a1), 5000n, 'the rewritten addi ran (50 x 100)');
  assert.ok(h.jitStats!.invalidatedBlocks > 0, 'the old translation was dropped');
});

jitTest('a store by another hart, and a host write, into code invalidate; into data they do not', () => {
  const m = makeMachine();
  const h = jitHart(m, 0);
  const other = jitHart(m, 1);
  loop(m, h, 20);
  h.writeReg(reg.t2, BigInt(DATA));
  h.pc = CODE;
  h.run(30);
  h.jit!.compileQueued();
  h.run(1000);
  assert.equal(h.readReg(reg.a1), 60n);
  // Another hart writes the data chunk: the translation stays.
  m.code(RAM_BASE + 0x100, [a.sd(reg.a4, reg.a5, 0), 0]);
  other.writeReg(reg.a4, 5n);
  other.writeReg(reg.a5, BigInt(DATA + 24));
  other.pc = RAM_BASE + 0x100;
  other.run(1);
  // A host (DMA-like) write to the data chunk: stays too.
  m.bus.store(DATA + 32, 8, 1, 0);
  const before = h.jitStats!.invalidatedBlocks;
  h.writeReg(reg.a1, 0n);
  h.writeReg(reg.a0, 20n);
  h.pc = CODE;
  h.run(1000);
  assert.equal(h.readReg(reg.a1), 60n);
  assert.equal(h.jitStats!.invalidatedBlocks, before, 'data writes by others keep the code');
  // The other hart rewrites the loop's addi: hart 0 runs the new one.
  other.writeReg(reg.a4, BigInt(a.addi(reg.a1, reg.a1, 9)));
  other.writeReg(reg.a5, BigInt(CODE + 4));
  m.code(RAM_BASE + 0x200, [a.sw(reg.a4, reg.a5, 0), 0]);
  other.pc = RAM_BASE + 0x200;
  other.run(1);
  h.writeReg(reg.a1, 0n);
  h.writeReg(reg.a0, 20n);
  h.pc = CODE;
  h.run(1000);
  assert.equal(h.readReg(reg.a1), 180n, "hart 1's store into hart 0's code took effect (20 x 9)");
  // A host write into the code chunk: back to addi 3.
  m.code(CODE + 4, [a.addi(reg.a1, reg.a1, 3)]);
  h.writeReg(reg.a1, 0n);
  h.writeReg(reg.a0, 20n);
  h.pc = CODE;
  h.run(1000);
  assert.equal(h.readReg(reg.a1), 60n, 'the host write into the code took effect');
});
