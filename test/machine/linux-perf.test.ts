// What Linux derives from the description's performance numbers (src/machine/linux-perf.ts),
// against worked examples computed by hand from Linux 6.12's rules (drivers/cxl/core/cdat.c,
// port.c, pci.c; mm/memory-tiers.c): DRAM 100 ns / 20000 MB/s, a generic port 50 ns / 40000 MB/s,
// switch SSLBIS 20 ns / 30000 MB/s, every link 32 GT/s x8 (68 B flit: 2125 ps -> 3 ns per hop;
// raw 32000 MB/s; after 128b/130b encoding 31507 MB/s), device DSLBIS 150 ns / 10000 MB/s.
// The Linux tests (test/linux/cxl-acpi.test.ts) check the same numbers against the kernel itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abstractDistance, linkLatencyNs, linkRawMBs, regionPerf } from '../../src/machine/linux-perf.js';
import { type DescriptionInput, validateDescription } from '../../src/machine/index.js';

const perf = (lat: number, bw: number) => ({
  readLatencyNs: lat,
  writeLatencyNs: lat,
  readBandwidthMBs: bw,
  writeBandwidthMBs: bw,
});
const x8 = { speedGTs: 32, width: 8 };
const dev = (id: string, bw = 10000) => ({
  kind: 'type3' as const,
  id,
  volatile: { size: '256M' },
  perf: perf(150, bw),
});

function machine(switched: boolean, devBw = 10000): DescriptionInput {
  const rootPorts = switched
    ? [
        {
          id: 'rp0',
          port: 0,
          link: x8,
          child: {
            kind: 'switch' as const,
            id: 'sw',
            perf: perf(20, 30000),
            downstreamPorts: [
              { id: 'dsp0', port: 0, link: x8, child: dev('m0', devBw) },
              { id: 'dsp1', port: 1, link: x8, child: dev('m1', devBw) },
            ],
          },
        },
      ]
    : [
        { id: 'rp0', port: 0, link: x8, child: dev('m0', devBw) },
        { id: 'rp1', port: 1, link: x8, child: dev('m1', devBw) },
      ];
  return {
    ram: { size: '512M', perf: perf(100, 20000) },
    cxl: {
      hostBridges: [{ id: 'hb0', busNr: 12, perf: perf(50, 40000), rootPorts }],
      windows: [{ id: 'W', base: '0x1_0000_0000', size: '4G', targets: ['hb0'] }],
    },
  };
}

test('link flit time and raw rate as Linux computes them (68 B, ns rounded up per hop)', () => {
  assert.equal(linkLatencyNs({ speedGTs: 32, width: 8 }), 3); // 2125 ps
  assert.equal(linkLatencyNs({ speedGTs: 32, width: 16 }), 2); // 1062 ps
  assert.equal(linkLatencyNs({ speedGTs: 2.5, width: 8 }), 28); // 27200 ps
  assert.equal(linkLatencyNs({ speedGTs: 16, width: 4 }), 9); // 8500 ps
  assert.equal(linkRawMBs({ speedGTs: 32, width: 8 }), 32000);
  assert.equal(linkRawMBs({ speedGTs: 16, width: 4 }), 8000);
});

test('two devices behind one switch: 150 + 20 + 3 + 3 + 50 = 226 ns, 2 x 10000 MB/s, adistance 1301 (memory_tier10)', () => {
  const p = regionPerf(validateDescription(machine(true)), ['m0', 'm1'])!;
  assert.deepEqual(p.access0, {
    readLatencyNs: 226,
    writeLatencyNs: 226,
    readBandwidthMBs: 20000,
    writeBandwidthMBs: 20000,
  });
  assert.deepEqual(p.access1, p.access0);
  assert.equal(p.adistance, 1301);
  assert.equal(p.memoryTier, 10);
});

test('faster devices behind the switch: the upstream link caps the sum (min(32000, 2 x 25000)), memory_tier6', () => {
  const p = regionPerf(validateDescription(machine(true, 25000)), ['m0', 'm1'])!;
  assert.equal(p.access0.readBandwidthMBs, 32000);
  assert.equal(p.adistance, 813);
  assert.equal(p.memoryTier, 6);
});

test('two devices on root ports: 150 + 3 + 50 = 203 ns, 20000 MB/s, memory_tier9; one device alone', () => {
  const d = validateDescription(machine(false));
  const p = regionPerf(d, ['m0', 'm1'])!;
  assert.deepEqual(p.access0, {
    readLatencyNs: 203,
    writeLatencyNs: 203,
    readBandwidthMBs: 20000,
    writeBandwidthMBs: 20000,
  });
  assert.equal(p.adistance, 1169);
  assert.equal(p.memoryTier, 9);
  assert.equal(regionPerf(d, ['m1'])!.access0.readBandwidthMBs, 10000);
});

test('abstract distance: DRAM itself is 576 (memory_tier4); twice the latency at the same bandwidth is 1152', () => {
  const dram = { readLatencyNs: 100, writeLatencyNs: 100, readBandwidthMBs: 20000, writeBandwidthMBs: 20000 };
  assert.equal(abstractDistance(dram, dram), 576);
  assert.equal(abstractDistance({ ...dram, readLatencyNs: 200, writeLatencyNs: 200 }, dram), 1152);
});

test('machines with a numa section (hand-written HMAT) have no prediction', () => {
  const d = validateDescription({ ...machine(true), numa: { nodes: [{ nodeId: 0 }] } });
  assert.equal(regionPerf(d, ['m0']), undefined);
});
