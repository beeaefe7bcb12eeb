// The trap table: every mcause this hart can raise (exceptions 1-9, 11-13, 15 and the six
// M/S software, timer and external interrupts), from M, S and U mode, with and without
// delegation. Oracle: the privileged ISA 20211203, sections 3.1.6-3.1.9, 3.1.15-3.1.16, 3.3.1 and
// 4.1.1: which mode takes the trap, xEPC, xCAUSE, xTVAL and the xPP/xPIE/xIE updates.
// Cause 0 (instruction address misaligned) cannot occur: C is always on (IALIGN = 16) and misa
// is read-only, so every jump target is 2-byte aligned (jalr clears bit 0). 10 and 14 are reserved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, AMO, reg } from './asm.js';
import { csr, halves, HOLE, makeMachine, RAM_BASE, setCsr, TRAP_VEC, type TestMachine } from './machine.js';
import {
  CSR,
  MSTATUS_MIE,
  MSTATUS_MPIE,
  MSTATUS_MPP,
  MSTATUS_MPRV,
  MSTATUS_SIE,
  MSTATUS_SPIE,
  MSTATUS_SPP,
} from '../../src/cpu/csr.js';

const CODE = RAM_BASE + 0x1000;
const DATA = RAM_BASE + 0x2000;
const STVEC = RAM_BASE + 0x20000;
const ROOT = RAM_BASE + 0x100000;
const UNMAPPED = 0xc000_0000; // gigapage 3: no PTE
const M = 3,
  S = 1,
  U = 0;

/** Sv39 identity gigapages for [0, 1 GiB) and [2 GiB, 3 GiB), user or supervisor. */
function pageTables(m: TestMachine, user: boolean): void {
  const flags = 0x1 | 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | (user ? 0x10 : 0);
  for (let i = 0; i < 512; i++) m.poke64(ROOT + 8 * i, 0n);
  m.poke64(ROOT + 0, (0n << 10n) | BigInt(flags));
  m.poke64(ROOT + 16, (0x80000n << 10n) | BigInt(flags));
}

function reset(m: TestMachine, priv: number): void {
  const h = m.hart;
  h.priv = 3;
  for (const c of [
    CSR.medeleg,
    CSR.mideleg,
    CSR.mie,
    CSR.mip,
    CSR.satp,
    CSR.mepc,
    CSR.sepc,
    CSR.mcause,
    CSR.scause,
    CSR.mtval,
    CSR.stval,
  ])
    setCsr(h, c, 0n);
  for (const l of [3, 7, 9, 11]) h.setPendingLine(l, false);
  setCsr(h, CSR.mtvec, BigInt(TRAP_VEC));
  setCsr(h, CSR.stvec, BigInt(STVEC));
  // PMP entry 0: NAPOT over everything, RWX, so S/U may run.
  setCsr(h, CSR.pmpaddr0, (1n << 54n) - 1n);
  setCsr(h, CSR.pmpcfg0, 0x1fn);
  setCsr(h, CSR.mstatus, BigInt(MSTATUS_MIE | MSTATUS_SIE));
  if (priv !== M) {
    pageTables(m, priv === U);
    setCsr(h, CSR.satp, (8n << 60n) | BigInt(ROOT / 4096));
  }
  m.code(TRAP_VEC, [a.addi(0, 0, 0)]);
  m.code(STVEC, [a.addi(0, 0, 0)]);
  h.priv = priv as 0 | 1 | 3;
  h.flushTlb();
}

interface Case {
  name: string;
  cause: number | ((priv: number) => number);
  /** Privileges this case can be raised from. */
  from: number[];
  /** Place code/state; returns [pc to run at, expected epc, expected tval]. */
  arm(m: TestMachine, priv: number): [number, bigint, bigint];
  interrupt?: boolean;
}

