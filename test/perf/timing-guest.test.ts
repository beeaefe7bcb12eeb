// Timing mode seen from a guest (guests/perf/memlat.c under `run --timing`). Oracle: the numbers the
// description configures, summed along each path as Linux sums them (linux-perf.ts
// deviceCoordinates), and the model's stated bounds: a pointer chase far beyond the LLC reports the
// configured load-to-use latency; a 4 KiB working set the L1's; a read stream min(bandwidth,
// MSHRs x 64 B / latency) per device, twice that over a 2-way interleave where the bound allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../diff/harness.js';
import { Machine } from '../../src/machine/build.js';
import { runMachine } from '../../src/machine/run.js';
import { deviceCoordinates } from '../../src/machine/linux-perf.js';
import { DEFAULT_TIMING, type TimingParams } from '../../src/perf/timing-model.js';
import type { DescriptionInput } from '../../src/machine/description.js';

const ELF = join(REPO, 'guests', 'bin', 'memlat.elf');
const skip = existsSync(ELF) ? false : 'guests/bin/memlat.elf missing (make -C guests)';
const MAILBOX = 0x8100_0000;
const DATA_RAM = 0x8400_0000;
const CXL_1WAY = 0x1_0000_0000;

/** DRAM at 113.6 ns; one device alone in a 1-way window and two in a 2-way window behind one host bridge each. */
function description(): DescriptionInput {
  const dev = (id: string, serial: number) => ({
    kind: 'type3' as const,
    id,
    serial,
    volatile: { size: '256M' },
    // The host bridge's 100 ns, one Gen5 x16 hop (68 B: 2 ns rounded up) and 165.5 ns here (166
    // rounded up, as Linux sums) make 268 ns: the 267.5 ns end to end the test asks for, within 0.2%.
    // 1500 MB/s: below one hart's MSHR bound (16 x 64 B / 268 ns = 3821 MB/s), so a 2-way
    // interleave can double it.
    perf: { readLatencyNs: 165.5, writeLatencyNs: 165.5, readBandwidthMBs: 1500, writeBandwidthMBs: 1500 },
  });
  const hb = (id: string, busNr: number, uid: number, d: ReturnType<typeof dev>) => ({
    id,
    busNr,
    uid,
    perf: { readLatencyNs: 100, writeLatencyNs: 100, readBandwidthMBs: 64000, writeBandwidthMBs: 64000 },
    rootPorts: [{ id: `${id}rp0`, port: 0, child: d }],
  });
  return {
    version: 1,
    ram: {
      size: '512M',
      perf: { readLatencyNs: 113.6, writeLatencyNs: 113.6, readBandwidthMBs: 25600, writeBandwidthMBs: 25600 },
    },
    cpus: 1,
    cxl: {
      hostBridges: [hb('hb0', 16, 1, dev('d0', 1)), hb('hb1', 32, 2, dev('d1', 2)), hb('hb2', 48, 3, dev('d2', 3))],
      windows: [
        { id: 'W0', size: '256M', targets: ['hb0'], granularity: 256 },
        { id: 'W1', size: '512M', targets: ['hb1', 'hb2'], granularity: 256 },
      ],
    },
    state: {
      regions: [
        { name: 'R0', window: 'W0', ways: 1, granularity: 256, size: '256M', memdevs: ['d0'] },
        { name: 'R1', window: 'W1', ways: 2, granularity: 256, size: '512M', memdevs: ['d1', 'd2'] },
      ],
    },
  } as unknown as DescriptionInput;
}

async function probe(
  mode: 1 | 2,
  base: number,
  bytes: number,
  count: number,
  timing: TimingParams = DEFAULT_TIMING,
  desc: DescriptionInput = description(),
) {
  const m = Machine.build(desc);
  try {
    const r1 = m.regions.find((r) => r.name === 'R1')!;
    const put = (i: number, v: number) =>
      m.addressSpace.store(MAILBOX + 8 * i, 8, v % 2 ** 32, Math.floor(v / 2 ** 32));
    put(0, mode);
    put(1, base === -1 ? r1.base : base);
    put(2, bytes);
    put(3, count);
    let out = '';
    const r = await runMachine(m, {
      kernel: ELF,
      timing,
      output: (c) => {
        out += Buffer.from(c).toString('latin1');
      },
      maxInstructions: 400_000_000,
    });
    assert.equal(r.kind, 'program');
    if (r.kind !== 'program') throw new Error('no program result');
    assert.equal(r.result.exit.kind, 'pass', out);
    const cyc = Number(/cycles=(\d+)/.exec(out)![1]);
    return { cycles: cyc, out, stats: r.result.timing!, coords: deviceCoordinates(m.initial) };
  } finally {
    m.close();
  }
}

const GHZ = DEFAULT_TIMING.cpuGHz;
/**
 * Small caches, so that working sets "far above the LLC" stay short to run: a 16 MiB chase over a
 * 256 KiB LLC hits it on about 1/64 of its loads.
 */
const SMALL: TimingParams = {
  ...DEFAULT_TIMING,
  l2: { ...DEFAULT_TIMING.l2, sizeBytes: 128 * 1024 },
  llc: { ...DEFAULT_TIMING.llc, sizeBytes: 256 * 1024 },
};
const within = (got: number, want: number, tol: number, what: string) =>
  assert.ok(
    Math.abs(got - want) <= tol * want,
    `${what}: ${got.toFixed(2)} vs ${want.toFixed(2)} (tolerance ${tol * 100}%)`,
  );

