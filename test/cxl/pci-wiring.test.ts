// CXL components as a driver sees them: ECAM config space (headers, DVSECs, Register Locator,
// BARs), component registers over MMIO, and HDM decoders programmed purely through those
// registers the way Linux does — on six fixture machines — each then proven by the host-side
// placement audit. Oracles: SPEC-NOTES 1.3/1.5 (positions, granularity chain, target lists),
// 2.1-2.3 (DVSEC ids and fields, register locator, component array) and 2.6 (DOE CDAT); the audit
// (stamps through the HPA space, checked on device media by the spec's closed form); the CDAT
// bytes `cxlemu tables` builds from the same description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { cxlWindowsFromSpec } from '../../src/machine/board.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { findDvsec, findExtendedCapability } from '../../src/pci/index.js';
import { HostDriver, COMMITTED, ERROR_NOT_COMMITTED, CXL_VENDOR, type Fn } from './host-driver.js';

const MiB = 2 ** 20;
const ARENA = 256 * MiB;
const t3 = (id: string, size = '256M') => ({ kind: 'type3', id, volatile: { size } });

function emptyDefault(): unknown {
  const d = defaultDescriptionInput() as { state?: unknown };
  return { ...d, state: { regions: [] } };
}

function fixture(
  hbs: { id: string; busNr: number; eps: string[] }[],
  window: { base: string; size: string; granularity: number },
): unknown {
  let port = 0;
  return {
    version: 1,
    ram: { size: '64M' },
    cpus: 1,
    cxl: {
      hostBridges: hbs.map((h) => ({
        id: h.id,
        busNr: h.busNr,
        rootPorts: h.eps.map((e, i) => ({ id: `rp${port++}`, port: i, child: t3(e) })),
      })),
      windows: [{ id: 'W0', ...window, arithmetic: 'modulo', targets: hbs.map((h) => h.id) }],
      xorMaps: [],
    },
    state: { regions: [] },
  };
}

interface Case {
  name: string;
  desc: () => unknown;
  base: number;
  size: number;
  gran: number;
  /** Endpoint ids in the region (default: all). */
  memdevs?: string[];
  /** Expected Linux position per memdev id. */
  positions: Record<string, number>;
}

const CASES: Case[] = [
  {
    name: '1-way region: one host bridge, one root port',
    desc: () =>
      fixture([{ id: 'hb0', busNr: 16, eps: ['mem0'] }], { base: '0x1_0000_0000', size: '1G', granularity: 256 }),
    base: 0x1_0000_0000,
    size: 256 * MiB,
    gran: 256,
    positions: { mem0: 0 },
  },
  {
    name: '2-way region across two root ports (4 KiB)',
    desc: () =>
      fixture([{ id: 'hb0', busNr: 16, eps: ['mem0', 'mem1'] }], {
        base: '0x1_0000_0000',
        size: '1G',
        granularity: 4096,
      }),
    base: 0x1_0000_0000,
    size: 512 * MiB,
    gran: 4096,
    positions: { mem0: 0, mem1: 1 },
  },
  {
    name: '4-way region across two host bridges and a switch (default machine)',
    desc: emptyDefault,
    base: 0x1_0000_0000,
    size: 1024 * MiB,
    gran: 256,
    memdevs: ['mem0', 'mem1', 'mem2', 'mem3'],
    positions: { mem0: 0, mem2: 1, mem1: 2, mem3: 3 },
  },
  {
    name: '3-way region over three host bridges',
    desc: () =>
      fixture(
        [
          { id: 'hb0', busNr: 16, eps: ['mem0'] },
          { id: 'hb1', busNr: 32, eps: ['mem1'] },
          { id: 'hb2', busNr: 48, eps: ['mem2'] },
        ],
        { base: '0x1_2000_0000', size: '3G', granularity: 256 },
      ),
    base: 0x1_2000_0000,
    size: 768 * MiB,
    gran: 256,
    positions: { mem0: 0, mem1: 1, mem2: 2 },
  },
  {
    name: '6-way region over three host bridges x two root ports',
    desc: () =>
      fixture(
        [
          { id: 'hb0', busNr: 16, eps: ['mem0', 'mem1'] },
          { id: 'hb1', busNr: 32, eps: ['mem2', 'mem3'] },
          { id: 'hb2', busNr: 48, eps: ['mem4', 'mem5'] },
        ],
        { base: '0x1_2000_0000', size: '3G', granularity: 256 },
      ),
    base: 0x1_2000_0000,
    size: 1536 * MiB,
    gran: 256,
    positions: { mem0: 0, mem2: 1, mem4: 2, mem1: 3, mem3: 4, mem5: 5 },
  },
  {
    name: '4-way region 1 GiB above its window base (default machine)',
    desc: emptyDefault,
    base: 0x1_4000_0000,
    size: 1024 * MiB,
    gran: 256,
    memdevs: ['mem0', 'mem1', 'mem2', 'mem3'],
    positions: { mem0: 0, mem2: 1, mem1: 2, mem3: 3 },
  },
];

