// Test fixture for CPU tests: a real Arena + AddressSpace with RAM at 0x8000_0000, a byte-array
// MMIO device at 0x1000_0000 (which logs accesses and can hold code) and nothing at 0x2000_0000
// (access faults). Fakes stay tiny (STYLE habit 13).

import {
  AddressSpace,
  Arena,
  BackingStore,
  type MmioOps,
  type RouteResult,
  type WindowRouter,
} from '../../src/memory/index.js';
import { test } from 'node:test';
import { Hart, type HartOptions, JIT_DEFAULT } from '../../src/cpu/hart.js';

export const RAM_BASE = 0x8000_0000;
export const MMIO_BASE = 0x1000_0000;
export const MMIO_SIZE = 0x2000;
export const HOLE = 0x2000_0000;
/** Default trap vector used by tests (RAM_BASE + 64 KiB). */
export const TRAP_VEC = RAM_BASE + 0x10000;

export interface TestMachine {
  arena: Arena;
  bus: AddressSpace;
  hart: Hart;
  mmioBytes: Uint8Array;
  mmioLog: string[];
  /** Write 32-bit words at addr. */
  code(addr: number, words: number[]): void;
  /** Write 16-bit parcels at addr. */
  code16(addr: number, halves: number[]): void;
  poke64(addr: number, v: bigint): void;
  peek64(addr: number): bigint;
  peek32(addr: number): number;
  /** Set pc, run n instructions, return the stop reason. */
  runAt(pc: number, n: number): string;
}

/** The fixture; `hart` adds to (or overrides) the options its hart is built with. */
export function makeMachine(opts: { ramBytes?: number; hart?: Partial<HartOptions> } = {}): TestMachine {
  const arena = new Arena({ bytes: 32 << 20 });
  const bus = new AddressSpace(arena);
  const ram = new BackingStore(arena, { name: 'ram', size: opts.ramBytes ?? 8 << 20 });
  const mmioBytes = new Uint8Array(MMIO_SIZE);
  const mmioLog: string[] = [];
  const ops: MmioOps = {
    valid: { min: 1, max: 8, unaligned: true },
    impl: { min: 1, max: 4 },
    read(off, size) {
      mmioLog.push(`r${size}@${off.toString(16)}`);
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + mmioBytes[off + i]!;
      return v;
    },
    write(off, size, value) {
      mmioLog.push(`w${size}@${off.toString(16)}=${value.toString(16)}`);
      for (let i = 0; i < size; i++) mmioBytes[off + i] = (value >>> (8 * i)) & 0xff;
    },
  };
  bus.begin();
  bus.ram('ram', RAM_BASE, ram);
  bus.mmio('testdev', MMIO_BASE, MMIO_SIZE, ops);
  bus.commit();
  const hart = new Hart({ arena, bus, hartId: 0, resetPc: RAM_BASE, ...opts.hart });
  hart.mtvecLo = TRAP_VEC | 0;
  const m: TestMachine = {
    arena,
    bus,
    hart,
    mmioBytes,
    mmioLog,
    code(addr, words) {
      words.forEach((w, i) => bus.store(addr + 4 * i, 4, w >>> 0));
    },
    code16(addr, halves) {
      halves.forEach((h, i) => bus.store(addr + 2 * i, 2, h & 0xffff));
    },
    poke64(addr, v) {
      const u = BigInt.asUintN(64, v);
      bus.store(addr, 8, Number(u & 0xffffffffn), Number(u >> 32n));
    },
    peek64(addr) {
      const lo = bus.load(addr, 8);
      return (BigInt(bus.hi >>> 0) << 32n) | BigInt(lo >>> 0);
    },
    peek32(addr) {
      return bus.load(addr, 4) >>> 0;
    },
    runAt(pc, n) {
      hart.pc = pc;
      return hart.run(n);
    },
  };
  return m;
}

