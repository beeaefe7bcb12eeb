// CSR behaviour and PMP. Oracle: privileged ISA 20211203 (2.1 CSR address rules, 3.1 machine
// CSRs, 3.7 PMP, 4.1 supervisor CSRs) and the Zicntr chapter of the unprivileged ISA; WARL
// choices as documented in docs/cpu.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, reg } from './asm.js';
import { csr, execOne, makeMachine, RAM_BASE, setCsr, type TestMachine } from './machine.js';
import { CSR } from '../../src/cpu/csr.js';

const CODE = RAM_BASE + 0x1000;
const exec = execOne;

function allowAll(m: TestMachine): void {
  setCsr(m.hart, CSR.pmpaddr0 + 15, (1n << 54n) - 1n);
  setCsr(m.hart, CSR.pmpcfg0 + 2, 0x1fn << 56n);
}

test('machine identity and read-only CSRs', () => {
  const m = makeMachine();
  const h = m.hart;
  assert.equal(csr(h, CSR.misa), (2n << 62n) | 0x14112dn, 'RV64 ACDFIMSU');
  setCsr(h, CSR.misa, 0n);
  assert.equal(csr(h, CSR.misa), (2n << 62n) | 0x14112dn, 'misa is WARL read-only');
  for (const c of [CSR.mvendorid, CSR.marchid, CSR.mimpid, CSR.mhartid, CSR.mconfigptr]) assert.equal(csr(h, c), 0n);
  assert.equal(exec(m, 3, a.csrrw(reg.a0, CSR.mhartid, reg.a1)).cause, 2n, 'writing a read-only CSR is illegal');
  assert.equal(exec(m, 3, a.csrrs(reg.a0, CSR.mhartid, 0)).cause, -1n, 'csrrs with x0 does not write');
  assert.equal(exec(m, 3, a.csrrsi(reg.a0, CSR.mhartid, 0)).cause, -1n);
  assert.equal(exec(m, 3, a.csrrsi(reg.a0, CSR.mhartid, 1)).cause, 2n);
  for (const c of [0x3a1, 0x3a3, 0x3a5, 0x3af, 0x310, 0x5a8, 0xfff]) {
    assert.equal(exec(m, 3, a.csrrs(reg.a0, c, 0)).cause, 2n, `csr 0x${c.toString(16)} does not exist`);
  }
  // fflags, frm, fcsr exist, but are illegal while mstatus.FS is Off (its reset value).
  for (const c of [0x001, 0x002, 0x003]) assert.equal(exec(m, 3, a.csrrs(reg.a0, c, 0)).cause, 2n);
  setCsr(h, CSR.mstatus, 1n << 13n);
  for (const c of [0x001, 0x002, 0x003]) assert.equal(exec(m, 3, a.csrrs(reg.a0, c, 0)).cause, -1n);
  // The Sdtrig CSRs exist in M-mode (triggers.ts; guests/isa/sdtrig.c checks their values).
  for (const c of [0x7a0, 0x7a1, 0x7a2, 0x7a3, 0x7a4]) assert.equal(exec(m, 3, a.csrrs(reg.a0, c, 0)).cause, -1n);
  allowAll(m);
  assert.equal(exec(m, 1, a.csrrs(reg.a0, 0x7a0, 0)).cause, 2n, 'tselect is not an S-mode CSR');
});

