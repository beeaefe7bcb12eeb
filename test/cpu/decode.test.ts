// Decoder and disassembler. Oracle: GNU as/objdump 2.40 (riscv64-unknown-elf) output committed in
// data/gnu-encodings.json: every 32-bit form must disassemble to objdump's `-M no-aliases` text,
// and every compressed form must decode to the same operation as the 32-bit expansion GNU as
// produced for it. Reserved encodings from the RVC table must decode as illegal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeOne } from '../../src/cpu/decode.js';
import { disassemble } from '../../src/cpu/disasm.js';
import { Op, W0_COMPRESSED } from '../../src/cpu/isa.js';
import { a, reg } from './asm.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/test/cpu; the data lives beside the sources.
const data = JSON.parse(
  readFileSync(join(here, '..', '..', '..', 'test', 'cpu', 'data', 'gnu-encodings.json'), 'utf8'),
) as {
  insns: { pc: number; hex: string; text: string }[];
  compressed: { c: string; base: string; asm: string }[];
};

test('32-bit encodings disassemble to objdump -M no-aliases text', () => {
  assert.ok(data.insns.length > 100);
  for (const { pc, hex, text } of data.insns) {
    const got = disassemble(parseInt(hex, 16), pc, { aliases: false });
    assert.equal(
      got,
      text
        .replace(/ # .*$/, '')
        .replace(/\s+$/, '')
        .replace(/\t/g, ' '),
      `${hex} at ${pc}`,
    );
  }
});

test('F, D, Zba, Zbb and Zbs encodings disassemble to objdump -M no-aliases text', () => {
  const fd = JSON.parse(
    readFileSync(join(here, '..', '..', '..', 'test', 'cpu', 'data', 'gnu-encodings-fd.json'), 'utf8'),
  ) as { insns: { pc: number; hex: string; text: string }[] };
  assert.ok(fd.insns.length > 200);
  for (const { pc, hex, text } of fd.insns) {
    assert.equal(disassemble(parseInt(hex, 16), pc, { aliases: false }), text.replace(/ # .*$/, ''), hex);
  }
});

test('Zicond encodings (binutils 2.40 has none: from the Zicond 1.0 spec, funct7 0000111, OP)', () => {
  // czero.eqz a0, a1, a2 = funct7 0x07 | rs2 12 | rs1 11 | funct3 5 | rd 10 | 0x33
  assert.equal(disassemble(0x0ec5d533, 0), 'czero.eqz a0,a1,a2');
  assert.equal(disassemble(0x0ec5f533, 0), 'czero.nez a0,a1,a2');
  assert.equal(decodeOne(0x0ec5e533)[0]! & 0xff, Op.ILLEGAL, 'funct3 6 is not Zicond');
});

test('compressed encodings decode to their GNU as expansion', () => {
  assert.ok(data.compressed.length >= 40);
  for (const { c, base, asm } of data.compressed) {
    const dc = decodeOne(parseInt(c, 16));
    const db = decodeOne(parseInt(base, 16));
    assert.ok((dc[0]! & W0_COMPRESSED) !== 0, asm);
    assert.equal(dc[0]! & ~W0_COMPRESSED, db[0], `${asm}: op/registers`);
    assert.equal(dc[1], db[1], `${asm}: immediate`);
  }
});

test('reserved and unsupported encodings decode as illegal', () => {
  const illegal = [
    0x0000, // all zeros
    0x0004, // c.addi4spn with nzuimm = 0 (rd' = s1... imm 0)
    0x2001, // c.addiw rd = 0
    0x6101, // c.addi16sp imm = 0
    0x6081, // c.lui ra, 0 (imm = 0)
    0x4002, // c.lwsp rd = 0
    0x6002, // c.ldsp rd = 0
    0x8002, // c.jr x0
    0x8000, // quadrant 0 funct3 = 4 (reserved)
    0x9c41, // c.subw reserved slot (bit12=1, funct2=10)
    0xffffffff,
    0x04159513, // slli with imm[11:6] = 1 (RV64 shamt is 6 bits; funct6 must be 0)
    0x02159513 | 0x40000000, // slli with funct6 = 010000 (reserved)
    0x0205951b, // slliw with bit 25 set
    0x0000a003 | (7 << 12), // load funct3 = 7
    0x00004023, // store funct3 = 4
    0x00002067, // jalr funct3 = 2
    0x00002063, // branch funct3 = 2
    0x1005b52f | (1 << 20), // lr.d with rs2 != 0
    0x06000053, // OP-FP with fmt = 3 (Q: not implemented)
    0x00005053, // fadd.s with the reserved rounding mode 5
    0x00006053, // fadd.s with the reserved rounding mode 6
    0x58100053, // fsqrt.s with rs2 != 0
    0x00200073, // uret (not implemented)
    0x7b200073, // dret
    0x00004073, // csr funct3 = 4
    0x0000300f, // misc-mem funct3 = 3
  ];
  for (const x of illegal) {
    assert.equal(decodeOne(x)[0]! & 0xff, Op.ILLEGAL, `0x${x.toString(16)}`);
    assert.equal(decodeOne(x)[2]! >>> 0, (x & 3) === 3 ? x >>> 0 : x & 0xffff, 'raw bits kept for mtval');
  }
});

test('HINT encodings are legal no-ops writing x0', () => {
  // c.addi x0, 1 ; c.li x0, 1 ; c.mv x0, a0 ; c.add x0, a0 ; c.slli x0, 1 ; c.lui x0, 1
  for (const h of [0x0005, 0x4005, 0x802a, 0x902a, 0x0006, 0x6005]) {
    const d = decodeOne(h);
    assert.notEqual(d[0]! & 0xff, Op.ILLEGAL, `0x${h.toString(16)}`);
    assert.equal((d[0]! >>> 8) & 63, 32, 'rd x0 goes to the sink');
  }
});

test('the test assembler agrees with GNU as on a sample', () => {
  const byText = new Map(data.insns.map((r) => [r.text, parseInt(r.hex, 16) >>> 0]));
  assert.equal(a.lui(reg.a0, 0x12345), byText.get('lui a0,0x12345'));
  assert.equal(a.jalr(reg.ra, reg.a1, 12), byText.get('jalr ra,12(a1)'));
  assert.equal(a.sw(reg.t1, reg.sp, -2048), byText.get('sw t1,-2048(sp)'));
  assert.equal(a.srai(reg.a0, reg.a1, 1), byText.get('srai a0,a1,0x1'));
  assert.equal(a.sraiw(reg.a0, reg.a1, 31), byText.get('sraiw a0,a1,0x1f'));
  assert.equal(a.csrrsi(reg.a0, 0x140, 31), byText.get('csrrsi a0,sscratch,31'));
  assert.equal(a.amo(0x1c, 3, reg.a0, reg.a1, reg.a2), byText.get('amomaxu.d a0,a2,(a1)'));
  assert.equal(a.sfence_vma(reg.a0, reg.a1), byText.get('sfence.vma a0,a1'));
  // Branch to label 0 from pc 0x1c: offset -0x1c.
  assert.equal(a.beq(reg.a0, reg.a1, -0x1c), byText.get('beq a0,a1,0'));
});

test('default disassembly uses objdump aliases', () => {
  assert.equal(disassemble(a.addi(reg.a0, 0, 5), 0), 'li a0,5');
  assert.equal(disassemble(a.addi(0, 0, 0), 0), 'nop');
  assert.equal(disassemble(a.jalr(0, reg.ra, 0), 0), 'ret');
  assert.equal(disassemble(a.csrrs(reg.a0, 0x300, 0), 0), 'csrr a0,mstatus');
  assert.equal(disassemble(a.jal(0, 8), 0x80000000), 'j 80000008');
  assert.equal(disassemble(0x8082, 0), 'ret');
  assert.equal(disassemble(0x00000000, 0), '.insn 0x0');
});

test('pause (Zihintpause, fence w,0) is a fence that says so; other fences are not', async () => {
  const { FENCE_PAUSE } = await import('../../src/cpu/decode.js');
  const pause = decodeOne(0x0100000f);
  assert.equal(pause[0]! & 0xff, Op.FENCE);
  assert.equal(pause[1], FENCE_PAUSE);
  assert.equal(disassemble(0x0100000f, 0), 'pause');
  for (const x of [0x0ff0000f, 0x0330000f, 0x0110000f, 0x8330000f, 0x0100008f]) {
    assert.equal(decodeOne(x)[0]! & 0xff, Op.FENCE, `0x${x.toString(16)}`);
    assert.equal(decodeOne(x)[1], 0, `0x${x.toString(16)} is not pause`);
  }
});
