// Smaia/Ssaia CSRs. Oracle: RISC-V AIA 1.0 chapter 2 (*iselect/*ireg and the interrupt file behind
// them, *topei, the iprio array) and chapter 6 (mtopi/stopi), with the hart's choices from
// docs/cpu.md (iprio read-only zero, mvien zero).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, reg } from './asm.js';
import { csr, execOne, makeMachine, setCsr, type TestMachine } from './machine.js';
import { CSR, MIP_MTIP, MIP_SEIP } from '../../src/cpu/csr.js';
import { ImsicFile, ISELECT } from '../../src/devices/imsic.js';

const exec = execOne;

function withFiles(): { m: TestMachine; mf: ImsicFile; sf: ImsicFile } {
  const m = makeMachine();
  const mf = new ImsicFile({ out: (l) => m.hart.setPendingLine(11, l) });
  const sf = new ImsicFile({ out: (l) => m.hart.setPendingLine(9, l) });
  m.hart.interruptFiles = { m: mf, s: sf };
  // PMP: let S and U reach everything.
  setCsr(m.hart, CSR.pmpaddr0 + 15, (1n << 54n) - 1n);
  setCsr(m.hart, CSR.pmpcfg0 + 2, 0x1fn << 56n);
  return { m, mf, sf };
}

const AIA_CSRS = [0x150, 0x151, 0x15c, 0xdb0, 0x308, 0x309, 0x350, 0x351, 0x35c, 0xfb0];

test('without interrupt files every AIA CSR is illegal (a PLIC machine)', () => {
  const m = makeMachine();
  for (const c of AIA_CSRS) assert.equal(exec(m, 3, a.csrrs(reg.a0, c, 0)).cause, 2n, `0x${c.toString(16)}`);
});

test('mireg reaches the machine file, sireg the supervisor file; odd iprio and reserved selects are illegal', () => {
  const { m, mf, sf } = withFiles();
  for (const c of AIA_CSRS.filter((c) => c !== CSR.mireg && c !== CSR.sireg))
    assert.equal(exec(m, 3, a.csrrs(reg.a0, c, 0)).cause, -1n, `0x${c.toString(16)}`);
  assert.equal(exec(m, 3, a.csrrs(reg.a0, CSR.mireg, 0)).cause, 2n, 'miselect 0 selects nothing');
  setCsr(m.hart, CSR.miselect, BigInt(ISELECT.eie0));
  exec(m, 3, a.csrrw(reg.a0, CSR.mireg, reg.a1), 1n << 40n);
  assert.equal(mf.enabled(40), true);
  assert.equal(sf.enabled(40), false);
  setCsr(m.hart, CSR.siselect, BigInt(ISELECT.eidelivery));
  assert.equal(exec(m, 1, a.csrrw(reg.a0, CSR.sireg, reg.a1), 1n).cause, -1n, 'S-mode may use sireg');
  setCsr(m.hart, CSR.siselect, BigInt(ISELECT.eidelivery));
  assert.equal(exec(m, 1, a.csrrs(reg.a0, CSR.sireg, 0)).a0, 1n);
  assert.equal(exec(m, 0, a.csrrs(reg.a0, CSR.sireg, 0)).cause, 2n, 'not from U-mode');
  assert.equal(exec(m, 1, a.csrrs(reg.a0, CSR.mireg, 0)).cause, 2n, 'mireg is M-only');
  for (const [sel, cause] of [
    [0x30, -1n],
    [0x31, 2n],
    [0x3e, -1n],
    [0x40, 2n],
    [0x71, 2n],
    [ISELECT.eip0 + 1, 2n],
  ] as const) {
    setCsr(m.hart, CSR.miselect, BigInt(sel));
    const r = exec(m, 3, a.csrrs(reg.a0, CSR.mireg, 0));
    assert.equal(r.cause, cause, `miselect 0x${sel.toString(16)}`);
    if (cause === -1n) assert.equal(r.a0, 0n, 'iprio reads zero');
  }
});

test('stopei reports the top identity; csrrw stopei claims it, raising SEIP until none is left', () => {
  const { m, sf } = withFiles();
  sf.write(ISELECT.eidelivery, 1, 0);
  sf.write(ISELECT.eie0, -1, -1);
  sf.setPending(12);
  sf.setPending(3);
  assert.equal(m.hart.mip & MIP_SEIP, MIP_SEIP);
  assert.equal(exec(m, 1, a.csrrs(reg.a0, CSR.stopei, 0)).a0, (3n << 16n) | 3n, 'read alone does not claim');
  assert.equal(exec(m, 1, a.csrrw(reg.a0, CSR.stopei, 0)).a0, (3n << 16n) | 3n);
  assert.equal(sf.pending(3), false);
  assert.equal(exec(m, 1, a.csrrw(reg.a0, CSR.stopei, 0)).a0, (12n << 16n) | 12n);
  assert.equal(m.hart.mip & MIP_SEIP, 0, 'nothing left: the line falls');
  assert.equal(exec(m, 1, a.csrrw(reg.a0, CSR.stopei, 0)).a0, 0n);
});

test('mtopi and stopi: the top pending-and-enabled major interrupt by the default order, IPRIO 1', () => {
  const { m, sf } = withFiles();
  const h = m.hart;
  assert.equal(csr(h, CSR.mtopi), 0n);
  h.setPendingLine(7, true); // MTIP
  assert.equal(csr(h, CSR.mtopi), 0n, 'not enabled');
  setCsr(h, CSR.mie, BigInt(MIP_MTIP | MIP_SEIP));
  assert.equal(csr(h, CSR.mtopi), (7n << 16n) | 1n);
  sf.write(ISELECT.eidelivery, 1, 0);
  sf.write(ISELECT.eie0, 2, 0);
  sf.setPending(1);
  assert.equal(csr(h, CSR.mtopi), (7n << 16n) | 1n, 'MTI ranks above SEI');
  setCsr(h, CSR.mideleg, BigInt(MIP_SEIP));
  assert.equal(csr(h, CSR.stopi), (9n << 16n) | 1n);
  assert.equal(csr(h, CSR.mtopi), (7n << 16n) | 1n, 'delegated interrupts leave mtopi');
  h.setPendingLine(7, false);
  assert.equal(csr(h, CSR.mtopi), 0n);
  assert.equal(exec(m, 1, a.csrrw(reg.a0, CSR.stopi, reg.a1)).cause, 2n, 'stopi is read-only');
});

test('mvip aliases mip bits 1, 5, 9 (mvien is zero); miselect is WARL', () => {
  const { m } = withFiles();
  const h = m.hart;
  setCsr(h, CSR.mvip, 0xffffn);
  assert.equal(csr(h, CSR.mip) & 0x222n, 0x222n);
  assert.equal(csr(h, CSR.mvip), 0x222n);
  setCsr(h, CSR.mvien, 0xffffn);
  assert.equal(csr(h, CSR.mvien), 0n);
  setCsr(h, CSR.miselect, 0x12345n);
  assert.equal(csr(h, CSR.miselect), 0x345n);
});