test('mstatus WARL: writable fields, UXL/SXL = 2, FS writable with SD, VS/XS zero, MPP=2 keeps the old value; sstatus is a view', () => {
  const m = makeMachine();
  const h = m.hart;
  setCsr(h, CSR.mstatus, -1n);
  const ms = csr(h, CSR.mstatus);
  assert.equal(ms, 0x8000000a_007e79aan, 'all writable bits set; MPP = 3; FS = Dirty, so SD');
  setCsr(h, CSR.mstatus, 2n << 13n);
  assert.equal(csr(h, CSR.mstatus), 0xa_00004000n, 'FS = Clean: no SD');
  setCsr(h, CSR.mstatus, -1n);
  setCsr(h, CSR.mstatus, 2n << 11n);
  assert.equal((csr(h, CSR.mstatus) >> 11n) & 3n, 3n, 'MPP = 2 (reserved) keeps MPP');
  setCsr(h, CSR.mstatus, 1n << 11n);
  assert.equal((csr(h, CSR.mstatus) >> 11n) & 3n, 1n);
  setCsr(h, CSR.mstatus, -1n);
  assert.equal(csr(h, CSR.sstatus), 0x80000002_000c6122n, 'SIE SPIE SPP SUM MXR FS, UXL = 2, SD');
  setCsr(h, CSR.sstatus, 0n);
  assert.equal(csr(h, CSR.mstatus), 0xa_00721888n, 'sstatus write clears only S fields');
});

test('mie/mip/mideleg and the sie/sip aliases', () => {
  const m = makeMachine();
  const h = m.hart;
  setCsr(h, CSR.mie, -1n);
  assert.equal(csr(h, CSR.mie), 0xaaan);
  setCsr(h, CSR.mideleg, -1n);
  assert.equal(csr(h, CSR.mideleg), 0x222n, 'only SSI/STI/SEI delegate');
  setCsr(h, CSR.mip, -1n);
  assert.equal(csr(h, CSR.mip), 0x222n, 'M may write SSIP/STIP/SEIP; MSIP/MTIP/MEIP are lines');
  h.setPendingLine(7, true);
  h.setPendingLine(9, true);
  assert.equal(csr(h, CSR.mip), 0x2a2n);
  setCsr(h, CSR.mip, 0n);
  assert.equal(csr(h, CSR.mip), 0x280n, 'SEIP line stays visible after clearing the software bit');
  assert.equal(csr(h, CSR.sip), 0x200n);
  assert.equal(csr(h, CSR.sie), 0x222n);
  setCsr(h, CSR.sip, -1n);
  assert.equal(csr(h, CSR.mip) & 0x222n, 0x202n, 'sip writes SSIP only');
  setCsr(h, CSR.mideleg, 0x20n);
  assert.equal(csr(h, CSR.sie), 0x20n, 'sie shows delegated bits only');
  setCsr(h, CSR.sie, 0n);
  assert.equal(csr(h, CSR.mie), 0xa8an, 'sie writes delegated bits only');
  setCsr(h, CSR.medeleg, -1n);
  assert.equal(csr(h, CSR.medeleg), 0xb3ffn, 'ecall-from-M and reserved causes are not delegable');
});

test('xepc clears bit 0; xtvec keeps MODE 0/1; scratch, cause and tval hold 64 bits; envcfg fields', () => {
  const m = makeMachine();
  const h = m.hart;
  setCsr(h, CSR.mepc, 0xffff_ffff_ffff_ffffn);
  assert.equal(csr(h, CSR.mepc), 0xffff_ffff_ffff_fffen);
  setCsr(h, CSR.sepc, 3n);
  assert.equal(csr(h, CSR.sepc), 2n);
  setCsr(h, CSR.stvec, 0x1234_5678_9abc_def1n);
  assert.equal(csr(h, CSR.stvec), 0x1234_5678_9abc_def1n);
  setCsr(h, CSR.stvec, 3n);
  assert.equal(csr(h, CSR.stvec), 0x1234_5678_9abc_def1n, 'MODE 3 write ignored');
  for (const c of [CSR.mscratch, CSR.sscratch, CSR.mtval, CSR.stval, CSR.mcause, CSR.scause]) {
    setCsr(h, c, 0x8765_4321_0fed_cba9n);
    assert.equal(csr(h, c), 0x8765_4321_0fed_cba9n);
  }
  // envcfg: FIOM, CBIE, CBCFE, CBZE; menvcfg also PBMTE and STCE (ext-privileged.test.ts).
  setCsr(h, CSR.menvcfg, -1n);
  assert.equal(csr(h, CSR.menvcfg), 0xc0000000_000000f1n);
  setCsr(h, CSR.senvcfg, -1n);
  assert.equal(csr(h, CSR.senvcfg), 0xf1n);
});

