// ACPI tables as exact bytes. Oracles: (1) the CFMWS example of Linux
// Documentation/driver-api/cxl/platform/acpi/cedt.rst (SPEC-NOTES 4.4), written out byte by byte
// here from its fields; (2) test/helpers/acpi-decoder.ts, an independent reader written from the
// SPEC-NOTES 4 layouts (it shares no code with src/firmware); (3) checksums recomputed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWriter, buildAcpiTable, DEFAULT_OEM, AcpiTableError } from '../../src/firmware/acpi/tables.js';
import { writeCfmws, buildCedt } from '../../src/firmware/acpi/cedt.js';
import { buildSrat } from '../../src/firmware/acpi/srat.js';
import { buildSlit } from '../../src/firmware/acpi/slit.js';
import { buildHmat } from '../../src/firmware/acpi/hmat.js';
import { buildAcpiLayout } from '../../src/firmware/acpi/build.js';
import type { AcpiPlatform } from '../../src/firmware/acpi/platform.js';
import { samplePlatform } from './acpi-fixtures.js';
import { Prng } from '../helpers/prng.js';
import { cases } from '../helpers/scale.js';
import {
  decodeCedt,
  decodeHeader,
  decodeHmat,
  decodeSlit,
  decodeSrat,
  sum8,
  walkFromRsdp,
  decodeRsdp,
} from '../helpers/acpi-decoder.js';

function hexBytes(s: string): Uint8Array {
  return Uint8Array.from(
    s
      .trim()
      .split(/\s+/)
      .map((x) => parseInt(x, 16)),
  );
}

test('common header: fields at SPEC-NOTES 4 offsets, OEM ids space padded, checksum sums to 0', () => {
  const t = buildAcpiTable(
    'TEST',
    5,
    { oemId: 'AB', oemTableId: 'XY', oemRevision: 0x01020304, creatorId: 'CR', creatorRevision: 0xa0b0c0d0 },
    (w) => w.u32(0xdeadbeef),
  );
  assert.equal(t.length, 40);
  const h = decodeHeader(t);
  assert.deepEqual(h, {
    signature: 'TEST',
    length: 40,
    revision: 5,
    checksum: t[9],
    oemId: 'AB    ',
    oemTableId: 'XY      ',
    oemRevision: 0x01020304,
    creatorId: 'CR  ',
    creatorRevision: 0xa0b0c0d0,
    checksumOk: true,
  });
  assert.equal(sum8(t), 0);
  assert.deepEqual([...t.subarray(36)], [0xef, 0xbe, 0xad, 0xde]);
});

test('byte writer: u64 halves above 2^32 and near 2^52, range errors name the field', () => {
  const w = new ByteWriter();
  w.u64(0xf_ffff_ffff_fff0, 'x');
  w.u64(0x1_2345_6789);
  assert.deepEqual(
    [...w.finish()],
    [0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0],
  );
  // Growth past the first 256 bytes keeps every byte, whatever width crosses the boundary.
  for (const width of [1, 2, 4, 8] as const) {
    const g = new ByteWriter();
    const want: number[] = [];
    for (let i = 0; g.length < 700; i++) {
      const v = (i * 37 + width) & 0xff;
      if (width === 1) g.u8(v);
      else if (width === 2) g.u16(v);
      else if (width === 4) g.u32(v);
      else g.u64(v);
      want.push(v, ...new Array(width - 1).fill(0));
    }
    g.bytes(Uint8Array.of(1, 2, 3));
    assert.deepEqual([...g.finish()], [...want, 1, 2, 3]);
  }
  assert.throws(() => new ByteWriter().u16(0x10000, 'windows[0].qtgId'), /windows\[0\]\.qtgId: 65536/);
  assert.throws(() => new ByteWriter().u64(2 ** 53, 'base'), AcpiTableError);
  assert.throws(() => new ByteWriter().ascii('TOOLONGID', 6, 'oemId'), /oemId/);
});