const CASES: Case[] = [
  { name: 'instruction access fault', cause: 1, from: [M, S, U], arm: () => [HOLE, BigInt(HOLE), BigInt(HOLE)] },
  {
    name: 'illegal instruction',
    cause: 2,
    from: [M, S, U],
    arm: (m) => {
      m.code(CODE, [0xffffffff]);
      return [CODE, BigInt(CODE), 0xffffffffn];
    },
  },
  {
    name: 'illegal: CSR above the current privilege',
    cause: 2,
    from: [S, U],
    arm: (m) => {
      const i = a.csrrs(reg.a0, CSR.mstatus, 0);
      m.code(CODE, [i]);
      return [CODE, BigInt(CODE), BigInt(i)];
    },
  },
  {
    name: 'illegal: compressed reserved encoding (tval = 16 bits)',
    cause: 2,
    from: [M, S, U],
    arm: (m) => {
      m.code16(CODE, [0x0000, 0x0001]);
      return [CODE, BigInt(CODE), 0n];
    },
  },
  {
    name: 'breakpoint',
    cause: 3,
    from: [M, S, U],
    arm: (m) => {
      m.code(CODE, [a.ebreak()]);
      return [CODE, BigInt(CODE), 0n];
    },
  },
  {
    name: 'load address misaligned (lr.w)',
    cause: 4,
    from: [M, S, U],
    arm: (m) => {
      m.code(CODE, [a.amo(AMO.lr, 2, reg.a0, reg.a1, 0)]);
      m.hart.writeReg(reg.a1, BigInt(DATA + 2));
      return [CODE, BigInt(CODE), BigInt(DATA + 2)];
    },
  },
  {
    name: 'load access fault',
    cause: 5,
    from: [M, S, U],
    arm: (m) => {
      m.code(CODE, [a.ld(reg.a0, reg.a1, 8)]);
      m.hart.writeReg(reg.a1, BigInt(HOLE));
      return [CODE, BigInt(CODE), BigInt(HOLE + 8)];
    },
  },
  {
    name: 'store/AMO address misaligned (amoadd.d)',
    cause: 6,
    from: [M, S, U],
    arm: (m) => {
      m.code(CODE, [a.amo(AMO.add, 3, reg.a0, reg.a1, reg.a2)]);
      m.hart.writeReg(reg.a1, BigInt(DATA + 4));
      return [CODE, BigInt(CODE), BigInt(DATA + 4)];
    },
  },
  {
    name: 'store access fault',
    cause: 7,
    from: [M, S, U],
    arm: (m) => {
      m.code(CODE, [a.sw(reg.a2, reg.a1, -4)]);
      m.hart.writeReg(reg.a1, BigInt(HOLE + 0x100));
      return [CODE, BigInt(CODE), BigInt(HOLE + 0xfc)];
    },
  },
  {
    name: 'environment call',
    cause: (p) => (p === M ? 11 : p === S ? 9 : 8),
    from: [M, S, U],
    arm: (m) => {
      m.code(CODE, [a.ecall()]);
      return [CODE, BigInt(CODE), 0n];
    },
  },
  {
    name: 'instruction page fault',
    cause: 12,
    from: [S, U],
    arm: () => [UNMAPPED + 0x10, BigInt(UNMAPPED + 0x10), BigInt(UNMAPPED + 0x10)],
  },
  {
    name: 'load page fault',
    cause: 13,
    from: [M, S, U],
    arm: (m, p) => {
      m.code(CODE, [a.lw(reg.a0, reg.a1, 0)]);
      m.hart.writeReg(reg.a1, BigInt(UNMAPPED + 0x40));
      if (p === M) mprvAsS(m);
      return [CODE, BigInt(CODE), BigInt(UNMAPPED + 0x40)];
    },
  },
  {
    name: 'store/AMO page fault',
    cause: 15,
    from: [M, S, U],
    arm: (m, p) => {
      m.code(CODE, [a.sd(reg.a2, reg.a1, 0)]);
      m.hart.writeReg(reg.a1, BigInt(UNMAPPED + 0x80));
      if (p === M) mprvAsS(m);
      return [CODE, BigInt(CODE), BigInt(UNMAPPED + 0x80)];
    },
  },
];

/** From M: loads/stores translated as S through MPRV (the only way M sees page faults). */
function mprvAsS(m: TestMachine): void {
  const h = m.hart;
  pageTables(m, false);
  setCsr(h, CSR.satp, (8n << 60n) | BigInt(ROOT / 4096));
  setCsr(h, CSR.mstatus, csr(h, CSR.mstatus) | BigInt(MSTATUS_MPRV) | (1n << 11n));
}

const privName = ['U', 'S', '?', 'M'];