test('privilege rules: S cannot touch M CSRs, U cannot touch S CSRs', () => {
  const m = makeMachine();
  allowAll(m);
  assert.equal(exec(m, 1, a.csrrs(reg.a0, CSR.mstatus, 0)).cause, 2n);
  assert.equal(exec(m, 1, a.csrrs(reg.a0, CSR.sstatus, 0)).cause, -1n);
  assert.equal(exec(m, 0, a.csrrs(reg.a0, CSR.sstatus, 0)).cause, 2n);
  assert.equal(exec(m, 0, a.csrrs(reg.a0, CSR.sscratch, 0)).cause, 2n);
});

test('Zicntr: cycle/instret count instructions; counteren gates S/U; mcountinhibit freezes; writes', () => {
  const m = makeMachine();
  const h = m.hart;
  allowAll(m);
  // nop x3 then csrr a0, minstret ; csrr a1, mcycle
  m.code(CODE, [
    a.addi(0, 0, 0),
    a.addi(0, 0, 0),
    a.addi(0, 0, 0),
    a.csrrs(reg.a0, CSR.minstret, 0),
    a.csrrs(reg.a1, CSR.mcycle, 0),
    a.csrrs(reg.a2, CSR.instret, 0),
  ]);
  const before = h.instret;
  m.runAt(CODE, 6);
  assert.equal(h.readReg(reg.a0), BigInt(before + 3), 'minstret counts retired instructions before this one');
  assert.equal(h.readReg(reg.a2), BigInt(before + 5));
  // Write minstret: the next read sees the value written plus what retired after the write.
  m.code(CODE, [
    a.csrrw(0, CSR.minstret, reg.a3),
    a.csrrs(reg.a0, CSR.minstret, 0),
    a.addi(0, 0, 0),
    a.csrrs(reg.a1, CSR.minstret, 0),
  ]);
  h.writeReg(reg.a3, 1000n);
  m.runAt(CODE, 4);
  assert.equal(h.readReg(reg.a0), 1000n);
  assert.equal(h.readReg(reg.a1), 1002n);
  // mcountinhibit.IR freezes minstret.
  m.code(CODE, [
    a.csrrwi(0, CSR.mcountinhibit, 5),
    a.csrrs(reg.a0, CSR.minstret, 0),
    a.addi(0, 0, 0),
    a.csrrs(reg.a1, CSR.minstret, 0),
  ]);
  m.runAt(CODE, 4);
  assert.equal(h.readReg(reg.a0), h.readReg(reg.a1), 'frozen');
  assert.equal(csr(h, CSR.mcountinhibit), 5n);
  setCsr(h, CSR.mcountinhibit, -1n);
  assert.equal(csr(h, CSR.mcountinhibit), 0xfffffffdn, 'TM bit is read-only zero');
  setCsr(h, CSR.mcountinhibit, 0n);
  // time reads the board's mtime.
  h.getTime = () => 0x1_2345_6789;
  assert.equal(exec(m, 3, a.csrrs(reg.a0, CSR.time, 0)).a0, 0x1_2345_6789n);
  // counteren: S needs mcounteren; U needs both.
  setCsr(h, CSR.mcounteren, 0n);
  setCsr(h, CSR.scounteren, 0n);
  assert.equal(exec(m, 1, a.csrrs(reg.a0, CSR.cycle, 0)).cause, 2n);
  setCsr(h, CSR.mcounteren, 7n);
  assert.equal(exec(m, 1, a.csrrs(reg.a0, CSR.time, 0)).cause, -1n);
  assert.equal(exec(m, 0, a.csrrs(reg.a0, CSR.time, 0)).cause, 2n);
  setCsr(h, CSR.scounteren, 2n);
  assert.equal(exec(m, 0, a.csrrs(reg.a0, CSR.time, 0)).cause, -1n);
  assert.equal(exec(m, 0, a.csrrs(reg.a0, CSR.instret, 0)).cause, 2n);
  assert.equal(exec(m, 1, a.csrrw(reg.a0, CSR.cycle, reg.a1)).cause, 2n, 'user counters are read-only');
  // hpm counters and events read zero.
  setCsr(h, 0xb03, 5n);
  assert.equal(csr(h, 0xb03), 0n);
  assert.equal(csr(h, 0x323), 0n);
  assert.equal(csr(h, 0xc1f), 0n);
});

