// Seeded fuzz of every CXL function's config space and every component-register block: 10^5
// random 1/2/4/8-byte reads and writes at any offset (CI size; FUZZ_ITERATIONS for more). Checks:
// nothing throws; no byte of device media changes (patterned ranges re-read, no page newly
// mapped); config read-back equals what the write masks say (RW stores, RW1C clears, RO keeps:
// PCIe r6.0 §7.4 register attributes) away from registers with side effects (DOE, FLR); RAS
// read-back follows its table (CXL 2.0 §8.2.5.9); cache-mem array headers and HDM Capability
// never change. Oracles: the masks each builder declared, SPEC-NOTES 2.2/2.3, and byte equality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { CapId, ExtCapId, findCapability, findExtendedCapability, type PciFunction } from '../../src/pci/index.js';
import { RAS_REGS, CM_POINTER, CACHEMEM_BASE, type ComponentRegisters } from '../../src/cxl/index.js';
import type { BackingStore } from '../../src/memory/store.js';
import { Prng } from '../helpers/prng.js';

const ITER = Number(process.env.FUZZ_ITERATIONS ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0xc0ffee);

test(`fuzz: ${ITER} random config and component-register accesses (seed ${SEED})`, () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * 2 ** 20 });
  try {
    const rng = new Prng(SEED);
    const rnd = (n: number) => rng.u32() % n;
    // Media: a pattern in the first 64 KiB and at a far page of every store.
    const stores: BackingStore[] = [];
    for (const d of m.cxl.memdevs)
      for (const s of [d.volatileStore, d.persistentStore, d.lsaStore]) if (s) stores.push(s);
    const pattern = (s: BackingStore, off: number) =>
      Uint8Array.from({ length: 65536 }, (_, i) => (i * 31 + off + s.name.length) & 0xff);
    const spots = (s: BackingStore) => [0, Math.max(0, s.size - 65536)];
    for (const s of stores) for (const off of spots(s)) s.write(off, pattern(s, off));
    const pagesBefore = stores.map((s) => s.touchedPages());

    const fns: PciFunction[] = [...m.ecam.functions()];
    const blocks = m.cxlPci.componentBlocks().map((b) => b.block);
    // Registers with side effects beyond their masks: DOE (mailbox state machine), DEVCTL (FLR).
    const skip = new Map<PciFunction, [number, number][]>();
    for (const f of fns) {
      const rd = (o: number, s: 1 | 2 | 4) => f.config.getRaw(o, s);
      const r: [number, number][] = [];
      const doe = findExtendedCapability(rd, ExtCapId.Doe);
      if (doe) r.push([doe, doe + 0x18]);
      const pcie = findCapability(rd, CapId.PciExpress);
      if (pcie) r.push([pcie + 0x08, pcie + 0x0c]);
      skip.set(f, r);
    }
    const arrayHeaders = blocks.map((b) => [0, 4, 8, 12].map((o) => b.read32(CACHEMEM_BASE + o)));
    const hdmCaps = blocks.map((b) => b.hdm?.capability);
    let maskChecks = 0;
    let rasChecks = 0;

    const cfgAccess = (f: PciFunction) => {
      const size = [1, 2, 4, 8][rnd(4)]!;
      const off = rnd(4096 + 16) - 8; // a few out-of-range offsets too
      if (rnd(2) === 0) {
        f.config.read(off, size === 8 ? 4 : size);
        if (size === 8) f.config.read(off + 4, 4);
        return;
      }
      const v = rng.u32();
      const parts =
        size === 8
          ? [
              [off, 4, v],
              [off + 4, 4, rng.u32()],
            ]
          : [[off, size, v]];
      for (const [o, n, x] of parts as [number, number, number][]) {
        const cs = f.config;
        const lo = Math.max(0, o);
        const hi = Math.min(4096, o + n);
        const before = cs.bytes.slice(lo, hi);
        cs.write(o, n, x);
        const side = skip.get(f)!.some(([a, b]) => o < b && o + n > a);
        if (side || f.config.bytes.length !== 4096) continue;
        for (let k = lo; k < hi; k++) {
          const byte = (x >>> (8 * (k - o))) & 0xff;
          const wm = cs.wmask[k]!;
          const c1 = cs.w1cmask[k]!;
          const want = ((before[k - lo]! & ~wm) | (byte & wm)) & ~(byte & c1) & 0xff;
          // A reset (secondary bus reset of a child, FLR) may rewrite other functions, not this byte.
          assert.equal(
            cs.bytes[k],
            want,
            `${f.name} config byte 0x${k.toString(16)} after writing 0x${x.toString(16)} (${n} B at 0x${o.toString(16)})`,
          );
          maskChecks++;
        }
      }
    };

    const rasAt = (_b: ComponentRegisters) => CACHEMEM_BASE + CM_POINTER.ras;
    const compAccess = (b: ComponentRegisters) => {
      const size = [1, 2, 4, 8][rnd(4)]!;
      // Half the accesses inside the cache-mem range, where the registers are.
      const off = rnd(2) === 0 ? CACHEMEM_BASE + rnd(0x1000) : rnd(0x10000);
      const v = rng.u32();
      const acc = (o: number, n: number, x: number, write: boolean) => {
        if (write) b.write(o, n as 1 | 2 | 4, x);
        else b.read(o, n as 1 | 2 | 4);
      };
      const write = rnd(2) === 0;
      const ras = rasAt(b);
      const rasReg = b.ras && size === 4 && off % 4 === 0 ? RAS_REGS.find((r) => ras + r.offset === off) : undefined;
      const before = rasReg ? b.read32(off) : 0;
      if (size === 8) {
        acc(off, 4, v, write);
        acc(off + 4, 4, rng.u32(), write);
      } else acc(off, size, v, write);
      if (rasReg && write) {
        const after = b.read32(off);
        const want =
          rasReg.access === 'RW'
            ? (before & ~rasReg.bits) | (v & rasReg.bits)
            : rasReg.access === 'RW1C'
              ? before & ~(v & rasReg.bits)
              : before;
        assert.equal(after, want >>> 0, `RAS ${rasReg.name}`);
        rasChecks++;
      }
      if (!write && size < 4) assert.equal(b.read(off, size as 1 | 2), 0, 'narrow component reads return 0');
    };

    for (let i = 0; i < ITER; i++) {
      if (rnd(10) < 6) cfgAccess(fns[rnd(fns.length)]!);
      else if (rnd(8) === 0) {
        // Through the bus: a host-bridge CHBCR block (fixed address), any size incl. 8.
        const h = m.cxlPci.hostBridges[rnd(m.cxlPci.hostBridges.length)]!;
        const size = [1, 2, 4, 8][rnd(4)] as 1 | 2 | 4 | 8;
        const a = h.chbsBase + rnd(0x10000 - 8);
        if (rnd(2) === 0) m.addressSpace.load(a, size);
        else m.addressSpace.store(a, size, rng.u32(), rng.u32());
      } else compAccess(blocks[rnd(blocks.length)]!);
    }

    for (const [i, s] of stores.entries()) {
      for (const off of spots(s)) {
        const got = new Uint8Array(65536);
        s.read(off, got);
        assert.deepEqual(got, pattern(s, off), `${s.name} media at ${off} unchanged`);
      }
      assert.equal(s.touchedPages(), pagesBefore[i], `${s.name}: no media page newly written`);
    }
    blocks.forEach((b, i) => {
      assert.deepEqual(
        [0, 4, 8, 12].map((o) => b.read32(CACHEMEM_BASE + o)),
        arrayHeaders[i],
        'cache-mem array headers are RO',
      );
      assert.equal(b.hdm?.capability, hdmCaps[i], 'HDM Capability is RO');
    });
    assert.ok(maskChecks > ITER / 4, `mask checks ran (${maskChecks})`);
    assert.ok(rasChecks > 10, `RAS checks ran (${rasChecks})`);
  } finally {
    m.close();
  }
});
