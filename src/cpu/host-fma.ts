// Whether this host gives translated code an exact fused multiply-add. WebAssembly 2.0 has none;
// relaxed SIMD's f64x2.relaxed_madd (V8: behind --experimental-wasm-relaxed-simd in Node 20) is
// "fused or not, as the hardware does". On a host with FMA it is fused, and a fused multiply-add
// is exactly IEEE's one rounding of a*b + c: the same result as the emulation (jit-fp.ts
// fma_nearest), so runs stay identical across hosts. A probe decides once per process: the
// product's low bits must reach the sum, on vectors where an unfused a*b + c differs.
// CXLEMU_HOST_FMA=0 turns it off (the tests run the emulation too).

import v8 from 'node:v8';
import { ModuleBuilder, ValType } from './wasm/module-builder.js';
import { Wasm } from './wasm/wasm-api.js';

let cached: boolean | undefined;

/** Vectors (a, b, c, the fused result) on which a*b + c with two roundings gives another answer. */
const PROBES: [number, number, number, number][] = [
  [1 + 2 ** -30, 1 - 2 ** -30, -1, -(2 ** -60)],
  [1 + 2 ** -52, 1 + 2 ** -52, -1, 2 ** -51 + 2 ** -104],
  [0.1, 10, -1, 5.551115123125783e-17],
];

export function hostFusedMultiplyAdd(): boolean {
  if (cached !== undefined) return cached;
  cached = false;
  if (process.env['CXLEMU_HOST_FMA'] === '0') return false;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    const m = new ModuleBuilder();
    const f = m.function('fma', [ValType.f64, ValType.f64, ValType.f64], [ValType.f64]);
    f.localGet(0).f64x2Splat().localGet(1).f64x2Splat().localGet(2).f64x2Splat();
    f.f64x2RelaxedMadd().f64x2ExtractLane(0);
    m.exportFunction('fma', f);
    const fma = new Wasm.Instance(new Wasm.Module(m.toBytes())).exports['fma'] as (
      a: number,
      b: number,
      c: number,
    ) => number;
    cached = PROBES.every(([a, b, c, want]) => Object.is(fma(a, b, c), want));
  } catch {
    cached = false; // no relaxed SIMD in this engine: the emulation
  }
  return cached;
}
