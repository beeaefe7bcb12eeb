// The warm-up's OS pass (src/cpu/warmup-os.S): the committed parcels are what the source
// assembles to, and the program does what its comment says in both engines: S-mode under Sv39 at
// kernel-like addresses, every trap it means to take and no other, ending in M-mode's wfi.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Hart } from '../../src/cpu/hart.js';
import {
  OS_JIT_PASS_ITERATIONS,
  OS_PASS_ITERATIONS,
  osProgram,
  scratchDevice,
  warmUpMachine,
} from '../../src/cpu/warmup.js';
import { OS_ENTRY } from '../../src/cpu/warmup-os-program.js';
import { CSR } from '../../src/cpu/csr.js';
import { csr, jitTest } from './machine.js';

const RAM = 0x8000_0000;

test('src/cpu/warmup-os-program.ts is what src/cpu/warmup-os.S assembles to (scripts/gen-warmup-os.mjs --check)', () => {
  const script = fileURLToPath(new URL('../../../scripts/gen-warmup-os.mjs', import.meta.url));
  // Exit 1 with a message naming both files when they differ.
  execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
});

/** Run the OS pass (`iterations` of its loop) to its end; the traps seen at the two handlers. */
function runOs(jit: boolean, iterations: number) {
  const dev = new Uint8Array(4096);
  const { arena, bus } = warmUpMachine(scratchDevice(dev));
  for (const [off, parcels] of osProgram(iterations)) parcels.forEach((p, i) => bus.store(RAM + off + 2 * i, 2, p));
  const h = new Hart({
    arena,
    bus,
    hartId: 0,
    resetPc: RAM + OS_ENTRY,
    noWarmUp: true,
    ...(jit ? { jit: true, jitThreshold: 1 } : {}),
  });
  h.mayYield = true;
  const mtvec = RAM + 0x10;
  const traps: string[] = [];
  const yields = { n: 0 };
  let why = '';
  for (let i = 0; i < 200_000; i++) {
    // Interpreted one instruction at a time (to see every trap); translated in turns.
    why = h.run(jit ? 10_000 : 1);
    if (why === 'yield') yields.n++;
    if (!jit && h.pc === mtvec) traps.push(`M ${csr(h, CSR.mcause).toString(16)}`);
    if (!jit && BigInt.asUintN(64, BigInt(h.pc)) === csr(h, CSR.stvec))
      traps.push(`S ${csr(h, CSR.scause).toString(16)} tval ${csr(h, CSR.stval).toString(16)}`);
    if (why !== 'limit' && why !== 'yield') break;
  }
  return { h, why, traps, yields: yields.n, dev };
}

test('the OS pass, interpreted: S-mode under Sv39 at kernel addresses, each trap it means, then wfi in M-mode', () => {
  const { h, why, traps, dev } = runOs(false, 2);
  assert.equal(why, 'wfi');
  assert.equal(h.priv, 3);
  const once = [
    'S d tval ffffffff80010000', // the user page without SUM: load page fault (delegated)
    'S d tval ffffffff80013000', // unmapped load
    'S f tval ffffffff80013000', // unmapped store
    'S c tval ffffffff80013000', // unmapped fetch (back to ra)
    'M 9', // ecall to M
    'S 8000000000000001 tval 0', // the supervisor software interrupt
  ];
  assert.deepEqual(traps, [...once, ...once, 'M 9']);
  // The device saw the loop's MMIO: the last sd of s1 (the count, 1 on the last pass) at +8.
  assert.equal(dev[8], 1);
  assert.ok(h.instret > 2 * 200, `${h.instret} instructions`);
});

jitTest('the OS pass, translated: the same end, pause hints yielding turns, most instructions translated', () => {
  const { h, why, yields } = runOs(true, OS_JIT_PASS_ITERATIONS);
  assert.equal(why, 'wfi');
  assert.equal(h.priv, 3);
  assert.ok(yields >= OS_JIT_PASS_ITERATIONS, `${yields} yields`);
  const st = h.jitStats!;
  assert.ok(st.blocksCompiled > 20, `${st.blocksCompiled} blocks compiled`);
  assert.ok(st.instructions > h.instret / 2, `${st.instructions} of ${h.instret} translated`);
  assert.ok(OS_PASS_ITERATIONS < OS_JIT_PASS_ITERATIONS);
});