/** Endpoint function -> memdev id through the DSN (the serial the description gave, memN order). */
function idOf(m: Machine, d: HostDriver, f: Fn): string {
  const serial = d.serialOf(f);
  const dev = m.cxl.memdevs.find((x) => x.serial === serial);
  assert.ok(dev, `no memdev with serial ${serial}`);
  return dev.id;
}

for (const c of CASES) {
  test(`driver-style MMIO programming: ${c.name}; the audit proves placement`, () => {
    const m = Machine.build(c.desc(), { arenaBytes: ARENA });
    try {
      const d = new HostDriver(m).enumerate();
      const want = c.memdevs ?? Object.keys(c.positions);
      const eps = d.endpoints.filter((f) => want.includes(idOf(m, d, f)));
      assert.equal(eps.length, want.length);
      const w = cxlWindowsFromSpec(m.spec)[0]!;
      const { positions, controls } = d.buildRegion({
        eps,
        base: c.base,
        size: c.size,
        gran: c.gran,
        rootTargets: w.targets,
      });
      for (const ctl of controls) {
        assert.equal(
          ctl & (COMMITTED | ERROR_NOT_COMMITTED),
          COMMITTED,
          `control 0x${ctl.toString(16)} committed without error`,
        );
      }
      for (const ep of eps)
        assert.equal(positions.get(ep), c.positions[idOf(m, d, ep)], `position of ${idOf(m, d, ep)}`);
      // Nothing was created host-side: the region exists only in the registers, and list/audit find it.
      const rep = m.audit({ samples: 4000, seed: 7 });
      assert.equal(rep.regions.length, 1);
      const r = rep.regions[0]!;
      assert.equal(r.ways, eps.length);
      assert.equal(r.granularity, c.gran);
      assert.equal(r.mismatchCount, 0, JSON.stringify(r.mismatches.slice(0, 3)));
      assert.ok(rep.ok);
      for (const id of want) assert.ok((r.perDevice[m.cxl.memdev(id)!.name] ?? 0) > 0, `bytes checked on ${id}`);
      const region = m.regions[0]!;
      assert.equal(region.base, c.base);
      assert.equal(region.discovered, true);
      for (const tg of region.targets)
        assert.equal(tg.position, c.positions[tg.memdev.id], `inferred position of ${tg.memdev.id}`);
      const listed = m.list(0) as { regions: { resource: number; interleave_ways: number; origin?: string }[] };
      assert.deepEqual(
        listed.regions.map((x) => [x.resource, x.interleave_ways, x.origin]),
        [[c.base, eps.length, 'registers']],
      );
    } finally {
      m.close();
    }
  });
}

test('config space of each CXL function: ids, class, DVSECs, Register Locator, DSN, BAR0 size (default machine, hb0 passthrough)', () => {
  const desc = emptyDefault() as ReturnType<typeof defaultDescriptionInput>;
  desc.cxl!.hostBridges![0]!.hdmForPassthrough = false;
  const m = Machine.build(desc, { arenaBytes: ARENA });
  try {
    const d = new HostDriver(m).enumerate();
    const kinds = d.fns.map((f) => f.portType);
    assert.deepEqual(kinds.filter((k) => k === 4).length, 3, 'root ports');
    assert.deepEqual(kinds.filter((k) => k === 5).length, 1, 'USP');
    assert.deepEqual(kinds.filter((k) => k === 6).length, 2, 'DSPs');
    assert.equal(d.endpoints.length, 4);
    for (const f of d.fns) {
      const dv = (id: number) => findDvsec(f.read, CXL_VENDOR, id) !== 0;
      if (f.classCode === 0x050210) {
        assert.equal(f.vendorDevice, 0x0d938086);
        for (const id of [0, 5, 7, 8]) assert.ok(dv(id), `endpoint DVSEC ${id}`);
        assert.ok(!dv(3) && !dv(4));
        assert.equal(f.memdevRegs - f.component, 0x10000);
        // BAR0: 64-bit memory, 128 KiB (sizing by writing all ones).
        const lo = f.read(0x10, 4);
        assert.equal(lo & 0x6, 0x4);
        f.write(0x10, 4, 0xffffffff);
        assert.equal((f.read(0x10, 4) & 0xfffffff0) >>> 0, 0xfffe0000);
        f.write(0x10, 4, lo);
        // DVSEC 0: Mem_Capable, HDM_Count 1, range 1 = the 512 MiB volatile partition, info valid + active.
        const d0 = findDvsec(f.read, CXL_VENDOR, 0);
        assert.equal(f.read(d0 + 0x0a, 2) & 0x34, 0x14);
        assert.equal(f.read(d0 + 0x18, 4), 0);
        assert.equal(f.read(d0 + 0x1c, 4) & 0xf0000003, 0x20000003);
        f.write(d0 + 0x0c, 2, 0x4); // Mem_Enable is RW
        assert.equal(f.read(d0 + 0x0c, 2) & 0x4, 0x4);
        assert.ok(findExtendedCapability(f.read, 0x2e) !== 0, 'DOE');
        assert.ok(findExtendedCapability(f.read, 0x01) !== 0, 'AER');
      } else {
        assert.equal(f.classCode, 0x060400);
        for (const id of [3, 4, 7, 8]) assert.ok(dv(id), `port DVSEC ${id} on ${f.bus}:${f.dev}`);
        assert.ok(f.component >= 0x4000_0000 && f.component < 0x8000_0000);
      }
    }
    const serials = d.endpoints.map((f) => d.serialOf(f)).sort();
    assert.deepEqual(serials, m.cxl.memdevs.map((x) => x.serial).sort());
    // Host-bridge component blocks at the CHBS addresses: hb0 is passthrough (no HDM), hb1 has one.
    assert.deepEqual(
      d.hostBridges.map((h) => h.component),
      [0x7fff0000, 0x7ffe0000],
    );
    assert.equal(d.hdmOf(d.hostBridges[0]!.component), -1);
    assert.ok(d.hdmOf(d.hostBridges[1]!.component) > 0);
  } finally {
    m.close();
  }
});