test('PMP CSRs: pmpcfg0/2 pack eight entries; higher pmpaddr/pmpcfg read zero; lock freezes entries', () => {
  const m = makeMachine();
  const h = m.hart;
  setCsr(h, CSR.pmpcfg0, 0x0706_0504_0302_0100n | 0x6060_6060_6060_6060n);
  assert.equal(csr(h, CSR.pmpcfg0), 0x0706_0504_0302_0100n, 'bits 6:5 of each byte are zero');
  setCsr(h, CSR.pmpaddr0 + 3, -1n);
  assert.equal(csr(h, CSR.pmpaddr0 + 3), (1n << 54n) - 1n, 'pmpaddr holds bits 55:2');
  for (const c of [0x3c0, 0x3ef, 0x3a4, 0x3ae]) {
    setCsr(h, c, -1n);
    assert.equal(csr(h, c), 0n, `0x${c.toString(16)} reads zero`);
  }
  // Lock entry 9 (TOR): its cfg and pmpaddr8/9 are frozen.
  setCsr(h, CSR.pmpaddr0 + 8, 0x100n);
  setCsr(h, CSR.pmpaddr0 + 9, 0x200n);
  setCsr(h, CSR.pmpcfg0 + 2, 0x8b00n); // entry 9: L, TOR, R W... 0x8b = L | TOR(1<<3) | R | W
  setCsr(h, CSR.pmpcfg0 + 2, 0n);
  assert.equal(csr(h, CSR.pmpcfg0 + 2), 0x8b00n, 'locked cfg ignores writes');
  setCsr(h, CSR.pmpaddr0 + 9, 0x300n);
  setCsr(h, CSR.pmpaddr0 + 8, 0x300n);
  assert.equal(csr(h, CSR.pmpaddr0 + 9), 0x200n);
  assert.equal(csr(h, CSR.pmpaddr0 + 8), 0x100n, 'TOR base of a locked entry is frozen');
});

