// CDAT bytes for type-3 devices and switches. Oracles: test/helpers/acpi-decoder.ts (an independent
// reader written from SPEC-NOTES 3, sharing no code with src/cxl/cdat.ts), the SPEC-NOTES 2.6 CDAT
// Table Access rules (handle 0 = header, next = 0xFFFF after the last, the sum is 0) replayed as
// Linux reads the table, and the machine description's perf attributes as configured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSwitchCdat, buildType3Cdat, type CdatTable } from '../../src/cxl/cdat.js';
import { cdatInputsOf, buildFirmwareTables } from '../../src/machine/firmware-tables.js';
import { decodeCdat, type CdatEntry } from '../helpers/acpi-decoder.js';

const PERF = { readLatencyNs: 150, writeLatencyNs: 250, readBandwidthMBs: 16000, writeBandwidthMBs: 16000 };

/** Read a CDAT the way Linux does over DOE: handle 0 first, follow `next` until 0xFFFF. */
function readByHandles(t: CdatTable): Uint8Array {
  const parts: Uint8Array[] = [];
  let handle = 0;
  for (let guard = 0; handle !== 0xffff; guard++) {
    assert.ok(guard < 1000, 'handle chain does not end');
    const e = t.entryAt(handle);
    assert.ok(e, `handle ${handle} answered`);
    parts.push(e.bytes);
    handle = e.next;
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** value = entry[0] x base unit (Linux cdat_normalize reads entry[0]). */
function dslbisValues(entries: CdatEntry[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of entries) {
    if (e.type === 1) {
      const d = e as Extract<CdatEntry, { type: 1; handle: number }>;
      m.set(`${d.handle}:${d.dataType}`, d.entries[0] * d.baseUnit);
    }
  }
  return m;
}

test('type-3 CDAT: header, DSMAS + 4 DSLBIS + DSEMTS per partition, checksum 0', () => {
  const t = buildType3Cdat({
    partitions: [
      { dpaBase: 0, length: 0x2000_0000, nonVolatile: false, perf: PERF },
      {
        dpaBase: 0x2000_0000,
        length: 0x10_0000_0000,
        nonVolatile: true,
        perf: { readLatencyNs: 300.5, writeLatencyNs: 600, readBandwidthMBs: 8000, writeBandwidthMBs: 250_000 },
      },
    ],
    sequence: 0x1234_5678,
  });
  const d = decodeCdat(t.bytes);
  assert.equal(d.length, 16 + 2 * 6 * 24);
  assert.equal(d.revision, 1);
  assert.ok(d.checksumOk);
  assert.equal(d.sequence, 0x1234_5678);
  assert.deepEqual(
    d.entries.map((e) => e.type),
    [0, 1, 1, 1, 1, 4, 0, 1, 1, 1, 1, 4],
  );
  assert.deepEqual(d.entries[0], { type: 0, length: 24, handle: 0, flags: 0, dpaBase: 0, dpaLength: 0x2000_0000 });
  assert.deepEqual(d.entries[6], {
    type: 0,
    length: 24,
    handle: 1,
    flags: 0b100,
    dpaBase: 0x2000_0000,
    dpaLength: 0x10_0000_0000,
  });
  assert.deepEqual(d.entries[5], {
    type: 4,
    length: 24,
    handle: 0,
    efiMemoryType: 1,
    dpaOffset: 0,
    dpaLength: 0x2000_0000,
  });
  assert.deepEqual(d.entries[11], {
    type: 4,
    length: 24,
    handle: 1,
    efiMemoryType: 2,
    dpaOffset: 0,
    dpaLength: 0x10_0000_0000,
  });
  // DSLBIS: 150 ns = 150000 ps fits a u16 with base 10; 16000 MB/s with base 1.
  assert.deepEqual(d.entries[1], {
    type: 1,
    length: 24,
    handle: 0,
    flags: 0,
    dataType: 1,
    baseUnit: 10,
    entries: [15000, 0, 0],
  });
  assert.deepEqual(d.entries[2], {
    type: 1,
    length: 24,
    handle: 0,
    flags: 0,
    dataType: 2,
    baseUnit: 10,
    entries: [25000, 0, 0],
  });
  assert.deepEqual(d.entries[3], {
    type: 1,
    length: 24,
    handle: 0,
    flags: 0,
    dataType: 4,
    baseUnit: 1,
    entries: [16000, 0, 0],
  });
  assert.deepEqual(d.entries[4], {
    type: 1,
    length: 24,
    handle: 0,
    flags: 0,
    dataType: 5,
    baseUnit: 1,
    entries: [16000, 0, 0],
  });
  const v = dslbisValues(d.entries);
  assert.equal(v.get('1:1'), 300_500);
  assert.equal(v.get('1:2'), 600_000);
  assert.equal(v.get('1:4'), 8000);
  assert.equal(v.get('1:5'), 250_000);
  // Reserved bytes of DSLBIS (+7, +22..23) and DSMAS (+6..7) stay 0.
  const dslbis0 = 16 + 24;
  assert.equal(t.bytes[dslbis0 + 7], 0);
  assert.deepEqual([...t.bytes.subarray(dslbis0 + 22, dslbis0 + 24)], [0, 0]);
  assert.deepEqual([...t.bytes.subarray(16 + 6, 16 + 8)], [0, 0]);
});

test('CDAT Table Access: handle 0 is the header, handles count up, 0xFFFF after the last; bad handles answer null', () => {
  const t = buildType3Cdat({ partitions: [{ dpaBase: 0, length: 0x1000_0000, nonVolatile: false, perf: PERF }] });
  assert.equal(t.entryAt(0)!.bytes.length, 16);
  assert.equal(t.entryAt(0)!.next, 1);
  assert.equal(t.entryAt(6)!.next, 0xffff);
  assert.equal(t.entryAt(7), null);
  assert.equal(t.entryAt(-1), null);
  assert.equal(t.entryAt(0xffff), null);
  const whole = readByHandles(t);
  assert.deepEqual(whole, t.bytes);
  // Linux: the length comes from the header, and the table read entry by entry sums to 0.
  assert.equal(new DataView(whole.buffer).getUint32(0, true), whole.length);
  assert.equal(whole.reduce((a, b) => a + b, 0) % 256, 0);
  // An empty device still has a header only.
  const empty = buildType3Cdat({ partitions: [] });
  assert.equal(empty.bytes.length, 16);
  assert.deepEqual(empty.entryAt(0)!.next, 0xffff);
});

test('switch CDAT: 4 SSLBIS (read/write latency, bandwidth), USP 0x0100 <-> each DSP', () => {
  const t = buildSwitchCdat({
    downstreamPorts: [0, 1, 5],
    perf: { readLatencyNs: 150, writeLatencyNs: 200, readBandwidthMBs: 64000, writeBandwidthMBs: 128000 },
    sequence: 3,
  });
  const d = decodeCdat(t.bytes);
  assert.ok(d.checksumOk);
  assert.equal(d.sequence, 3);
  assert.equal(d.length, 16 + 4 * (16 + 3 * 8));
  const port = (value: number) => [0, 1, 5].map((p) => ({ portX: 0x100, portY: p, value }));
  assert.deepEqual(d.entries, [
    { type: 5, length: 40, dataType: 1, baseUnit: 10, entries: port(15000) },
    { type: 5, length: 40, dataType: 2, baseUnit: 10, entries: port(20000) },
    { type: 5, length: 40, dataType: 4, baseUnit: 1, entries: port(64000) },
    { type: 5, length: 40, dataType: 5, baseUnit: 10, entries: port(12800) },
  ]);
  assert.deepEqual(readByHandles(t), t.bytes);
});

function description(perf: Record<string, number>) {
  return {
    ram: { size: '256M' },
    cxl: {
      hostBridges: [
        {
          id: 'hb0',
          busNr: 0x10,
          rootPorts: [
            {
              id: 'rp0',
              port: 0,
              child: { kind: 'type3', id: 'dev', volatile: { size: '256M' }, persistent: { size: '512M' }, perf },
            },
            {
              id: 'rp1',
              port: 1,
              child: {
                kind: 'switch',
                id: 'usp',
                downstreamPorts: [
                  { id: 'd0', port: 2, child: { kind: 'type3', id: 'behind', volatile: { size: '256M' } } },
                ],
                perf: { readLatencyNs: 40 },
              },
            },
          ],
        },
      ],
      windows: [{ id: 'W', size: '1G', targets: ['hb0'] }],
    },
  } as const;
}

test('CDAT values come from the description: two perf configurations give exactly their DSLBIS', () => {
  const configs = [
    { readLatencyNs: 170, writeLatencyNs: 420, readBandwidthMBs: 24000, writeBandwidthMBs: 12000 },
    { readLatencyNs: 90, writeLatencyNs: 95, readBandwidthMBs: 60000, writeBandwidthMBs: 30000 },
  ];
  const seen: string[] = [];
  for (const perf of configs) {
    const t = buildFirmwareTables(description(perf));
    assert.deepEqual(
      t.cdat.map((c) => c.memdev),
      ['mem0', 'mem1'],
    );
    const d = decodeCdat(t.cdat[0]!.bytes);
    assert.ok(d.checksumOk);
    const v = dslbisValues(d.entries);
    for (const handle of [0, 1]) {
      assert.equal(v.get(`${handle}:1`), perf.readLatencyNs * 1000);
      assert.equal(v.get(`${handle}:2`), perf.writeLatencyNs * 1000);
      assert.equal(v.get(`${handle}:4`), perf.readBandwidthMBs);
      assert.equal(v.get(`${handle}:5`), perf.writeBandwidthMBs);
    }
    // Volatile partition at DPA 0, persistent right after it.
    const dsmas = d.entries.filter((e) => e.type === 0) as Extract<CdatEntry, { type: 0; handle: number }>[];
    assert.deepEqual(
      dsmas.map((x) => [x.handle, x.flags, x.dpaBase, x.dpaLength]),
      [
        [0, 0, 0, 0x1000_0000],
        [1, 4, 0x1000_0000, 0x2000_0000],
      ],
    );
    // The device behind the switch keeps the defaults (QEMU's: 150/250 ns, 16000 MB/s).
    const behind = dslbisValues(decodeCdat(t.cdat[1]!.bytes).entries);
    assert.deepEqual([...behind.values()], [150_000, 250_000, 16000, 16000]);
    // The switch's SSLBIS carries its own perf (read latency 40 ns given, rest default).
    const sw = decodeCdat(t.switchCdat[0]!.bytes).entries as Extract<CdatEntry, { type: 5; dataType: number }>[];
    assert.deepEqual(
      sw.map((s) => s.entries[0]!.value * s.baseUnit),
      [40_000, 150_000, 16000, 16000],
    );
    assert.deepEqual(
      sw.map((s) => s.entries.map((e) => e.portY)),
      [[2], [2], [2], [2]],
    );
    seen.push(Buffer.from(t.cdat[0]!.bytes).toString('hex'));
  }
  assert.notEqual(seen[0], seen[1]);
  assert.equal(cdatInputsOf(description(configs[0]!)).memdevs[0]!.input.partitions[1]!.perf.readLatencyNs, 170);
});

test('CDAT errors name the field', () => {
  assert.throws(
    () => buildType3Cdat({ partitions: [{ dpaBase: -1, length: 1, nonVolatile: false, perf: PERF }] }),
    /partitions\[0\]\.dpaBase/,
  );
  assert.throws(
    () =>
      buildType3Cdat({
        partitions: [{ dpaBase: 0, length: 1, nonVolatile: false, perf: { ...PERF, readLatencyNs: Number.NaN } }],
      }),
    /partitions\[0\]\.dslbis\[1\]/,
  );
  assert.throws(() => buildType3Cdat({ partitions: [], sequence: 2 ** 32 }), /sequence/);
});

test('src/cxl/cdat.ts imports only src/cxl-math (so firmware-side tools can build CDAT without the device model)', async () => {
  const { readFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const { dirname, resolve } = await import('node:path');
  const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'cxl', 'cdat.ts');
  const imports = [...readFileSync(src, 'utf8').matchAll(/^\s*import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  assert.ok(imports.length > 0);
  for (const i of imports) assert.match(i, /^\.\.\/cxl-math\//, `cdat.ts imports ${i}`);
});

test('seeded random partitions and perf round-trip through the independent decoder', async () => {
  const { Prng } = await import('../helpers/prng.js');
  const { cases } = await import('../helpers/scale.js');
  const U = 256 * 2 ** 20;
  for (let k = 0; k < cases(300); k++) {
    const seed = 0xcda7 + k;
    const r = new Prng(seed);
    const msg = `seed ${seed}`;
    let dpa = 0;
    const partitions = Array.from({ length: r.below(3) }, (_, i) => {
      const length = (1 + r.below(2 ** 16)) * U;
      const p = {
        dpaBase: dpa,
        length,
        nonVolatile: i === 1 || r.below(2) === 1,
        perf: {
          readLatencyNs: 1 + r.below(10_000_000) / 1000,
          writeLatencyNs: 1 + r.below(5000),
          readBandwidthMBs: 1 + r.below(2_000_000),
          writeBandwidthMBs: 1 + r.below(65534),
        },
      };
      dpa += length;
      return p;
    });
    const sequence = r.u32();
    const t = buildType3Cdat({ partitions, sequence });
    const d = decodeCdat(t.bytes);
    assert.ok(d.checksumOk, msg);
    assert.equal(d.sequence, sequence, msg);
    assert.deepEqual(readByHandles(t), t.bytes, msg);
    assert.equal(d.entries.length, 6 * partitions.length, msg);
    partitions.forEach((p, h) => {
      const [ms, rl, wl, rb, wb, em] = d.entries.slice(6 * h, 6 * h + 6) as any[];
      assert.deepEqual(
        [ms.type, ms.handle, ms.flags, ms.dpaBase, ms.dpaLength],
        [0, h, p.nonVolatile ? 4 : 0, p.dpaBase, p.length],
        msg,
      );
      assert.deepEqual(
        [em.type, em.handle, em.efiMemoryType, em.dpaOffset, em.dpaLength],
        [4, h, p.nonVolatile ? 2 : 1, 0, p.length],
        msg,
      );
      const want = [
        Math.round(p.perf.readLatencyNs * 1000),
        Math.round(p.perf.writeLatencyNs * 1000),
        p.perf.readBandwidthMBs,
        p.perf.writeBandwidthMBs,
      ];
      [rl, wl, rb, wb].forEach((e, i) => {
        assert.deepEqual(
          [e.type, e.handle, e.dataType, e.entries[1], e.entries[2]],
          [1, h, [1, 2, 4, 5][i], 0, 0],
          msg,
        );
        assert.ok(e.entries[0] >= 1 && e.entries[0] <= 0xfffe, msg);
        // Power-of-ten base: exact when the value fits a u16, else within half a unit.
        assert.ok(
          Math.abs(e.entries[0] * e.baseUnit - want[i]!) <= e.baseUnit / 2,
          `${msg}: ${e.entries[0]} x ${e.baseUnit} vs ${want[i]}`,
        );
        if (want[i]! <= 0xfffe) assert.equal(e.entries[0] * e.baseUnit, want[i], msg);
      });
    });
  }
});