for (const c of CASES) {
  for (const priv of c.from) {
    for (const deleg of [false, true]) {
      test(`trap: ${c.name} from ${privName[priv]}${deleg ? ', medeleg set' : ''}`, () => {
        const m = makeMachine();
        const h = m.hart;
        reset(m, priv);
        const cause = typeof c.cause === 'number' ? c.cause : c.cause(priv);
        if (deleg) setCsr(h, CSR.medeleg, 1n << BigInt(cause));
        if (deleg && cause === 11) assert.equal(csr(h, CSR.medeleg), 0n, 'ecall from M cannot be delegated');
        h.priv = 3;
        const [pc, epc, tval0] = c.arm(m, priv);
        h.priv = priv as 0 | 1 | 3;
        h.flushTlb();
        // Illegal compressed: tval is the 16 parcel bits (zero here).
        const tval = tval0;
        const msBefore = Number(csr(h, CSR.mstatus));
        m.runAt(pc, 1);
        const toS = deleg && priv !== M;
        assert.equal(h.priv, toS ? S : M, 'handler mode');
        assert.equal(h.pc, toS ? STVEC : TRAP_VEC, 'handler pc');
        const ms = Number(csr(h, CSR.mstatus));
        if (toS) {
          assert.equal(csr(h, CSR.scause), BigInt(cause));
          assert.equal(csr(h, CSR.sepc), epc);
          assert.equal(csr(h, CSR.stval), tval);
          assert.equal(csr(h, CSR.mcause), 0n, 'M CSRs untouched');
          assert.equal((ms & MSTATUS_SPP) !== 0, priv === S, 'SPP');
          assert.equal((ms & MSTATUS_SPIE) !== 0, (msBefore & MSTATUS_SIE) !== 0, 'SPIE = old SIE');
          assert.equal(ms & MSTATUS_SIE, 0, 'SIE cleared');
          assert.equal(ms & MSTATUS_MIE, msBefore & MSTATUS_MIE, 'MIE untouched');
        } else {
          assert.equal(csr(h, CSR.mcause), BigInt(cause));
          assert.equal(csr(h, CSR.mepc), epc);
          assert.equal(csr(h, CSR.mtval), tval);
          assert.equal(csr(h, CSR.scause), 0n, 'S CSRs untouched');
          assert.equal((ms & MSTATUS_MPP) >>> 11, priv, 'MPP = previous privilege');
          assert.equal((ms & MSTATUS_MPIE) !== 0, (msBefore & MSTATUS_MIE) !== 0, 'MPIE = old MIE');
          assert.equal(ms & MSTATUS_MIE, 0, 'MIE cleared');
          assert.equal(ms & MSTATUS_SIE, msBefore & MSTATUS_SIE, 'SIE untouched');
        }
        assert.equal(h.instret, 0, 'a trapping instruction does not retire');
      });
    }
  }
}

test('illegal compressed instruction: tval holds the 16-bit parcel', () => {
  const m = makeMachine();
  reset(m, M);
  m.code16(CODE, [0x6101, 0x0001]); // c.addi16sp sp, 0 (reserved)
  m.runAt(CODE, 1);
  assert.equal(csr(m.hart, CSR.mcause), 2n);
  assert.equal(csr(m.hart, CSR.mtval), 0x6101n);
});

// ---- interrupts ----

const IRQS: { name: string; bit: number; line: boolean }[] = [
  { name: 'S software', bit: 1, line: false },
  { name: 'M software', bit: 3, line: true },
  { name: 'S timer', bit: 5, line: false },
  { name: 'M timer', bit: 7, line: true },
  { name: 'S external', bit: 9, line: true },
  { name: 'M external', bit: 11, line: true },
];

for (const irq of IRQS) {
  for (const priv of [M, S, U]) {
    for (const deleg of [false, true]) {
      test(`interrupt: ${irq.name} (${irq.bit}) in ${privName[priv]}${deleg ? ', mideleg set' : ''}`, () => {
        const m = makeMachine();
        const h = m.hart;
        reset(m, priv);
        h.priv = 3;
        const sLevel = irq.bit === 1 || irq.bit === 5 || irq.bit === 9;
        if (deleg) setCsr(h, CSR.mideleg, 1n << BigInt(irq.bit));
        assert.equal(csr(h, CSR.mideleg), deleg && sLevel ? 1n << BigInt(irq.bit) : 0n, 'only S interrupts delegate');
        setCsr(h, CSR.mie, 1n << BigInt(irq.bit));
        m.code(CODE, [a.addi(0, 0, 0), a.addi(0, 0, 0)]);
        h.priv = priv as 0 | 1 | 3;
        h.flushTlb();
        if (irq.line) h.setPendingLine(irq.bit, true);
        else {
          h.mipSw |= 1 << irq.bit;
        }
        const msBefore = Number(csr(h, CSR.mstatus));
        m.runAt(CODE, 0); // run(0) delivers pending interrupts without executing
        const toS = deleg && sLevel;
        // Taken? M-level: unless in M with MIE=0 (MIE is 1 here). Delegated: never from M.
        const taken = !(toS && priv === M);
        if (!taken) {
          assert.equal(h.pc, CODE, 'delegated interrupt stays pending in M');
          assert.equal(h.priv, M);
          return;
        }
        assert.equal(h.priv, toS ? S : M);
        assert.equal(h.pc, toS ? STVEC : TRAP_VEC, 'handler pc');
        const cause = (1n << 63n) | BigInt(irq.bit);
        const ms = Number(csr(h, CSR.mstatus));
        if (toS) {
          assert.equal(csr(h, CSR.scause), cause);
          assert.equal(csr(h, CSR.sepc), BigInt(CODE));
          assert.equal(csr(h, CSR.stval), 0n);
          assert.equal((ms & MSTATUS_SPP) !== 0, priv === S);
          assert.equal(ms & MSTATUS_SIE, 0);
          assert.equal((ms & MSTATUS_SPIE) !== 0, (msBefore & MSTATUS_SIE) !== 0);
        } else {
          assert.equal(csr(h, CSR.mcause), cause);
          assert.equal(csr(h, CSR.mepc), BigInt(CODE));
          assert.equal(csr(h, CSR.mtval), 0n);
          assert.equal((ms & MSTATUS_MPP) >>> 11, priv);
          assert.equal(ms & MSTATUS_MIE, 0);
          assert.equal((ms & MSTATUS_MPIE) !== 0, true);
        }
      });
    }
  }
}

