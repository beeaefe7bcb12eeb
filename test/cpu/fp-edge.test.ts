// Every computational F/D instruction on the edge-case vectors of fp-vectors.ts (specials, ties in
// every rounding mode, tininess after rounding, overflow boundaries, conversion limits, exact
// cancellation, plus seeded random operands), run on a hart in both engines and compared with the
// exact-rational oracle (fp-oracle.ts, written independently of src/cpu/fpu.ts and fp-exact.ts):
// the destination register and the exception flags of every vector.
// Scale with CXLEMU_FP_VECTORS (random vectors per mnemonic; default 300).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hart, JIT_DEFAULT } from '../../src/cpu/hart.js';
import { hostFusedMultiplyAdd } from '../../src/cpu/host-fma.js';
import { FP_MNEMONICS, fpOracle, fpSignature, type FpKind } from './fp-oracle.js';
import { fpEdgeVectors } from './fp-vectors.js';
import { makeMachine, RAM_BASE } from './machine.js';

const RANDOM = Number(process.env['CXLEMU_FP_VECTORS'] ?? 300);

/** funct7 (single form) of OP-FP operations; the double form adds 1. */
const FUNCT7: Record<string, number> = {
  fadd: 0x00,
  fsub: 0x04,
  fmul: 0x08,
  fdiv: 0x0c,
  fsqrt: 0x2c,
  fsgnj: 0x10,
  fsgnjn: 0x10,
  fsgnjx: 0x10,
  fmin: 0x14,
  fmax: 0x14,
  feq: 0x50,
  flt: 0x50,
  fle: 0x50,
  fclass: 0x70,
};
const F3: Record<string, number> = { fsgnjn: 1, fsgnjx: 2, fmax: 1, feq: 2, flt: 1, fle: 0, fclass: 1 };
const FUSED: Record<string, number> = { fmadd: 0x43, fmsub: 0x47, fnmsub: 0x4b, fnmadd: 0x4f };
const INT_INDEX: Record<string, number> = { w: 0, wu: 1, l: 2, lu: 3 };

/** Registers the harness uses: rd = 10, rs1 = 11, rs2 = 12, rs3 = 13 (f or x as the operand kind says). */
const RD = 10,
  RS = [11, 12, 13];

/** Encode `mnemonic rd, rs1, rs2, rs3` with rounding mode rm (0..7; ignored by those without one). */
function encode(mnemonic: string, rm: number): number {
  const [base, a, b] = mnemonic.split('.') as [string, string, string?];
  const R = (f7: number, rs2: number, f3: number) =>
    ((f7 << 25) | (rs2 << 20) | (RS[0]! << 15) | (f3 << 12) | (RD << 7) | 0x53) >>> 0;
  if (base in FUSED) {
    const fmt = a === 'd' ? 1 : 0;
    return (
      ((RS[2]! << 27) | (fmt << 25) | (RS[1]! << 20) | (RS[0]! << 15) | (rm << 12) | (RD << 7) | FUSED[base]!) >>> 0
    );
  }
  if (base === 'fmv') {
    // fmv.x.w / fmv.x.d (0x70/0x71), fmv.w.x / fmv.d.x (0x78/0x79)
    if (a === 'x') return R(b === 'd' ? 0x71 : 0x70, 0, 0);
    return R(a === 'd' ? 0x79 : 0x78, 0, 0);
  }
  if (base === 'fcvt') {
    if (a === 's' && b === 'd') return R(0x20, 1, rm);
    if (a === 'd' && b === 's') return R(0x21, 0, rm);
    if (a === 's' || a === 'd') return R(0x68 + (a === 'd' ? 1 : 0), INT_INDEX[b!]!, rm); // int -> float
    return R(0x60 + (b === 'd' ? 1 : 0), INT_INDEX[a]!, rm); // float -> int
  }
  const f7 = FUNCT7[base]! + (a === 'd' ? 1 : 0);
  const rs2 = base === 'fsqrt' || base === 'fclass' ? 0 : RS[1]!;
  const f3 = base in F3 || base === 'fsgnj' || base === 'fmin' ? (F3[base] ?? 0) : rm;
  return R(f7, rs2, f3);
}

function setOperand(h: Hart, kind: FpKind, reg: number, v: bigint): void {
  if (kind === 'x') h.writeReg(reg, v);
  else h.fpu.writeBits(reg, kind === 's' ? v | 0xffffffff00000000n : v);
}