test('pointer chase: DRAM at 113.6 ns and CXL at 267.5 ns within 3% (16 MiB working sets, 64x the LLC); 4 KiB reports the L1 latency', {
  skip,
}, async () => {
  const loads = 20_000;
  const dram = await probe(1, DATA_RAM, 16 * 2 ** 20, loads, SMALL);
  within(dram.cycles / loads / GHZ, 113.6, 0.03, 'DRAM ns per load');
  // `time` follows the modelled cycles: one 10 MHz tick per cpuGHz x 100 cycles.
  const ticks = Number(/ticks=(\d+)/.exec(dram.out)![1]);
  within(ticks, dram.cycles / (GHZ * 100), 0.01, 'time ticks over the chase');
  const cxl = await probe(1, CXL_1WAY, 16 * 2 ** 20, loads, SMALL);
  assert.equal(cxl.coords.get('mem0')!.readLatencyNs, 268, "Linux's sum for the path (each part rounded up)");
  within(cxl.cycles / loads / GHZ, 267.5, 0.03, 'CXL ns per load');
  const l1 = await probe(1, DATA_RAM, 4096, 64 * 1024);
  within(l1.cycles / (64 * 1024), DEFAULT_TIMING.l1.latencyCycles, 0.05, 'L1 cycles per load');
  // Every timed chase load beyond the LLC went to memory once.
  const t = cxl.stats.targets.find((x) => x.target === 'mem0')!;
  assert.ok(t.reads >= loads, `${t.reads} CXL reads for ${loads} loads`);
});

test('read stream: one device reaches min(bandwidth, MSHRs x 64 B / latency); a 2-way interleave twice one device where that bound allows', {
  skip,
}, async () => {
  const bytes = 4 * 2 ** 20; // 16x the LLC
  // bytes per ns = GB/s; x 1000 = MB/s
  const mbs = (r: { cycles: number }, passes: number) => ((bytes * passes) / (r.cycles / GHZ)) * 1000;
  const one = await probe(2, CXL_1WAY, bytes, 1, SMALL);
  const mshrBound = ((DEFAULT_TIMING.mshrs * 64) / 268) * 1000; // one hart, MB/s
  within(mbs(one, 1), Math.min(1500, mshrBound), 0.1, 'one device MB/s');
  const two = await probe(2, -1, bytes, 1, SMALL);
  within(mbs(two, 1), Math.min(2 * 1500, mshrBound), 0.1, '2-way MB/s');
});

/** Two 1500 MB/s devices behind one switch whose SSLBIS allows 2000 MB/s, interleaved 2-way below it. */
function switched(): DescriptionInput {
  const dev = (id: string, serial: number) => ({
    kind: 'type3' as const,
    id,
    serial,
    volatile: { size: '256M' },
    perf: { readLatencyNs: 100, writeLatencyNs: 100, readBandwidthMBs: 1500, writeBandwidthMBs: 1500 },
  });
  return {
    version: 1,
    ram: { size: '512M' },
    cpus: 1,
    cxl: {
      hostBridges: [
        {
          id: 'hb0',
          busNr: 16,
          uid: 1,
          rootPorts: [
            {
              id: 'rp0',
              port: 0,
              child: {
                kind: 'switch',
                id: 'sw0',
                perf: { readLatencyNs: 10, writeLatencyNs: 10, readBandwidthMBs: 2000, writeBandwidthMBs: 2000 },
                downstreamPorts: [
                  { id: 'dsp0', port: 0, child: dev('d0', 1) },
                  { id: 'dsp1', port: 1, child: dev('d1', 2) },
                ],
              },
            },
          ],
        },
      ],
      windows: [{ id: 'W0', size: '512M', targets: ['hb0'], granularity: 256 }],
    },
    state: { regions: [{ name: 'R0', window: 'W0', ways: 2, granularity: 256, size: '512M', memdevs: ['d0', 'd1'] }] },
  } as unknown as DescriptionInput;
}

test('read stream through a shared switch: a 2-way interleave below it is capped by the switch (2000 MB/s), not the devices (2 x 1500)', {
  skip,
}, async () => {
  const bytes = 4 * 2 ** 20;
  const r = await probe(2, CXL_1WAY, bytes, 1, SMALL, switched());
  const lat = r.coords.get('mem0')!.readLatencyNs;
  const mshrBound = ((DEFAULT_TIMING.mshrs * 64) / lat) * 1000;
  assert.ok(mshrBound > 2000, `the MSHR bound (${mshrBound.toFixed(0)} MB/s) is not what limits here`);
  within((bytes / (r.cycles / GHZ)) * 1000, 2000, 0.1, 'MB/s through the switch');
  const sw = r.stats.targets.filter((t) => t.target === 'mem0' || t.target === 'mem1');
  assert.equal(sw.length, 2, 'both devices served the stream');
  // The same lines by window and region: everything both devices read went through W0 and R0.
  const both = sw[0]!.reads + sw[1]!.reads;
  assert.deepEqual(
    [r.stats.windows.map((w) => [w.window, w.reads]), r.stats.regions.map((x) => [x.region, x.reads])],
    [[['W0', both]], [['R0', both]]],
  );
});