test('PMP enforcement: TOR, NA4, NAPOT, priority, partial matches, default deny for S/U, locked entries bind M', () => {
  const m = makeMachine();
  const h = m.hart;
  const DATA = RAM_BASE + 0x10000;
  const ld = (priv: 0 | 1 | 3, addr: number) => exec(m, priv, a.lw(reg.a0, reg.a1, 0), BigInt(addr)).cause;
  const sd = (priv: 0 | 1 | 3, addr: number) => exec(m, priv, a.sw(reg.a0, reg.a1, 0), BigInt(addr)).cause;
  // No entry active: M allowed, S denied (16 entries implemented).
  assert.equal(ld(3, DATA), -1n);
  assert.equal(ld(1, CODE), 1n, 'S fetch denied with no matching entry');
  // entry 0: NA4 at DATA (R only); entry 1: TOR [DATA+0x1000, DATA+0x2000) RW; entry 15: NAPOT all RWX.
  setCsr(h, CSR.pmpaddr0, BigInt(DATA / 4));
  setCsr(h, CSR.pmpaddr0 + 1, BigInt((DATA + 0x1000) / 4));
  setCsr(h, CSR.pmpaddr0 + 2, BigInt((DATA + 0x2000) / 4));
  allowAll(m);
  setCsr(h, CSR.pmpcfg0, (0x0bn << 16n) | (0x00n << 8n) | 0x11n); // e0 NA4 R; e1 OFF; e2 TOR RW (base = pmpaddr1)
  assert.equal(ld(1, DATA), -1n, 'NA4 R allows load');
  assert.equal(sd(1, DATA), 7n, 'NA4 R denies store');
  assert.equal(ld(1, DATA + 4), -1n, 'outside NA4: falls to entry 15');
  assert.equal(ld(1, DATA - 4), -1n, 'outside NA4: falls to entry 15');
  assert.equal(
    exec(m, 1, a.lw(reg.a0, reg.a1, 0), BigInt(DATA + 2)).cause,
    5n,
    'misaligned lw partially inside NA4 fails',
  );
  assert.equal(
    exec(m, 1, a.ld(reg.a0, reg.a1, 0), BigInt(DATA)).cause,
    5n,
    'ld covering NA4 and more: partial match fails',
  );
  assert.equal(sd(1, DATA + 0x1800), -1n, 'TOR RW');
  setCsr(h, CSR.pmpcfg0, (0x09n << 16n) | 0x11n); // e2 TOR R only
  assert.equal(sd(1, DATA + 0x1800), 7n);
  assert.equal(sd(0, DATA + 0x2000), -1n, 'TOR end is exclusive');
  // NAPOT 64 KiB at RAM_BASE + 0x20000 execute-only for U.
  setCsr(h, CSR.pmpaddr0 + 3, BigInt((RAM_BASE + 0x20000) / 4) | 0x1fffn);
  setCsr(h, CSR.pmpcfg0, (0x1cn << 24n) | (0x09n << 16n) | 0x11n);
  assert.equal(ld(0, RAM_BASE + 0x2fffc), 5n, 'NAPOT X-only denies loads');
  assert.equal(ld(0, RAM_BASE + 0x30000), -1n, 'just past the NAPOT region');
  // M-mode ignores unlocked entries, obeys locked ones.
  assert.equal(sd(3, DATA), -1n);
  setCsr(h, CSR.pmpcfg0, (0x1cn << 24n) | (0x09n << 16n) | 0x91n); // e0 locked NA4 R
  assert.equal(sd(3, DATA), 7n, 'locked entry binds M');
  assert.equal(ld(3, DATA), -1n);
});

test('mip.SEIP: reads OR the PLIC line, but CSRRC/CSRRS modify only the software bit (priv 3.1.9)', () => {
  const m = makeMachine();
  const h = m.hart;
  const SEIP = 1n << 9n;
  const STIP = 1n << 5n;
  setCsr(h, CSR.mip, STIP);
  h.setPendingLine(9, true); // the PLIC raises the S-mode external line
  assert.equal(csr(h, CSR.mip) & SEIP, SEIP, 'the line shows in mip');
  // OpenSBI clears STIP with csrrc while the line is high: that must not latch SEIP in software.
  const r = exec(m, 3, a.csrrc(reg.a0, CSR.mip, reg.a1), STIP);
  assert.equal(r.cause, -1n);
  assert.equal(r.a0 & (SEIP | STIP), SEIP | STIP, 'rd gets the OR of line and software bits');
  h.setPendingLine(9, false);
  assert.equal(csr(h, CSR.mip) & (SEIP | STIP), 0n, 'line low and software bit never set: SEIP clear');
  // csrrs of another bit with the line high leaves the software SEIP clear too.
  h.setPendingLine(9, true);
  exec(m, 3, a.csrrs(reg.a0, CSR.mip, reg.a1), STIP);
  h.setPendingLine(9, false);
  assert.equal(csr(h, CSR.mip) & (SEIP | STIP), STIP);
  // A CSRRW does set the software bit: then SEIP stays with the line low.
  exec(m, 3, a.csrrw(reg.a0, CSR.mip, reg.a1), SEIP);
  assert.equal(csr(h, CSR.mip) & SEIP, SEIP);
});