test('interrupt enables: M-mode with MIE=0 masks M interrupts; S-mode with SIE=0 masks S ones but not M ones', () => {
  const m = makeMachine();
  const h = m.hart;
  reset(m, M);
  setCsr(h, CSR.mstatus, 0n);
  setCsr(h, CSR.mie, 1n << 7n);
  h.setPendingLine(7, true);
  m.code(CODE, [a.addi(0, 0, 0), a.addi(0, 0, 0)]);
  m.runAt(CODE, 2);
  assert.equal(h.pc, CODE + 8, 'masked');
  // S-mode, SIE=0: delegated STI masked, MTI taken (M interrupts are always enabled below M).
  reset(m, S);
  setCsr(h, CSR.mstatus, 0n);
  setCsr(h, CSR.mideleg, 1n << 5n);
  setCsr(h, CSR.mie, 1n << 5n);
  h.mipSw = 1 << 5;
  m.runAt(CODE, 2);
  assert.equal(h.pc, CODE + 8, 'STI masked by SIE=0 in S');
  setCsr(h, CSR.mie, (1n << 5n) | (1n << 7n));
  h.setPendingLine(7, true);
  m.runAt(CODE, 1);
  assert.equal(csr(h, CSR.mcause), (1n << 63n) | 7n);
});

test('interrupt priority: MEI > MSI > MTI > SEI > SSI > STI', () => {
  const m = makeMachine();
  const h = m.hart;
  const order = [11, 3, 7, 9, 1, 5];
  for (let k = 0; k < order.length; k++) {
    reset(m, U);
    h.priv = 3;
    setCsr(h, CSR.mie, 0xaaan);
    for (const b of order.slice(k)) {
      if (b === 1 || b === 5) h.mipSw |= 1 << b;
      else h.setPendingLine(b, true);
    }
    h.priv = 0;
    m.runAt(CODE, 0);
    assert.equal(csr(h, CSR.mcause), (1n << 63n) | BigInt(order[k]!), `highest of ${order.slice(k)}`);
  }
});

test('vectored mtvec/stvec: interrupts go to base + 4*cause, exceptions to base', () => {
  const m = makeMachine();
  const h = m.hart;
  reset(m, U);
  h.priv = 3;
  setCsr(h, CSR.mtvec, BigInt(TRAP_VEC) | 1n);
  setCsr(h, CSR.mie, 1n << 7n);
  m.code(TRAP_VEC + 28, [a.addi(0, 0, 0)]);
  h.setPendingLine(7, true);
  h.priv = 0;
  m.runAt(CODE, 0);
  assert.equal(h.pc, TRAP_VEC + 28);
  h.setPendingLine(7, false);
  h.priv = 0;
  m.code(CODE, [a.ecall()]);
  m.runAt(CODE, 1);
  assert.equal(h.pc, TRAP_VEC);
  // mtvec MODE >= 2 is reserved: the write is ignored (WARL, as QEMU 7.2).
  setCsr(h, CSR.mtvec, 0x80000002n);
  assert.equal(csr(h, CSR.mtvec), BigInt(TRAP_VEC) | 1n);
});