/** mcause/scause etc. as bigint from the hart's halves. */
export function halves(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Read a CSR through the hart's CSR file (M-mode view, ignoring privilege). */
export function csr(h: Hart, n: number): bigint {
  const o = { lo: 0, hi: 0 };
  const p = h.priv;
  h.priv = 3;
  const ok = h.csrRead(n, o);
  h.priv = p;
  if (!ok) throw new Error(`csr 0x${n.toString(16)} does not exist`);
  return halves(o.lo, o.hi);
}

/** Write a CSR as M-mode would (the Zicsr write rules, without an instruction). */
export function setCsr(h: Hart, n: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  const p = h.priv;
  h.priv = 3;
  h.csrWrite(n, Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
  h.priv = p;
}

/**
 * Execute one instruction at RAM_BASE + 0x1000 in privilege `priv` with a1 = `a1`; returns the
 * trap cause (-1n for none, read from mcause) and a0.
 */
export function execOne(m: TestMachine, priv: 0 | 1 | 3, insn: number, a1 = 0n): { cause: bigint; a0: bigint } {
  const h = m.hart;
  const at = RAM_BASE + 0x1000;
  h.priv = 3;
  setCsr(h, 0x342, 0xffn); // mcause
  m.code(at, [insn]);
  h.writeReg(11, a1);
  h.priv = priv;
  h.flushTlb();
  m.runAt(at, 1);
  const c = csr(h, 0x342);
  return { cause: c === 0xffn ? -1n : c, a0: h.readReg(10) };
}

/**
 * The fine-interleave tests' window: 2 ways of 256 B granules from `base` over two stores (granule
 * g goes to devs[g % 2] at offset floor(g / 2) * 256), as a CXL region's decode would send it.
 */
export function twoWayRouter(base: number, devs: readonly BackingStore[]): WindowRouter {
  return {
    resolve(hpa: number, out: RouteResult): boolean {
      const off = hpa - base;
      const g = Math.floor(off / 256);
      out.store = devs[g % 2]!;
      out.offset = Math.floor(g / 2) * 256 + (off % 256);
      out.run = 256 - (off % 256);
      return true;
    },
  };
}

/** Run `h` in slices of `slice` instructions, compiling what its JIT queued after each, until its pc is `pc` (at most `rounds` slices). */
export function runToPc(h: Hart, pc: number, rounds = 50, slice = 1000): void {
  for (let k = 0; k < rounds && h.pc !== pc; k++) {
    h.run(slice);
    h.jit?.compileQueued();
  }
}

/** A test that needs a JIT hart: skipped when CXLEMU_JIT=0 forces the interpreter everywhere. */
export function jitTest(name: string, fn: () => void): void {
  test(name, (t) => {
    if (!JIT_DEFAULT) {
      t.skip('CXLEMU_JIT=0 forces the interpreter');
      return;
    }
    fn();
  });
}

/** A hart's architectural state as one string (pc, instret, mcause, mtval, x0..x31), for lockstep comparisons. */
export function regs(h: Hart): string {
  const r: string[] = [];
  for (let k = 0; k < 32; k++) r.push(h.readReg(k).toString(16));
  return `pc=${h.pc.toString(16)} instret=${h.instret} mcause=${h.mcauseLo} mtval=${(h.mtvalLo >>> 0).toString(16)}/${h.mtvalHi} ${r.join(',')}`;
}

/** An Sv39 PTE mapping the physical page of pa with flags. */
export const pte = (pa: number, flags: number): bigint => (BigInt(Math.floor(pa / 4096)) << 10n) | BigInt(flags);

/**
 * Two machines of the same shape, for lockstep runs: `i` with an interpreting hart, `j` with a
 * translating one (JIT threshold and loop runner as given); both trap to TRAP_VEC, and `setup`
 * runs on each.
 */
export function enginePair(
  setup: (m: TestMachine) => void,
  opts: { jitThreshold?: number; jitLoopRunner?: boolean } = {},
): { i: TestMachine; j: TestMachine } {
  const out: TestMachine[] = [];
  for (const jit of [false, true]) {
    const m = makeMachine({ hart: { jit, ...(jit ? opts : {}), noWarmUp: true } });
    setup(m);
    out.push(m);
  }
  return { i: out[0]!, j: out[1]! };
}
