// `cxlemu tiers` against Linux's memory-tier rules worked by hand (mm/memory-tiers.c, Linux 6.12):
//   adistance = 576 * (rl+wl)/(DRAM rl+wl) * (DRAM rb+wb)/(rb+wb), truncated after each step;
//   tier = adistance / 128; a node demotes to the nearest nodes of the next lower tier and falls
//   back to every lower tier; the top tier reaches the slowest tier holding a node with CPUs.
// Each configuration's access numbers are derived in the comments from the description (CDAT
// DSLBIS + SSLBIS + 68 B flit per link + the generic port; docs/linux-cxl.md), independently of
// src/machine/linux-perf.ts. Three machines: the default, guests/linux/machines/tiers.json, and
// three windows written here (two nodes sharing a tier, so node 0 demotes to both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), progress: false });
  return { status, out, err };
}

/** Linux's mt_perf_to_adistance, written out again for the hand computations below. */
const adist = (rl: number, wl: number, rb: number, wb: number, d: { rl: number; wl: number; rb: number; wb: number }) =>
  Math.floor((Math.floor((576 * (rl + wl)) / (d.rl + d.wl)) * (d.rb + d.wb)) / (rb + wb));

interface TiersJson {
  predicted: boolean;
  dramAdistance: number;
  chunkSize: number;
  nodes: { node: number; access: Record<string, number>; adistance: number; tier: number }[];
  tiers: { tier: number; adistanceStart: number; adistanceEnd: number; nodes: number[]; topTier: boolean }[];
  topTierAdistance: number;
  demotion: { node: number; preferred: number[]; fallback: number[] }[];
}

async function tiersOf(...machine: string[]): Promise<TiersJson> {
  const r = await run(...machine, '--json', 'tiers');
  assert.equal(r.status, 0, r.err);
  return JSON.parse(r.out) as TiersJson;
}

const acc = (rl: number, wl: number, rb: number, wb: number) => ({
  readLatencyNs: rl,
  writeLatencyNs: wl,
  readBandwidthMBs: rb,
  writeBandwidthMBs: wb,
});

test('the default machine: R0 (node 1) 354/454 ns, 64000 MB/s -> adistance 930, memory_tier7; R1 (node 2) 32000 MB/s -> 1861, memory_tier14', async () => {
  // DRAM 100/100 ns, 25600/25600 MB/s. mem0 behind the switch: DSLBIS 150 (write 250) + SSLBIS 150
  // + two 32 GT/s x16 links (68 B / 64000 MB/s = 1062 ps -> 2 ns each) + generic port 50 = 354
  // (write 454); mem2 on a root port: 150 + 2 + 50 = 202. Each device's bandwidth is
  // min(16000 DSLBIS, 16000 SSLBIS, 64000 port, 63014 encoded link) = 16000; the devices sit at
  // different depths, so the region sums them: R0 4 x 16000, R1 2 x 16000.
  const dram = { rl: 100, wl: 100, rb: 25600, wb: 25600 };
  const r0 = adist(354, 454, 64000, 64000, dram);
  const r1 = adist(354, 454, 32000, 32000, dram);
  // 576 * 808 / 200 = 2327.04 -> 2327; 2327 * 51200 / 128000 = 930.8 -> 930; / 64000 -> 1861.
  assert.equal(r0, 930);
  assert.equal(r1, 1861);
  const t = await tiersOf();
  assert.equal(t.predicted, true);
  assert.equal(t.dramAdistance, 576);
  assert.equal(t.chunkSize, 128);
  assert.deepEqual(
    t.nodes.map((n) => [n.node, n.access, n.adistance, n.tier]),
    [
      [0, acc(100, 100, 25600, 25600), 576, 4],
      [1, acc(354, 454, 64000, 64000), r0, Math.floor(r0 / 128)],
      [2, acc(354, 454, 32000, 32000), r1, Math.floor(r1 / 128)],
    ],
  );
  assert.deepEqual(t.tiers, [
    { tier: 4, adistanceStart: 512, adistanceEnd: 639, nodes: [0], topTier: true },
    { tier: 7, adistanceStart: 896, adistanceEnd: 1023, nodes: [1], topTier: false },
    { tier: 14, adistanceStart: 1792, adistanceEnd: 1919, nodes: [2], topTier: false },
  ]);
  assert.equal(t.topTierAdistance, 639);
  assert.deepEqual(t.demotion, [
    { node: 0, preferred: [1], fallback: [1, 2] },
    { node: 1, preferred: [2], fallback: [2] },
    { node: 2, preferred: [], fallback: [] },
  ]);
  const text = await run('tiers');
  assert.match(text.out, /^1 +W0: R0 +354\/454 +64000\/64000 +930 +memory_tier7$/m);
  assert.match(text.out, /^ {2}node 0 -> node 1 \(fallback: node 1, 2\)$/m);
});