test('CFMWS: the Linux cedt.rst example, byte for byte from its fields', () => {
  const w = new ByteWriter();
  writeCfmws(
    w,
    {
      base: 0xc0_5000_0000,
      size: 0x3c_a000_0000,
      targets: [7, 6],
      granularity: 256,
      arithmetic: 'modulo',
      restrictions: ['type3', 'volatile'],
      qtgId: 1,
    },
    'example',
  );
  const expected = hexBytes(`
    01 00 2c 00  00 00 00 00
    00 00 00 50 c0 00 00 00
    00 00 00 a0 3c 00 00 00
    01 00 00 00  00 00 00 00
    06 00 01 00
    07 00 00 00  06 00 00 00`);
  assert.deepEqual(w.finish(), expected);
});

test('CEDT: CHBS per host bridge, CFMWS per window (modulo, XOR, 3-way, targets in position order), CXIMS', () => {
  const p = samplePlatform();
  const b = buildCedt(p, DEFAULT_OEM);
  const d = decodeCedt(b);
  assert.equal(d.header.signature, 'CEDT');
  assert.equal(d.header.revision, 1);
  assert.ok(d.header.checksumOk);
  assert.equal(b.length, 36 + 3 * 32 + (36 + 8) + (36 + 12) + (36 + 8) + (36 + 4) + (8 + 8) + (8 + 16));
  const chbs = d.entries.filter((e) => e.type === 0);
  assert.deepEqual(
    chbs,
    p.hostBridges.map((h) => ({ type: 0, length: 32, uid: h.uid, version: 1, base: h.chbsBase, size: h.chbsLength })),
  );
  const cfmws = d.entries.filter((e) => e.type === 1);
  assert.deepEqual(cfmws, [
    {
      type: 1,
      length: 44,
      base: 0x1_0000_0000,
      size: 0x1_0000_0000,
      eniw: 1,
      arithmetic: 0,
      hbig: 0,
      restrictions: 0b110,
      qtgId: 0,
      targets: [7, 6],
    },
    {
      type: 1,
      length: 48,
      base: 0x2_0000_0000,
      size: 0x1_0000_0000,
      eniw: 8,
      arithmetic: 0,
      hbig: 4,
      restrictions: 0b1010,
      qtgId: 1,
      targets: [6, 7, 0x20],
    },
    {
      type: 1,
      length: 44,
      base: 0x30_0000_0000,
      size: 0x8000_0000,
      eniw: 1,
      arithmetic: 1,
      hbig: 1,
      restrictions: 0b11110,
      qtgId: 2,
      targets: [7, 6],
    },
    {
      type: 1,
      length: 40,
      base: 0xf_f000_0000_0000 - 0x1000_0000,
      size: 0x1000_0000,
      eniw: 0,
      arithmetic: 0,
      hbig: 6,
      restrictions: 0b1,
      qtgId: 0xffff,
      targets: [0x20],
    },
  ]);
  const cxims = d.entries.filter((e) => e.type === 2);
  assert.deepEqual(cxims, [
    { type: 2, length: 16, hbig: 1, maps: [0x2020900] },
    { type: 2, length: 24, hbig: 0, maps: [0x404100, 0x808200] },
  ]);
});

test('CEDT: 6-, 12- and 16-way ENIW encodings; errors name the field and the rule', () => {
  const uids = Array.from({ length: 16 }, (_, i) => i + 1);
  const hbs = uids.map((uid) => ({ uid, chbsBase: 0x7000_0000 + uid * 0x10000, chbsLength: 0x10000 }));
  for (const [ways, eniw] of [
    [6, 9],
    [12, 10],
    [16, 4],
    [8, 3],
    [4, 2],
  ] as const) {
    const d = decodeCedt(
      buildCedt(
        {
          hostBridges: hbs,
          windows: [
            {
              base: 0x3_0000_0000,
              size: 0x3_0000_0000,
              targets: uids.slice(0, ways).reverse(),
              granularity: 1024,
              arithmetic: 'modulo',
              restrictions: ['type3'],
              qtgId: 0,
            },
          ],
          xorMaps: [],
        },
        DEFAULT_OEM,
      ),
    );
    const w = d.entries.find((e) => e.type === 1) as { eniw: number; targets: number[]; length: number };
    assert.equal(w.eniw, eniw);
    assert.equal(w.length, 36 + 4 * ways);
    assert.deepEqual(w.targets, uids.slice(0, ways).reverse());
  }
  const base = samplePlatform();
  const bad = (f: (p: AcpiPlatform) => void, re: RegExp) => {
    const p = samplePlatform();
    f(p);
    assert.throws(() => buildCedt(p, DEFAULT_OEM), re);
  };
  bad((p) => {
    p.windows[0]!.targets = [7, 99];
  }, /windows\[0\]\.targets\[1\]: 99.*host bridge _UID/);
  bad((p) => {
    p.windows[1]!.granularity = 300;
  }, /windows\[1\]\.granularity: 300/);
  bad((p) => {
    p.windows[0]!.targets = [7, 6, 0x20, 7, 6];
  }, /windows\[0\]\.targets: 5/);
  bad((p) => {
    p.windows[0]!.base = 0x1_0800_0000;
  }, /windows\[0\]\.base.*256 MiB/);
  bad((p) => {
    p.windows[0]!.restrictions = ['volatile', 'bogus' as never];
  }, /windows\[0\]\.restrictions: bogus/);
  bad((p) => {
    p.xorMaps = [{ granularity: 512, maps: [] }];
  }, /windows\[2\]\.arithmetic: xor.*granularity 512 with at least 1 map\(s\) \(it has 0\)/);
  bad((p) => {
    p.xorMaps.push({ granularity: 256, maps: [1] });
  }, /xorMaps\[2\]\.granularity: 256.*one CXIMS per/);
  assert.ok(buildCedt(base, DEFAULT_OEM).length > 0);
});

