// --trace support: onTrace sees every executed instruction once, with objdump-style text and the
// register it wrote (also when the value is unchanged); trapping instructions report no write.
// Oracle: the instruction semantics and the disassembler's own GNU-checked output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, reg } from './asm.js';
import { makeMachine, RAM_BASE, TRAP_VEC } from './machine.js';

test('onTrace reports pc, text and register writes per instruction', () => {
  const m = makeMachine();
  const h = m.hart;
  m.code(RAM_BASE, [a.addi(reg.a0, 0, 5), a.addi(reg.a1, 0, 0), a.sd(reg.a0, reg.sp, 0), a.ecall()]);
  m.code(TRAP_VEC, [a.addi(reg.a2, reg.a0, 1)]);
  const lines: string[] = [];
  h.onTrace = (pc, text, writes) =>
    lines.push(`${pc.toString(16)} ${text} ${writes.map(([r, v]) => `x${r}=${v}`).join(',')}`.trim());
  h.writeReg(reg.sp, BigInt(RAM_BASE + 0x8000));
  h.pc = RAM_BASE;
  assert.equal(h.run(5), 'limit');
  h.onTrace = undefined;
  assert.deepEqual(lines, [
    '80000000 li a0,5 x10=5',
    '80000004 li a1,0 x11=0',
    '80000008 sd a0,0(sp)',
    '8000000c ecall',
    `${TRAP_VEC.toString(16)} addi a2,a0,1 x12=6`,
  ]);
});
