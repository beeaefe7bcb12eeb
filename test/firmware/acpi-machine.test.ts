// ACPI tables of whole machine descriptions (src/machine/firmware-tables.ts). Oracles: the
// description's own fields (window bases, _UIDs, NUMA nodes, distances, HMAT figures) read back
// through test/helpers/acpi-decoder.ts, walking guest memory from the RSDP as a guest would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFirmwareTables } from '../../src/machine/firmware-tables.js';
import { defaultChbsBase } from '../../src/machine/board-map.js';
import { parseDescriptionText } from '../../src/machine/description.js';
import { defaultDescription } from '../../src/machine/default-machine.js';
import {
  decodeCedt,
  decodeHmat,
  decodeSlit,
  decodeSrat,
  walkFromRsdp,
  type CedtEntry,
  type SratEntry,
} from '../helpers/acpi-decoder.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const example = () =>
  parseDescriptionText(readFileSync(join(repo, 'test/golden/descriptions/example.yaml'), 'utf8'), 'example.yaml');

function walk(t: ReturnType<typeof buildFirmwareTables>) {
  return walkFromRsdp(t.layout.image, t.layout.base, t.layout.rsdpAddress);
}

test('docs example: CEDT names every host bridge by _UID and every window as placed', () => {
  const d = example();
  const t = buildFirmwareTables(d);
  const w = walk(t);
  const cedt = decodeCedt(w.tables.get('CEDT')!);
  assert.ok(cedt.header.checksumOk);
  const chbs = cedt.entries.filter((e) => e.type === 0) as Extract<CedtEntry, { type: 0; uid: number }>[];
  assert.deepEqual(
    chbs.map((c) => [c.uid, c.base, c.size, c.version]),
    [
      [0x10, defaultChbsBase(0), 0x10000, 1],
      [0x20, defaultChbsBase(1), 0x10000, 1],
    ],
  );
  const cfmws = cedt.entries.filter((e) => e.type === 1) as Extract<CedtEntry, { type: 1; targets: number[] }>[];
  assert.deepEqual(
    cfmws.map((c) => [c.base, c.size, c.targets, c.arithmetic, c.hbig, c.restrictions, c.qtgId]),
    [
      [0x1_0000_0000, 0x1_0000_0000, [0x10, 0x20], 0, 0, 0b1110, 0],
      [0x2_0000_0000, 0x1_0000_0000, [0x10, 0x20], 1, 0, 0b1110, 0],
      [0x3_0000_0000, 0x8000_0000, [0x10], 0, 0, 0b1010, 0],
    ],
  );
  assert.deepEqual(
    cfmws.map((c) => c.base),
    d.cxl.windows.map((x) => x.base),
  );
  assert.deepEqual(
    cedt.entries.filter((e) => e.type === 2),
    [{ type: 2, length: 16, hbig: 0, maps: [0x404100] }],
  );
  // SLIT mirrors the one distance given; HMAT carries node 1's 300 ns from initiator 0.
  assert.deepEqual(decodeSlit(w.tables.get('SLIT')!).distances, [
    [10, 20],
    [20, 10],
  ]);
  const hmat = decodeHmat(w.tables.get('HMAT')!);
  assert.ok(hmat.header.checksumOk);
  const lb = hmat.entries.find((e) => e.type === 1) as {
    baseUnit: number;
    entries: number[][];
    initiators: number[];
    targets: number[];
    dataType: number;
  };
  assert.deepEqual([lb.dataType, lb.initiators, lb.targets, lb.entries[0]![0]! * lb.baseUnit], [0, [0], [1], 300_000]);
  // Node 1 has an initiator (0): its memory PD attributes say so.
  assert.deepEqual(
    hmat.entries.filter((e) => e.type === 0),
    [
      { type: 0, length: 40, flags: 1, initiatorDomain: 0, memoryDomain: 0 },
      { type: 0, length: 40, flags: 1, initiatorDomain: 0, memoryDomain: 1 },
    ],
  );
  assert.match(t.decoded, /CFMWS 0x200000000 size 0x100000000 {2}2-way xor granularity 256/);
  assert.match(t.decoded, /CDAT mem1 \(slow0\)/);
});