test('SRAT: memory affinity, RINTC affinity (type 7) per hart, generic port (type 6) per host bridge', () => {
  const p = samplePlatform();
  const b = buildSrat(p, DEFAULT_OEM);
  const d = decodeSrat(b);
  assert.equal(d.header.revision, 3);
  assert.ok(d.header.checksumOk);
  assert.equal(d.tableRevision, 1);
  assert.equal(b.length, 48 + 2 * 40 + 2 * 20 + 2 * 32);
  assert.deepEqual(d.entries, [
    { type: 1, length: 40, proximityDomain: 0, base: 0x8000_0000, size: 0x4000_0000, flags: 1 },
    { type: 1, length: 40, proximityDomain: 1, base: 0xc000_0000, size: 0x2000_0000, flags: 0b111 },
    { type: 7, length: 20, proximityDomain: 0, acpiProcessorUid: 0, flags: 1, clockDomain: 0 },
    { type: 7, length: 20, proximityDomain: 1, acpiProcessorUid: 1, flags: 1, clockDomain: 3 },
    { type: 6, length: 32, handleType: 0, proximityDomain: 2, hid: 'ACPI0016', uid: 7, flags: 1 },
    { type: 6, length: 32, handleType: 0, proximityDomain: 3, hid: 'ACPI0016', uid: 6, flags: 1 },
  ]);
  // The ACPI handle's 4 trailing reserved bytes and the flags' neighbours stay 0.
  const gp = 48 + 80 + 40;
  assert.deepEqual([...b.subarray(gp + 20, gp + 24)], [0, 0, 0, 0]);
  assert.deepEqual([...b.subarray(gp + 28, gp + 32)], [0, 0, 0, 0]);
  const legacy = decodeSrat(buildSrat(p, DEFAULT_OEM, { legacyOnly: true }));
  assert.deepEqual(
    legacy.entries.map((e) => e.type),
    [1, 1],
  );
  assert.ok(legacy.header.checksumOk);
});

test('SLIT: N and the row-major matrix; the diagonal must be 10 and 0..9 are reserved', () => {
  const p = samplePlatform();
  const b = buildSlit(p.distances!, DEFAULT_OEM);
  const d = decodeSlit(b);
  assert.equal(b.length, 44 + 16);
  assert.ok(d.header.checksumOk);
  assert.deepEqual(d.distances, p.distances);
  assert.throws(
    () =>
      buildSlit(
        [
          [10, 20],
          [20, 11],
        ],
        DEFAULT_OEM,
      ),
    /distances\[1\]\[1\]: 11/,
  );
  assert.throws(
    () =>
      buildSlit(
        [
          [10, 5],
          [20, 10],
        ],
        DEFAULT_OEM,
      ),
    /distances\[0\]\[1\]: 5.*reserved/,
  );
  assert.throws(() => buildSlit([[10, 20], [20]], DEFAULT_OEM), /distances\[1\]/);
});