test('tiers.json: Rfast 132/152 ns, 32000/28000 MB/s -> 697, memory_tier5; Rslow 474/624 ns, 8000 MB/s -> 10118, memory_tier79', async () => {
  // Rfast: DSLBIS 90/110 + 32 GT/s x16 link 2 + generic port 40 = 132/152; bandwidth
  // min(32000/28000, port 64000, link 63014). Rslow: DSLBIS 300/420 + SSLBIS 100/120 + 16 GT/s x8
  // link (68 B / 16000 MB/s = 4250 ps -> 5) + 16 GT/s x4 root link (8500 ps -> 9) + port 60/70
  // = 474/624; each device min(8000/6000 DSLBIS, 16000 SSLBIS, its x8 link 16000) and the x4
  // upstream link caps the pair at 8000 (raw 16 GT/s x4 = 8000 MB/s) in both directions.
  const dram = { rl: 100, wl: 100, rb: 25600, wb: 25600 };
  const fast = adist(132, 152, 32000, 28000, dram); // 576*284/200 = 817.92 -> 817; *51200/60000 -> 697
  const slow = adist(474, 624, 8000, 8000, dram); // 576*1098/200 = 3162.24 -> 3162; *51200/16000 -> 10118
  assert.equal(fast, 697);
  assert.equal(slow, 10118);
  const t = await tiersOf('--machine', join(repo, 'guests', 'linux', 'machines', 'tiers.json'));
  assert.deepEqual(
    t.nodes.map((n) => [n.node, n.access, n.adistance, n.tier]),
    [
      [0, acc(100, 100, 25600, 25600), 576, 4],
      [1, acc(132, 152, 32000, 28000), 697, 5],
      [2, acc(474, 624, 8000, 8000), 10118, 79],
    ],
  );
  assert.deepEqual(
    t.tiers.map((x) => [x.tier, x.nodes]),
    [
      [4, [0]],
      [5, [1]],
      [79, [2]],
    ],
  );
  assert.deepEqual(t.demotion[0], { node: 0, preferred: [1], fallback: [1, 2] });
});

