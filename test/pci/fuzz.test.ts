// Seeded config-space fuzz. Oracle: CONTRACTS.md "guest misbehaviour never throws" and the RO
// attribute of identity registers and capability headers (PCIe r6.0 §7.5.1, §7.6.3): after 10^5
// random 1/2/4-byte reads and writes at random offsets (through the ECAM and the address space,
// and directly at unaligned offsets), nothing threw, every identity byte and both capability
// chains are unchanged, and every mapped BAR lies inside the PCIe MMIO window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { AddressSpace, RangeKind } from '../../src/memory/address-space.js';
import { ECAM_BASE, ecamOffset } from '../../src/pci/ecam.js';
import type { PciFunction } from '../../src/pci/topology.js';
import { Prng } from '../helpers/prng.js';
import { cases } from '../helpers/scale.js';
import { assignBusNumbers, buildTopology } from './fixtures.js';

const SEED = 0x5eed_0c1;

/** Identity bytes that must never change: ids, class, header type, cap pointer and the chains. */
function identity(f: PciFunction): string {
  const cs = f.config;
  const parts: number[] = [
    cs.getRaw(0, 4),
    cs.getRaw(8, 4),
    cs.getRaw(0x0e, 1) & 0x7f,
    cs.getRaw(0x34, 1),
    cs.getRaw(0x3d, 1),
  ];
  for (let p = cs.getRaw(0x34, 1); p >= 0x40; p = cs.getRaw(p + 1, 1)) parts.push(p, cs.getRaw(p, 2));
  for (let p = 0x100; p >= 0x100; p = (cs.getRaw(p, 4) >>> 20) & 0xffc) {
    parts.push(p, cs.getRaw(p, 4));
    if ((cs.getRaw(p, 4) & 0xffff) === 0x0003) parts.push(cs.getRaw(p + 4, 4), cs.getRaw(p + 8, 4)); // DSN
    if ((cs.getRaw(p, 4) & 0xffff) === 0x0023) parts.push(cs.getRaw(p + 4, 4), cs.getRaw(p + 8, 2)); // DVSEC headers
  }
  return parts.map((x) => x.toString(16)).join(',');
}

function randomOffset(rng: Prng): number {
  const r = rng.below(4);
  if (r < 2) return rng.below(0x40);
  if (r === 2) return 0x40 + rng.below(0xc0);
  return 0x100 + rng.below(0xf00);
}

function randomValue(rng: Prng): number {
  switch (rng.below(4)) {
    case 0:
      return 0xffffffff;
    case 1:
      return 0;
    default:
      return rng.u32();
  }
}

test(`10^5 seeded config accesses (seed 0x${SEED.toString(16)}) never throw and never change RO identity`, () => {
  const space = new AddressSpace(new Arena({ bytes: 1 << 20 }));
  const t = buildTopology({ space });
  t.ecam.map();
  assignBusNumbers(t);
  const fns = [...t.ecam.functions()];
  const before = new Map(fns.map((f) => [f, identity(f)]));
  let mapChanges = 0;
  space.onChange(() => mapChanges++);
  const rng = new Prng(SEED);
  const buses = [0, 1, 2, 3, 4, 5, 6, 0x40, 0x41, 0x42, 0xff];
  const n = cases(100_000);
  let i = 0;
  try {
    for (; i < n; i++) {
      const size = rng.pick([1, 2, 4] as const);
      const kind = rng.below(10);
      if (kind < 6) {
        // Guest path: aligned ECAM access through the address space (rarely to absent functions).
        const off = randomOffset(rng);
        const reg = off - (off % size);
        const addr = ECAM_BASE + ecamOffset(rng.pick(buses), rng.below(4), rng.below(10) === 0 ? rng.below(8) : 0, reg);
        if (rng.chance(0.5)) space.load(addr, size);
        else space.store(addr, size, randomValue(rng));
      } else if (kind < 9) {
        // Direct: any offset, aligned or not.
        const f = rng.pick(fns);
        const off = randomOffset(rng);
        if (rng.chance(0.5)) f.config.read(off, size);
        else f.config.write(off, size, randomValue(rng));
      } else {
        // Device side: INTx toggles interleave with guest accesses.
        rng.pick(fns).setIntx(rng.chance(0.5));
      }
      // Restore bus numbers now and then so deep buses stay reachable.
      if (i % 5000 === 4999) assignBusNumbers(t);
    }
  } catch (e) {
    assert.fail(`seed 0x${SEED.toString(16)}: access ${i} threw ${String(e)}`);
  }
  assert.ok(mapChanges > 10, `the fuzz should map and unmap BARs (saw ${mapChanges} map changes)`);
  for (const f of fns)
    assert.equal(identity(f), before.get(f), `${f.name}: identity changed (seed 0x${SEED.toString(16)})`);
  for (const r of space.flatRanges()) {
    if (r.kind !== RangeKind.Mmio || r.region.name === 'pcie-ecam') continue;
    assert.ok(
      r.base >= 0x4000_0000 && r.end <= 0x8000_0000,
      `BAR ${r.region.name} at 0x${r.base.toString(16)} leaves the window`,
    );
  }
});