test('HMAT: memory PD attributes and SLLBI matrices (ps / MB/s, power-of-ten base units, padding)', () => {
  const p = samplePlatform();
  const b = buildHmat(p.hmat!, DEFAULT_OEM);
  const d = decodeHmat(b);
  assert.equal(d.header.revision, 2);
  assert.ok(d.header.checksumOk);
  assert.deepEqual(d.entries.slice(0, 2), [
    { type: 0, length: 40, flags: 1, initiatorDomain: 0, memoryDomain: 0 },
    { type: 0, length: 40, flags: 0, initiatorDomain: 0, memoryDomain: 1 },
  ]);
  const [rl, wb, ab] = d.entries.slice(2) as {
    type: 1;
    length: number;
    flags: number;
    dataType: number;
    initiators: number[];
    targets: number[];
    baseUnit: number;
    entries: number[][];
  }[];
  // 2 x 3 read latency: 32 + 8 + 12 + 12 bytes; largest 300000 ps needs base 10.
  assert.deepEqual(rl, {
    type: 1,
    length: 64,
    flags: 0,
    dataType: 1,
    initiators: [0, 1],
    targets: [0, 1, 2],
    baseUnit: 10,
    entries: [
      [10000, 25000, 30000],
      [26000, 11000, 0],
    ],
  });
  // 1 x 1: 2 bytes of entries padded to 4.
  assert.deepEqual(wb, {
    type: 1,
    length: 44,
    flags: 0,
    dataType: 5,
    initiators: [0],
    targets: [2],
    baseUnit: 1,
    entries: [[16000]],
  });
  assert.deepEqual(ab, {
    type: 1,
    length: 48,
    flags: 1,
    dataType: 3,
    initiators: [0],
    targets: [0, 1],
    baseUnit: 10,
    entries: [[20000, 6400]],
  });
  assert.equal(b.length, 40 + 80 + 64 + 44 + 48);
  assert.deepEqual([...b.subarray(40 + 80 + 64 + 42, 40 + 80 + 64 + 44)], [0, 0]);
  // Every value = entry x base unit, exactly as configured.
  for (const [e, lb] of [
    [rl, p.hmat!.localities[0]!],
    [wb, p.hmat!.localities[1]!],
    [ab, p.hmat!.localities[2]!],
  ] as const) {
    e.entries.forEach((row, i) => row.forEach((v, j) => assert.equal(v * e.baseUnit, lb.values[i]![j] ?? 0)));
  }
});

test('layout: RSDP -> XSDT -> tables, 16-byte aligned, every checksum 0, above 4 GiB too', () => {
  for (const base of [0x8ff0_0000, 0x123_4567_8000]) {
    const L = buildAcpiLayout(samplePlatform(), base);
    assert.equal(L.rsdpAddress, base);
    const w = walkFromRsdp(L.image, base, L.rsdpAddress);
    assert.equal(w.rsdp.signature, 'RSD PTR ');
    assert.equal(w.rsdp.revision, 2);
    assert.equal(w.rsdp.length, 36);
    assert.equal(w.rsdp.rsdtAddress, 0);
    assert.ok(w.rsdp.checksumOk && w.rsdp.extendedChecksumOk);
    assert.equal(w.rsdp.xsdtAddress, L.xsdtAddress);
    assert.ok(w.xsdt.header.checksumOk);
    assert.equal(w.xsdt.header.signature, 'XSDT');
    assert.deepEqual([...w.tables.keys()], ['CEDT', 'SRAT', 'SLIT', 'HMAT']);
    for (const t of L.tables) {
      assert.equal(t.address % 16, 0, t.name);
      assert.deepEqual(L.image.subarray(t.address - base, t.address - base + t.bytes.length), t.bytes);
      if (t.name !== 'RSDP') assert.ok(decodeHeader(t.bytes).checksumOk, t.name);
    }
    assert.deepEqual(
      w.xsdt.entries,
      L.tables.slice(2).map((t) => t.address),
    );
    assert.deepEqual(decodeRsdp(L.tables[0]!.bytes).oemId, 'CXLEMU');
  }
  const noCxl = {
    ...samplePlatform(),
    hostBridges: [],
    windows: [],
    xorMaps: [],
    distances: undefined,
    hmat: undefined,
  };
  const L = buildAcpiLayout(noCxl, 0x1000);
  assert.deepEqual(
    L.tables.map((t) => t.name),
    ['RSDP', 'XSDT', 'SRAT'],
  );
  assert.throws(() => buildAcpiLayout(noCxl, 0x1008), /base.*16-byte aligned/);
});