test('one state: a host-side region shows in the HDM registers over MMIO, and a raw write shows in the decoder view', () => {
  const m = Machine.build(emptyDefault(), { arenaBytes: ARENA });
  try {
    const d = new HostDriver(m).enumerate();
    m.createRegion({ window: 'W0', memdevs: ['mem0', 'mem2'], size: 512 * MiB, granularity: 256, ways: 2 });
    const ep = d.endpoints.find((f) => idOf(m, d, f) === 'mem2')!;
    const hdm = d.hdmOf(ep.component);
    assert.equal(d.r32(hdm + 0x10), 0);
    assert.equal(d.r32(hdm + 0x14), 1);
    assert.ok((d.r32(hdm + 0x20) & COMMITTED) !== 0);
    const ctl = d.programDecoder(hdm, 1, { base: 0x1_2000_0000, size: 256 * MiB, ways: 1, gran: 256 });
    assert.ok((ctl & COMMITTED) !== 0);
    assert.equal(m.cxl.memdev('mem2')!.hdm.view(1).base, 0x1_2000_0000);
    // 8-byte access to a 64-bit pair reads both halves; narrower ones read 0 (no partial reads).
    assert.equal(m.addressSpace.load(hdm + 0x30, 8), 0x2000_0000);
    assert.equal(m.addressSpace.hi, 1);
    assert.equal(m.addressSpace.load(hdm + 0x34, 1), 0);
  } finally {
    m.close();
  }
});

test('illegal programming over MMIO yields Error-Not-Committed, never an exception', () => {
  const m = Machine.build(emptyDefault(), { arenaBytes: ARENA });
  try {
    const d = new HostDriver(m).enumerate();
    const ep = d.endpoints.find((f) => idOf(m, d, f) === 'mem2')!;
    const hdm = d.hdmOf(ep.component);
    const hb1 = d.hdmOf(d.hostBridges[1]!.component);
    const S = 256 * MiB;
    const B = 0x1_0000_0000;
    // Out-of-order commit: decoder 1 before decoder 0.
    assert.equal(
      d.programDecoder(hdm, 1, { base: B + S, size: S, ways: 1, gran: 256 }) & (COMMITTED | ERROR_NOT_COMMITTED),
      ERROR_NOT_COMMITTED,
    );
    // Commit decoder 0, then an overlapping decoder 1.
    assert.ok((d.programDecoder(hdm, 0, { base: B, size: 2 * S, ways: 1, gran: 256 }) & COMMITTED) !== 0);
    assert.equal(
      d.programDecoder(hdm, 1, { base: B + S, size: S, ways: 1, gran: 256 }) & (COMMITTED | ERROR_NOT_COMMITTED),
      ERROR_NOT_COMMITTED,
    );
    // Bad target lists: a port that is not a root port of hb1, and a repeated port.
    assert.equal(
      d.programDecoder(hb1, 0, { base: B, size: S, ways: 1, gran: 256, targets: [0x77] }) &
        (COMMITTED | ERROR_NOT_COMMITTED),
      ERROR_NOT_COMMITTED,
    );
    assert.equal(
      d.programDecoder(hb1, 0, { base: B, size: 2 * S, ways: 2, gran: 256, targets: [1, 1] }) &
        (COMMITTED | ERROR_NOT_COMMITTED),
      ERROR_NOT_COMMITTED,
    );
    // Misaligned base: the register keeps [31:28] only, so the low bits never reach the decoder.
    const ep3 = d.endpoints.find((f) => idOf(m, d, f) === 'mem3')!;
    const h3 = d.hdmOf(ep3.component);
    d.programDecoder(h3, 0, { base: B + 0x0800_1000, size: S, ways: 1, gran: 256, commit: false });
    assert.equal(d.r32(h3 + 0x10), 0);
    // Size not a multiple of the ways (256 MiB over 3 ways at an endpoint): Error-Not-Committed.
    assert.equal(
      d.programDecoder(h3, 0, { base: B, size: S, ways: 3, gran: 256 }) & (COMMITTED | ERROR_NOT_COMMITTED),
      ERROR_NOT_COMMITTED,
    );
    // Invalid IW/IG encodings written raw.
    d.w32(h3 + 0x10 + 0x08, S);
    d.w32(h3 + 0x10 + 0x10, (5 << 4) | (1 << 9));
    assert.ok((d.r32(h3 + 0x20) & ERROR_NOT_COMMITTED) !== 0);
    d.w32(h3 + 0x10 + 0x10, 7 | (1 << 9));
    assert.ok((d.r32(h3 + 0x20) & ERROR_NOT_COMMITTED) !== 0);
    // Un-commit out of order (0 while 1... only 0 is committed on mem2; clearing it works).
    d.w32(hdm + 0x20, d.r32(hdm + 0x20) & ~(1 << 9));
    assert.equal(d.r32(hdm + 0x20) & COMMITTED, 0);
  } finally {
    m.close();
  }
});

