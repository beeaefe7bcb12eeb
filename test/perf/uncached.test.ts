// Uncacheable pages in timing mode: loads from a page that Svpbmt marks NC reach memory every time,
// while loads from the same bytes through a cacheable mapping reach it once per 64-byte line.
// Oracle: the privileged spec's Svpbmt (PBMT = 1: non-cacheable, idempotent main memory) and the
// issue's rule: N loads from such a page are N memory reads, from a cacheable page at most N/8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, reg } from '../cpu/asm.js';
import { makeMachine, RAM_BASE, setCsr, TRAP_VEC } from '../cpu/machine.js';
import { CSR } from '../../src/cpu/csr.js';
import { DEFAULT_TIMING, type MemoryTarget, TimingModel } from '../../src/perf/timing-model.js';

const V = 1n,
  R = 2n,
  W = 4n,
  X = 8n,
  A = 64n,
  D = 128n;
const NC = 1n << 61n; // PBMT = 1
const ROOT = RAM_BASE + 0x100000,
  L1 = ROOT + 0x1000,
  L0 = ROOT + 0x2000;
const DATA = RAM_BASE + 0x200000;
const CODE = RAM_BASE + 0x1000;
const pte = (pa: number, flags: bigint) => (BigInt(Math.floor(pa / 4096)) << 10n) | flags;

function loads(nc: boolean, n: number): number {
  const m = makeMachine();
  const h = m.hart;
  for (let i = 0; i < 3 * 512; i++) m.poke64(ROOT + 8 * i, 0n);
  m.poke64(ROOT + 16, pte(RAM_BASE, V | R | W | X | A | D)); // code: identity gigapage
  m.poke64(ROOT + 8, pte(L1, V));
  m.poke64(L1, pte(L0, V));
  m.poke64(L0, pte(DATA, V | R | W | A | D | (nc ? NC : 0n))); // VA 0x4000_0000 -> DATA
  setCsr(h, CSR.pmpaddr0, (1n << 54n) - 1n);
  setCsr(h, CSR.pmpcfg0, 0x1fn);
  setCsr(h, CSR.menvcfg, 1n << 62n); // PBMTE
  setCsr(h, CSR.satp, (8n << 60n) | BigInt(ROOT / 4096));
  setCsr(h, CSR.mtvec, BigInt(TRAP_VEC));
  const dram: MemoryTarget = {
    name: 'dram',
    readLatencyNs: 100,
    writeLatencyNs: 100,
    readBandwidthMBs: 25600,
    writeBandwidthMBs: 25600,
  };
  const model = new TimingModel({ ...DEFAULT_TIMING, prefetchDegree: 0 }, 1, (pa) =>
    pa >= RAM_BASE && pa < RAM_BASE + 8 * 2 ** 20 ? dram : null,
  );
  h.dataTiming = model.harts[0]!;
  // loop: ld t0, 0(a1); addi a1, a1, 8; addi a2, a2, -1; bne a2, x0, loop; ebreak
  m.code(CODE, [
    a.ld(reg.t0, reg.a1, 0),
    a.addi(reg.a1, reg.a1, 8),
    a.addi(reg.a2, reg.a2, -1),
    a.bne(reg.a2, 0, -12),
    a.ebreak(),
  ]);
  h.writeReg(reg.a1, 0x4000_0000n);
  h.writeReg(reg.a2, BigInt(n));
  h.priv = 1;
  h.flushTlb();
  m.runAt(CODE, 4 * n);
  assert.equal(h.readReg(reg.a2), 0n, 'the loop ran to its end');
  return model.targetCounters().find((t) => t.target === 'dram')?.counters.reads ?? 0;
}

test('N loads from an NC page are N memory reads; from a cacheable page N/8 (8-byte loads, 64-byte lines)', () => {
  const n = 256;
  assert.equal(loads(true, n), n);
  assert.equal(loads(false, n), n / 8);
});