test('seeded random platforms round-trip through the independent decoder (CEDT, SRAT, SLIT, HMAT)', () => {
  const WAYS = [1, 2, 3, 4, 6, 8, 12, 16];
  const GRANS = [256, 512, 1024, 2048, 4096, 8192, 16384];
  const RESTR = ['type2', 'type3', 'volatile', 'persistent', 'fixed', 'backInvalidate'] as const;
  const GB256 = 256 * 2 ** 20;
  for (let k = 0; k < cases(200); k++) {
    const seed = 0xacb1 + k;
    const r = new Prng(seed);
    const msg = `seed ${seed}`;
    const nHb = 1 + r.below(16);
    const hostBridges = Array.from({ length: nHb }, (_, i) => ({
      uid: i * 7 + r.below(7),
      chbsBase: r.below(2 ** 36) * 0x10000,
      chbsLength: r.below(2) ? 0x10000 : 0x2000,
      cxlVersion: r.below(2) as 0 | 1,
    }));
    const windows = Array.from({ length: r.below(6) }, () => {
      const ways = WAYS.filter((w) => w <= nHb)[r.below(WAYS.filter((w) => w <= nHb).length)]!;
      const pool = hostBridges.map((h) => h.uid);
      const targets: number[] = [];
      while (targets.length < ways) targets.push(pool.splice(r.below(pool.length), 1)[0]!);
      return {
        base: r.below(2 ** 24) * GB256,
        size: (1 + r.below(2 ** 10)) * GB256,
        targets,
        granularity: GRANS[r.below(GRANS.length)]!,
        arithmetic: (r.below(2) ? 'xor' : 'modulo') as 'xor' | 'modulo',
        restrictions: RESTR.filter(() => r.below(2)),
        qtgId: r.below(0x10000),
      };
    });
    const xorMaps = GRANS.filter(() => r.below(3) === 0).map((granularity) => ({
      granularity,
      maps: Array.from({ length: 1 + r.below(4) }, () => 1 + r.below(2 ** 52 - 1)),
    }));
    const mapCount = (g: number) => xorMaps.find((x) => x.granularity === g)?.maps.length ?? 0;
    const need = (ways: number) => [0, 0, 1, 0, 2, 0, 1, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4][ways]!;
    for (const x of windows)
      if (x.arithmetic === 'xor' && need(x.targets.length) > mapCount(x.granularity)) x.arithmetic = 'modulo';
    const n = 1 + r.below(6);
    const memory = Array.from({ length: r.below(5) }, () => ({
      proximityDomain: r.below(n),
      base: r.below(2 ** 40) * 4096,
      size: (1 + r.below(2 ** 30)) * 4096,
      hotPluggable: r.below(2) === 1,
      nonVolatile: r.below(2) === 1,
    }));
    const harts = Array.from({ length: r.below(5) }, (_, i) => ({
      acpiProcessorUid: i,
      proximityDomain: r.below(n),
      clockDomain: r.below(4),
    }));
    const genericPorts = hostBridges.filter(() => r.below(2)).map((h) => ({ proximityDomain: r.below(n), uid: h.uid }));
    const distances = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (i === j ? 10 : 11 + r.below(245))),
    );
    const localities = Array.from({ length: r.below(4) }, () => {
      const initiators = Array.from({ length: 1 + r.below(3) }, () => r.below(n));
      const targets = Array.from({ length: 1 + r.below(4) }, () => r.below(n));
      const big = r.below(2) ? 2 ** 30 : 60000;
      return {
        hierarchy: (['memory', 'first-level', 'second-level', 'third-level'] as const)[r.below(4)]!,
        dataType: (
          [
            'access-latency',
            'read-latency',
            'write-latency',
            'access-bandwidth',
            'read-bandwidth',
            'write-bandwidth',
          ] as const
        )[r.below(6)]!,
        initiators,
        targets,
        values: initiators.map(() => targets.map(() => (r.below(5) === 0 ? undefined : r.below(big)))),
      };
    });
    const p: AcpiPlatform = {
      hostBridges,
      windows,
      xorMaps,
      memory,
      harts,
      genericPorts,
      distances,
      hmat: { memoryDomains: [], localities },
    };

    const L = buildAcpiLayout(p, r.below(2 ** 30) * 16);
    const w = walkFromRsdp(L.image, L.base, L.rsdpAddress);
    const cedt = decodeCedt(w.tables.get('CEDT')!);
    assert.ok(cedt.header.checksumOk, msg);
    const eniw = (ways: number) => (ways % 3 === 0 ? 8 + Math.log2(ways / 3) : Math.log2(ways));
    const bits = (names: readonly string[]) => names.reduce((a, x) => a | (1 << RESTR.indexOf(x as never)), 0);
    assert.deepEqual(
      cedt.entries,
      [
        ...hostBridges.map((h) => ({
          type: 0,
          length: 32,
          uid: h.uid,
          version: h.cxlVersion,
          base: h.chbsBase,
          size: h.chbsLength,
        })),
        ...windows.map((x) => ({
          type: 1,
          length: 36 + 4 * x.targets.length,
          base: x.base,
          size: x.size,
          eniw: eniw(x.targets.length),
          arithmetic: x.arithmetic === 'xor' ? 1 : 0,
          hbig: Math.log2(x.granularity) - 8,
          restrictions: bits(x.restrictions),
          qtgId: x.qtgId,
          targets: x.targets,
        })),
        ...xorMaps.map((x) => ({
          type: 2,
          length: 8 + 8 * x.maps.length,
          hbig: Math.log2(x.granularity) - 8,
          maps: x.maps,
        })),
      ],
      msg,
    );
    const srat = decodeSrat(w.tables.get('SRAT')!);
    assert.ok(srat.header.checksumOk, msg);
    assert.deepEqual(
      srat.entries,
      [
        ...memory.map((m) => ({
          type: 1,
          length: 40,
          proximityDomain: m.proximityDomain,
          base: m.base,
          size: m.size,
          flags: 1 | (m.hotPluggable ? 2 : 0) | (m.nonVolatile ? 4 : 0),
        })),
        ...harts.map((h) => ({
          type: 7,
          length: 20,
          proximityDomain: h.proximityDomain,
          acpiProcessorUid: h.acpiProcessorUid,
          flags: 1,
          clockDomain: h.clockDomain,
        })),
        ...genericPorts.map((g) => ({
          type: 6,
          length: 32,
          handleType: 0,
          proximityDomain: g.proximityDomain,
          hid: 'ACPI0016',
          uid: g.uid,
          flags: 1,
        })),
      ],
      msg,
    );
    assert.deepEqual(decodeSlit(w.tables.get('SLIT')!).distances, distances, msg);
    const hmat = decodeHmat(w.tables.get('HMAT')!);
    assert.ok(hmat.header.checksumOk, msg);
    hmat.entries.forEach((e, i) => {
      const lb = localities[i]!;
      const d = e as {
        flags: number;
        dataType: number;
        initiators: number[];
        targets: number[];
        baseUnit: number;
        entries: number[][];
        length: number;
      };
      assert.equal(d.flags, ['memory', 'first-level', 'second-level', 'third-level'].indexOf(lb.hierarchy), msg);
      assert.equal(
        d.dataType,
        [
          'access-latency',
          'read-latency',
          'write-latency',
          'access-bandwidth',
          'read-bandwidth',
          'write-bandwidth',
        ].indexOf(lb.dataType),
        msg,
      );
      assert.deepEqual([d.initiators, d.targets], [lb.initiators, lb.targets], msg);
      assert.equal(d.length % 4, 0, msg);
      d.entries.forEach((row, a) =>
        row.forEach((v, b) => {
          const want = lb.values[a]![b] ?? 0;
          assert.ok(v <= 0xfffe, msg);
          // Exact when it fits a u16; otherwise within half a base unit (and never 0 for a non-zero value).
          if (want === 0) assert.equal(v, 0, msg);
          else
            assert.ok(
              v >= 1 && Math.abs(v * d.baseUnit - want) <= Math.max(d.baseUnit / 2, want < d.baseUnit ? d.baseUnit : 0),
              `${msg}: ${v} x ${d.baseUnit} vs ${want}`,
            );
          if (d.baseUnit === 1) assert.equal(v, want, msg);
        }),
      );
    });
  }
});