test('three windows written here: two equal nodes share memory_tier56 and node 0 demotes to both; a slower node in memory_tier225', async () => {
  // DRAM 80/80 ns, 100000/100000 MB/s (the SPEC-NOTES example). Every host bridge: generic port
  // 10 ns, 200000 MB/s; every root port link 64 GT/s x16 (68 B / 128000 MB/s = 531 ps -> 1 ns;
  // encoded 16 x 64000 / 8 = 128000 MB/s). Devices A and B: DSLBIS 239 ns, 25000 MB/s -> 250 ns,
  // 25000 MB/s; device C: 489 ns, 12500 MB/s -> 500 ns, 12500 MB/s.
  const dram = { rl: 80, wl: 80, rb: 100000, wb: 100000 };
  const ab = adist(250, 250, 25000, 25000, dram); // 576*500/160 = 1800; 1800*200000/50000 = 7200
  const c = adist(500, 500, 12500, 12500, dram); // 576*1000/160 = 3600; 3600*200000/25000 = 28800
  assert.equal(ab, 7200);
  assert.equal(c, 28800);
  const perf = (lat: number, bw: number) => ({
    readLatencyNs: lat,
    writeLatencyNs: lat,
    readBandwidthMBs: bw,
    writeBandwidthMBs: bw,
  });
  const hb = (i: number, lat: number, bw: number) => ({
    id: `hb${i}`,
    busNr: 16 * (i + 1),
    perf: perf(10, 200000),
    rootPorts: [
      {
        id: `rp${i}`,
        port: 0,
        link: { speedGTs: 64, width: 16 },
        child: { kind: 'type3', id: `d${i}`, volatile: { size: '256M' }, perf: perf(lat, bw) },
      },
    ],
  });
  const machine = {
    ram: { size: '256M', perf: perf(80, 100000) },
    cxl: {
      hostBridges: [hb(0, 239, 25000), hb(1, 239, 25000), hb(2, 489, 12500)],
      windows: [0, 1, 2].map((i) => ({ id: `W${i}`, size: '256M', targets: [`hb${i}`] })),
    },
    state: {
      regions: [0, 1, 2].map((i) => ({
        name: `R${i}`,
        window: `W${i}`,
        granularity: 256,
        size: '256M',
        memdevs: [`d${i}`],
      })),
    },
  };
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-tiers-'));
  try {
    const f = join(dir, 'three.json');
    writeFileSync(f, JSON.stringify(machine));
    const t = await tiersOf('--machine', f);
    assert.deepEqual(
      t.nodes.map((n) => [n.node, n.access, n.adistance, n.tier]),
      [
        [0, acc(80, 80, 100000, 100000), 576, 4],
        [1, acc(250, 250, 25000, 25000), 7200, 56],
        [2, acc(250, 250, 25000, 25000), 7200, 56],
        [3, acc(500, 500, 12500, 12500), 28800, 225],
      ],
    );
    assert.deepEqual(t.tiers, [
      { tier: 4, adistanceStart: 512, adistanceEnd: 639, nodes: [0], topTier: true },
      { tier: 56, adistanceStart: 7168, adistanceEnd: 7295, nodes: [1, 2], topTier: false },
      { tier: 225, adistanceStart: 28800, adistanceEnd: 28927, nodes: [3], topTier: false },
    ]);
    // Every distance between distinct nodes is 20 (the SLIT covers node 0 only): both tier-56 nodes are nearest.
    assert.deepEqual(t.demotion, [
      { node: 0, preferred: [1, 2], fallback: [1, 2, 3] },
      { node: 1, preferred: [3], fallback: [3] },
      { node: 2, preferred: [3], fallback: [3] },
      { node: 3, preferred: [], fallback: [] },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a window without a region makes a node without memory and no tier; a numa section gets no prediction', async () => {
  const r = await run(
    '--qemu-file',
    join(repo, 'test', 'golden', 'qemu', 'issue3-qemu8-volatile.qemu'),
    '--json',
    'tiers',
  );
  assert.equal(r.status, 0, r.err);
  const t = JSON.parse(r.out) as TiersJson & { emptyWindows: { window: string; node: number }[] };
  assert.deepEqual(
    t.nodes.map((n) => n.node),
    [0],
  );
  assert.deepEqual(t.emptyWindows, [{ window: 'cxl-fmw.0', node: 1 }]);
  assert.deepEqual(t.demotion, [{ node: 0, preferred: [], fallback: [] }]);
  const numa = await run(
    '--qemu',
    '-M q35,cxl=on -m 1G -object memory-backend-ram,id=m0,size=1G -numa node,nodeid=0,memdev=m0,cpus=0',
    'tiers',
  );
  assert.equal(numa.status, 0, numa.err);
  assert.match(numa.out, /^no prediction: the machine has a numa section/);
});