test("default machine (no NUMA data): one domain holds all RAM and the hart, a generic port per host bridge past the windows' domains; SLIT 1x1; HMAT from the perf numbers; tables in RAM below the DTB slot", () => {
  const d = defaultDescription();
  const t = buildFirmwareTables(d);
  assert.deepEqual(
    t.acpi.map((a) => a.name),
    ['RSDP', 'XSDT', 'CEDT', 'SRAT', 'SLIT', 'HMAT'],
  );
  const w = walk(t);
  const srat = decodeSrat(w.tables.get('SRAT')!);
  const gp = (proximityDomain: number, uid: number) => ({
    type: 6,
    length: 32,
    handleType: 0,
    proximityDomain,
    hid: 'ACPI0016',
    uid,
    flags: 1,
  });
  assert.deepEqual(srat.entries, [
    { type: 1, length: 40, proximityDomain: 0, base: 0x8000_0000, size: d.ram.size, flags: 1 },
    { type: 7, length: 20, proximityDomain: 0, acpiProcessorUid: 0, flags: 1, clockDomain: 0 },
    gp(3, 16),
    gp(4, 32),
  ]);
  // HMAT: DRAM (domain 0, initiator 0) and both generic ports as targets of hart domain 0.
  const hmat = decodeHmat(w.tables.get('HMAT')!).entries;
  assert.deepEqual(
    hmat.map((e) => [e.type, (e as { dataType?: number }).dataType, (e as { targets?: number[] }).targets]),
    [
      [0, undefined, undefined],
      [1, 1, [0, 3, 4]],
      [1, 2, [0, 3, 4]],
      [1, 4, [0, 3, 4]],
      [1, 5, [0, 3, 4]],
    ],
  );
  assert.deepEqual(decodeSlit(w.tables.get('SLIT')!).distances, [[10]]);
  const top = 0x8000_0000 + d.ram.size;
  assert.ok(
    t.layout.base >= 0x8000_0000 && t.layout.base + t.layout.image.length <= top - 4 * 2 ** 20,
    `base ${t.layout.base.toString(16)}`,
  );
  assert.equal(t.layout.base % 0x10000, 0);
  assert.deepEqual(
    t.cdat.map((c) => c.memdev),
    ['mem0', 'mem1', 'mem2', 'mem3'],
  );
  assert.deepEqual(
    t.switchCdat.map((c) => c.switch),
    ['usp0'],
  );
  // The base can be chosen, and CHBS bases too.
  const t2 = buildFirmwareTables(d, { acpiBase: 0x8010_0000, chbsBase: (uid) => 0x5000_0000 + uid * 0x10000 });
  assert.equal(t2.layout.rsdpAddress, 0x8010_0000);
  const chbs = decodeCedt(walk(t2).tables.get('CEDT')!).entries.filter((e) => e.type === 0) as Extract<
    CedtEntry,
    { type: 0; base: number }
  >[];
  assert.deepEqual(
    chbs.map((c) => c.base),
    [0x5010_0000, 0x5020_0000],
  );
});

