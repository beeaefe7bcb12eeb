// How V8 tiers translated code. Every module starts in Liftoff (V8's baseline compiler) and a
// function moves to TurboFan once it has spent its tiering budget (roughly: bytes of wasm code
// executed). V8's default budget (1.8 M) suits a program's own few hot functions; our modules are
// thousands of guest blocks, most of them warm rather than hot (a Linux boot runs 8,800 translated
// blocks a few hundred times each), and at that budget TurboFan recompiled hundreds of region
// functions that never repaid it: measured on the Linux boot (one hart, 3 runs each, this 2-core
// machine), 3.6-4.2 s at the default, 2.9-3.2 s at 200 M, 2.7-3.1 s with Liftoff only. The CPU
// suite's long-running kernels still reach TurboFan within milliseconds at 200 M (unchanged
// within noise; Liftoff only made them 30-45 % slower). docs/jit.md "Tiering".
// CXLEMU_WASM_TIERING_BUDGET=N sets another budget (V8's default: 1800000).
// Also on: V8's reading of branch hints (the branch-hinting proposal's custom section, which every
// translated module carries: module-builder.ts ifHinted), so TurboFan keeps the unlikely arms
// (slow TLB probes, exits) and their spills out of the hot path. docs/jit.md "The TLB probe".
// And eager Liftoff: a module's functions compile when it does (V8 spreads that over its
// background thread and this one) instead of each at its first call on this thread. Every
// function of a translated module is a region of blocks that were hot, so nearly all of them run;
// compiled lazily, a Linux boot spent about 135 ms in the dispatcher's lazy compiles, against
// 110 ms more in the module constructors eagerly. Linux boot, one hart: wall 0.917, 0.964, 0.984
// (14, 14 and 30 pairs); two harts 1.00 (20 pairs); suite-codegen 0.98, suite-interp 0.99.
// Flags set after start-up (as host-fma.ts does for relaxed SIMD) apply to what compiles after.

import v8 from 'node:v8';

/** The budget cxlemu sets (see above). */
export const WASM_TIERING_BUDGET = 200_000_000;

let configured = false;

/** Set V8's wasm tiering budget, branch hinting and eager Liftoff once per process, before the first translated module compiles. */
export function configureWasmTiering(): void {
  if (configured) return;
  configured = true;
  const env = process.env['CXLEMU_WASM_TIERING_BUDGET'];
  const n = env !== undefined && /^[1-9][0-9]{0,11}$/.test(env) ? Number(env) : WASM_TIERING_BUDGET;
  v8.setFlagsFromString(`--wasm-tiering-budget=${n}`);
  v8.setFlagsFromString('--experimental-wasm-branch-hinting');
  v8.setFlagsFromString('--no-wasm-lazy-compilation');
}