test('CDAT over DOE returns the description perf values (same bytes as `cxlemu tables`)', () => {
  const desc = emptyDefault() as {
    cxl: { hostBridges: { rootPorts: { child?: { kind: string; perf?: unknown; downstreamPorts?: unknown } }[] }[] };
  };
  desc.cxl.hostBridges[1]!.rootPorts[0]!.child!.perf = {
    readLatencyNs: 123,
    writeLatencyNs: 321,
    readBandwidthMBs: 9000,
    writeBandwidthMBs: 7000,
  };
  const m = Machine.build(desc, { arenaBytes: ARENA });
  try {
    const d = new HostDriver(m).enumerate();
    const tables = m.firmwareTables;
    const doeRead = (f: Fn): Uint8Array => {
      const doe = findExtendedCapability(f.read, 0x2e);
      const exchange = (req: number[]): number[] => {
        for (const w of req) f.write(doe + 0x10, 4, w);
        f.write(doe + 0x08, 4, 0x80000000);
        const out: number[] = [];
        while ((f.read(doe + 0x0c, 4) & 0x80000000) !== 0) {
          out.push(f.read(doe + 0x14, 4));
          f.write(doe + 0x14, 4, 0);
        }
        return out;
      };
      const bytes: number[] = [];
      let handle = 0;
      do {
        const rsp = exchange([0x1e98 | (2 << 16), 3, handle << 16]);
        assert.equal(rsp[0], 0x1e98 | (2 << 16));
        assert.equal(rsp[1], rsp.length);
        const entry = rsp.slice(3);
        const len = handle === 0 ? 16 : (entry[0]! >>> 16) & 0xffff;
        for (let i = 0; i < len; i++) bytes.push((entry[i >> 2]! >>> (8 * (i & 3))) & 0xff);
        handle = rsp[2]! >>> 16;
      } while (handle !== 0xffff);
      return Uint8Array.from(bytes);
    };
    for (const f of d.endpoints) {
      const id = idOf(m, d, f);
      const got = doeRead(f);
      const want = tables.cdat.find((x) => x.id === id)!.bytes;
      assert.deepEqual(got, want, `CDAT of ${id}`);
      assert.equal(
        got.reduce((a, b) => (a + b) & 0xff, 0),
        0,
        'checksum',
      );
      if (id === 'mem2') {
        // DSLBIS read latency: base unit (u64 at +8) x entry[0] (u16 at +16) ps = 123 ns.
        const dv = new DataView(got.buffer);
        let at = 16;
        const seen: Record<number, number> = {};
        while (at < got.length) {
          const type = got[at]!;
          const len = dv.getUint16(at + 2, true);
          if (type === 1) seen[got[at + 6]!] = Number(dv.getBigUint64(at + 8, true)) * dv.getUint16(at + 16, true);
          at += len;
        }
        assert.equal(seen[1], 123_000);
        assert.equal(seen[2], 321_000);
        assert.equal(seen[4], 9000);
        assert.equal(seen[5], 7000);
      }
    }
    const usp = d.fns.find((f) => f.portType === 5)!;
    assert.deepEqual(doeRead(usp), tables.switchCdat[0]!.bytes);
  } finally {
    m.close();
  }
});