test('mret/sret restore privilege and enables; MPRV cleared when leaving M; TSR makes sret illegal', () => {
  const m = makeMachine();
  const h = m.hart;
  reset(m, M);
  setCsr(h, CSR.mstatus, BigInt(MSTATUS_MPIE | MSTATUS_MPRV) | (1n << 11n)); // MPP = S
  setCsr(h, CSR.mepc, BigInt(CODE + 0x100));
  m.code(CODE, [a.mret()]);
  pageTables(m, false);
  m.runAt(CODE, 1);
  assert.equal(h.priv, S);
  assert.equal(h.pc, CODE + 0x100);
  let ms = Number(csr(h, CSR.mstatus));
  assert.equal(ms & MSTATUS_MIE, MSTATUS_MIE, 'MIE = MPIE');
  assert.equal(ms & MSTATUS_MPIE, MSTATUS_MPIE, 'MPIE = 1');
  assert.equal(ms & MSTATUS_MPP, 0, 'MPP = U');
  assert.equal(ms & MSTATUS_MPRV, 0, 'MPRV cleared');
  // sret from S to U.
  setCsr(h, CSR.mstatus, BigInt(MSTATUS_SPIE));
  setCsr(h, CSR.sepc, BigInt(CODE + 0x200));
  m.code(CODE + 0x100, [a.sret()]);
  m.runAt(CODE + 0x100, 1);
  assert.equal(h.priv, U);
  assert.equal(h.pc, CODE + 0x200);
  ms = Number(csr(h, CSR.mstatus));
  assert.equal(ms & MSTATUS_SIE, MSTATUS_SIE);
  assert.equal(ms & MSTATUS_SPIE, MSTATUS_SPIE);
  // sret in U and mret in S are illegal; sret in S with TSR is illegal.
  m.code(CODE + 0x200, [a.sret()]);
  m.runAt(CODE + 0x200, 1);
  assert.equal(csr(h, CSR.mcause), 2n);
  assert.equal(csr(h, CSR.mtval), BigInt(a.sret()));
  reset(m, S);
  h.priv = 3;
  setCsr(h, CSR.mstatus, 1n << 22n);
  h.priv = 1;
  m.code(CODE, [a.sret()]);
  m.runAt(CODE, 1);
  assert.equal(csr(h, CSR.mcause), 2n, 'TSR');
  reset(m, S);
  m.code(CODE, [a.mret()]);
  m.runAt(CODE, 1);
  assert.equal(csr(h, CSR.mcause), 2n, 'mret from S');
});

test('WFI: returns "wfi" until an enabled interrupt is pending; TW and U-mode make it illegal', () => {
  const m = makeMachine();
  const h = m.hart;
  reset(m, M);
  setCsr(h, CSR.mstatus, 0n); // MIE = 0: WFI still wakes, no trap
  setCsr(h, CSR.mie, 1n << 7n);
  m.code(CODE, [a.wfi(), a.addi(reg.a0, 0, 7)]);
  assert.equal(m.runAt(CODE, 10), 'wfi');
  assert.equal(h.pc, CODE + 4);
  assert.equal(h.run(10), 'wfi', 'still waiting');
  h.setPendingLine(7, true);
  assert.equal(h.run(1), 'limit');
  assert.equal(h.readReg(reg.a0), 7n, 'resumed after wfi without trapping');
  reset(m, S);
  h.priv = 3;
  setCsr(h, CSR.mstatus, 1n << 21n);
  h.priv = 1;
  m.code(CODE, [a.wfi()]);
  m.runAt(CODE, 1);
  assert.equal(csr(h, CSR.mcause), 2n, 'TW=1 in S');
  reset(m, U);
  m.runAt(CODE, 1);
  assert.equal(csr(h, CSR.mcause), 2n, 'U-mode');
});

test('trap CSR halves: mepc keeps bit 63 of a big target; mcause interrupt bit', () => {
  const m = makeMachine();
  const h = m.hart;
  reset(m, M);
  // jalr to 0x8000_0000_0000_0000: instruction access fault with the exact 64-bit epc/tval.
  h.writeReg(reg.a1, 0x8000000000000000n);
  m.code(CODE, [a.jalr(0, reg.a1, 0)]);
  m.runAt(CODE, 2);
  assert.equal(csr(h, CSR.mcause), 1n);
  assert.equal(csr(h, CSR.mepc), 0x8000000000000000n);
  assert.equal(csr(h, CSR.mtval), 0x8000000000000000n);
  assert.equal(halves(h.mepcLo, h.mepcHi), 0x8000000000000000n);
});