function result(h: Hart, kind: FpKind): bigint {
  if (kind === 'x') return BigInt.asUintN(64, h.readReg(RD));
  const bits = h.fpu.readBits(RD);
  if (kind === 's') {
    assert.equal(bits >> 32n, 0xffffffffn, 'single results are NaN-boxed');
    return bits & 0xffffffffn;
  }
  return bits;
}

// Each engine twice: with fflags clear before every vector, and with NX already set (the state a
// program is in after its first inexact operation, where both engines take shortcuts). The JIT
// with NX set runs fmadd.d both ways: the host's fused multiply-add when the probe found one
// (host-fma.ts), and the emulation.
for (const [engine, nxBefore, hostFma] of [
  ['interpreter', false, false],
  ['jit', false, false],
  ['interpreter', true, false],
  ['jit', true, false],
  ['jit', true, true],
] as const) {
  const label = `${engine}${nxBefore ? ', NX already set' : ''}${engine === 'jit' && nxBefore ? (hostFma ? ', host fma' : ', emulated fma') : ''}`;
  test(`F/D edge vectors match the exact oracle (${label})`, (t) => {
    if (hostFma && !hostFusedMultiplyAdd()) {
      t.skip('this host has no exact fused multiply-add for translated code');
      return;
    }
    if (engine === 'jit' && !JIT_DEFAULT) {
      t.skip('CXLEMU_JIT=0 forces the interpreter');
      return;
    }
    const m = makeMachine();
    const h = new Hart({
      arena: m.arena,
      bus: m.bus,
      hartId: 0,
      resetPc: RAM_BASE,
      jit: engine === 'jit',
      jitThreshold: 1,
      jitHostFma: hostFma,
      noWarmUp: true,
    });
    h.csrWrite(0x300, 1 << 13, 0); // mstatus.FS = Initial
    let vectors = 0;
    FP_MNEMONICS.forEach((mn, index) => {
      const sig = fpSignature(mn);
      // One copy of the instruction per rounding mode, each followed by an illegal word (block end),
      // on a page of its own (rewriting a page of translated code over and over would leave it to
      // the interpreter).
      const at = (rm: number) => RAM_BASE + 0x1000 * (index + 1) + 8 * rm;
      for (let rm = 0; rm < 5; rm++) m.code(at(rm), [encode(mn, rm), 0]);
      let warmed = false;
      for (const v of fpEdgeVectors(mn, RANDOM, 7)) {
        sig.operands.forEach((k, i) => setOperand(h, k, RS[i]!, v.operands[i]!));
        h.fpu.fflags = nxBefore ? 1 : 0;
        h.pc = at(v.rm);
        h.run(1);
        if (!warmed && h.jit) {
          // Translate all five copies now (threshold 1: each was queued when first interpreted).
          for (let rm = 0; rm < 5; rm++) {
            h.pc = at(rm);
            h.run(1);
          }
          h.jit.compileQueued();
          warmed = true;
          sig.operands.forEach((k, i) => setOperand(h, k, RS[i]!, v.operands[i]!));
          h.fpu.fflags = nxBefore ? 1 : 0;
          h.pc = at(v.rm);
          h.run(1);
        }
        assert.equal(h.pc, at(v.rm) + 4, `${mn}: no trap`);
        const want = fpOracle(mn, v.operands, v.rm);
        const got = result(h, sig.result);
        const what = `${mn} rm=${v.rm} (${v.operands.map((o) => `0x${o.toString(16)}`).join(', ')})`;
        assert.equal(`0x${got.toString(16)}`, `0x${want.bits.toString(16)}`, `${what}: result`);
        assert.equal(h.fpu.fflags, want.flags | (nxBefore ? 1 : 0), `${what}: fflags`);
        vectors++;
      }
    });
    t.diagnostic(`${vectors} vectors over ${FP_MNEMONICS.length} instructions`);
    if (h.jit) {
      // Vectors whose instruction ran translated to the end (not left to the interpreter).
      const done = h.jit.instructions;
      t.diagnostic(`translated code completed ${done} of them (the rest: NaNs, directed rounding, ...)`);
      assert.ok(done > vectors / 4, 'most ordinary vectors run in translated code');
    }
  });
}