test('NUMA: RAM split by node size, harts by cpus=, generic port per host bridge with numaNode, bandwidth in MB/s (2^20 B/s)', () => {
  const t = buildFirmwareTables({
    ram: { size: '1G' },
    cpus: 3,
    cxl: {
      hostBridges: [
        { id: 'a', busNr: 1, uid: 0x41, numaNode: 3, rootPorts: [] },
        { id: 'b', busNr: 2, rootPorts: [] },
      ],
      windows: [{ id: 'W', size: '256M', targets: ['a', 'b'], granularity: 1024 }],
    },
    numa: {
      nodes: [
        { nodeId: 0, cpus: '0,2', ramSize: '512M' },
        { nodeId: 1, cpus: '1', ramSize: '256M' },
        { nodeId: 3 },
        { nodeId: 2 },
      ],
      distances: [
        { src: 0, dst: 1, value: 15 },
        { src: 1, dst: 0, value: 17 },
        { src: 2, dst: 3, value: 40 },
      ],
      hmatLb: [
        {
          initiator: 0,
          target: 3,
          hierarchy: 'memory',
          dataType: 'read-bandwidth',
          bandwidthBytesPerSec: 20 * 2 ** 30,
        },
        {
          initiator: 1,
          target: 3,
          hierarchy: 'memory',
          dataType: 'read-bandwidth',
          bandwidthBytesPerSec: 10 * 2 ** 30,
        },
        { initiator: 0, target: 3, hierarchy: 'memory', dataType: 'write-latency', latencyNs: 512.5 },
      ],
    },
  });
  const w = walk(t);
  const srat = decodeSrat(w.tables.get('SRAT')!);
  const pick = <T extends number>(type: T) =>
    srat.entries.filter((e) => e.type === type) as Extract<SratEntry, { type: T }>[];
  assert.deepEqual(
    pick(1).map((e) => [
      (e as { proximityDomain: number }).proximityDomain,
      (e as { base: number }).base,
      (e as { size: number }).size,
    ]),
    [
      [0, 0x8000_0000, 0x2000_0000],
      [1, 0xa000_0000, 0x1000_0000],
      [0, 0xb000_0000, 0x1000_0000], // RAM no node claims belongs to the first node
    ],
  );
  assert.deepEqual(
    pick(7).map((e) => [
      (e as { acpiProcessorUid: number }).acpiProcessorUid,
      (e as { proximityDomain: number }).proximityDomain,
    ]),
    [
      [0, 0],
      [1, 1],
      [2, 0],
    ],
  );
  assert.deepEqual(pick(6), [
    { type: 6, length: 32, handleType: 0, proximityDomain: 3, hid: 'ACPI0016', uid: 0x41, flags: 1 },
  ]);
  const slit = decodeSlit(w.tables.get('SLIT')!).distances;
  assert.deepEqual(slit, [
    [10, 15, 20, 20],
    [17, 10, 20, 20],
    [20, 20, 10, 40],
    [20, 20, 40, 10],
  ]);
  const hmat = decodeHmat(w.tables.get('HMAT')!);
  const lbs = hmat.entries.filter((e) => e.type === 1) as {
    dataType: number;
    initiators: number[];
    targets: number[];
    baseUnit: number;
    entries: number[][];
  }[];
  assert.deepEqual(
    lbs.map((l) => [l.dataType, l.initiators, l.targets, l.entries.map((r) => r.map((x) => x * l.baseUnit))]),
    [
      [2, [0], [3], [[512_500]]],
      [4, [0, 1], [3], [[20480], [10240]]],
    ],
  );
  // Memory PDs: the RAM nodes (initiator = itself, as they hold harts) and node 3 (a target, no initiator).
  assert.deepEqual(
    hmat.entries
      .filter((e) => e.type === 0)
      .map((e) => [(e as { memoryDomain: number }).memoryDomain, (e as { flags: number }).flags]),
    [
      [0, 1],
      [1, 1],
      [3, 0],
    ],
  );
});

test('a node-to-itself distance other than 10 is a ConfigError naming the field; 10 is accepted and changes nothing', () => {
  const desc = (value: number) => ({
    ram: { size: '256M' },
    numa: {
      nodes: [{ nodeId: 0 }, { nodeId: 1 }],
      distances: [
        { src: 1, dst: 1, value },
        { src: 1, dst: 0, value: 33 },
      ],
    },
  });
  assert.throws(
    () => buildFirmwareTables(desc(20)),
    (e: Error) =>
      e.name === 'ConfigError' && /numa\.distances\[0\]\.value: 20: 10 for a node to itself/.test(e.message),
  );
  const t = buildFirmwareTables(desc(10));
  assert.deepEqual(decodeSlit(walk(t).tables.get('SLIT')!).distances, [
    [10, 33],
    [33, 10],
  ]);
});
