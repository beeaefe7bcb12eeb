// Full placement audits (every word of every region) over the ways x granularity matrix; prints
// JSON figures. Ways 1, 2, 4, 8: one host bridge with W root ports under a 1-way window; 16: one
// host bridge, 2 root ports x a switch with 8 devices each; 3, 6, 12: a 3-way window over three host
// bridges with W/3 root ports each. Devices are 256 MiB; each region is W x 256 MiB (up to 4 GiB,
// more than one arena holds), so the region is audited in slices of `--slice` MiB (default 512):
// each slice runs on a freshly built machine whose pages are returned afterwards. `--length=N`
// audits only the first N MiB of each region. Combinations Linux's rules refuse (16-way at 16 KiB:
// the granularity chain exceeds 16 KiB) are reported with the rule's message.
// Usage: npm run audit:matrix [-- --length=256] [--slice=512] [--ways=1,2,3] [--gran=256,16384]

import { Arena } from '../src/memory/arena.js';
import { AddressSpace } from '../src/memory/address-space.js';
import { CxlTopology, RegionError, type TopologySpec } from '../src/cxl/index.js';
import type { HostBridgeSpec, SwitchSpec, Type3Spec } from '../src/cxl/topology-spec.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const SZ = 256 * MiB;
const WBASE = 0x1_0000_0000;
const link = { speedGTs: 32, width: 16 };
const perf = { readLatencyNs: 150, writeLatencyNs: 150, readBandwidthMBs: 20000, writeBandwidthMBs: 20000 };
const caps = { count: 8, ways3_6_12: true, ways16: true };

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const lengthMiB = arg('length') === undefined ? Infinity : Number(arg('length'));
const sliceMiB = Number(arg('slice') ?? 512);
const waysList = (arg('ways') ?? '1,2,3,4,6,8,12,16').split(',').map(Number);
const granList = (arg('gran') ?? '256,512,1024,2048,4096,8192,16384').split(',').map(Number);

let n = 0;
const mem = (): Type3Spec => {
  const name = `mem${n++}`;
  return {
    kind: 'type3',
    id: `dev-${name}`,
    name,
    serial: n,
    volatileBytes: 0,
    persistentBytes: SZ,
    lsaBytes: 0,
    sizedBy: name,
    perf,
    decoders: caps,
  };
};
const hb = (id: string, uid: number, children: (Type3Spec | SwitchSpec)[]): HostBridgeSpec => ({
  id,
  uid,
  busNr: uid * 16,
  rootPorts: children.map((c, i) => ({ id: `${id}-rp${i}`, port: i, link, child: c })),
  decoders: caps,
  hdmForPassthrough: false,
});
const sw = (id: string, k: number): SwitchSpec => ({
  kind: 'switch',
  id,
  decoders: caps,
  perf,
  downstreamPorts: Array.from({ length: k }, (_, i) => ({ id: `${id}-dsp${i}`, port: i, link, child: mem() })),
});

function specFor(ways: number, g: number): TopologySpec {
  n = 0;
  const window = (targets: string[], size: number) => ({
    id: 'w',
    base: WBASE,
    size,
    targets,
    granularity: g,
    arithmetic: 'modulo' as const,
    volatile: true,
    persistent: true,
    qtgId: 0,
  });
  if (ways % 3 === 0) {
    const per = ways / 3;
    const hbs = [0, 1, 2].map((h) =>
      hb(
        `hb${h}`,
        h,
        Array.from({ length: per }, () => mem()),
      ),
    );
    return { hostBridges: hbs, windows: [window(['hb0', 'hb1', 'hb2'], 12 * 768 * MiB)], xorMaps: [] };
  }
  if (ways === 16)
    return {
      hostBridges: [hb('hb0', 0, [sw('s0', 8), sw('s1', 8)])],
      windows: [window(['hb0'], 16 * GiB)],
      xorMaps: [],
    };
  return {
    hostBridges: [
      hb(
        'hb0',
        0,
        Array.from({ length: ways }, () => mem()),
      ),
    ],
    windows: [window(['hb0'], 16 * GiB)],
    xorMaps: [],
  };
}

const results: Record<string, unknown>[] = [];
const arena = new Arena({ bytes: Math.min(4 * GiB, sliceMiB * MiB + 256 * MiB) });
const t0 = performance.now();
let allOk = true;
for (const ways of waysList) {
  for (const g of granList) {
    const size = ways * SZ;
    const entry: Record<string, unknown> = { ways, granularity: g };
    let length = Math.min(size, lengthMiB * MiB);
    length -= length % (ways * g);
    let slice = Math.min(length, sliceMiB * MiB);
    slice -= slice % (ways * g);
    let words = 0;
    let mismatches = 0;
    let seconds = 0;
    const perDevice: Record<string, number> = {};
    const first: unknown[] = [];
    let refused = '';
    for (let off = 0; off < length && !refused; off += slice) {
      const as = new AddressSpace(arena);
      const topo = CxlTopology.build(specFor(ways, g), arena, as);
      try {
        topo.createRegion({ window: 'w', ways, granularity: g, memdevs: topo.memdevs.map((m) => m.name), size });
      } catch (e) {
        if (!(e instanceof RegionError)) throw e;
        refused = e.message;
        topo.close();
        break;
      }
      const a = topo.audit({ mode: 'full', offset: off, length: Math.min(slice, length - off) });
      const r = a.regions[0]!;
      words += r.words;
      mismatches += r.mismatchCount;
      seconds += r.seconds;
      for (const [k, v] of Object.entries(r.perDevice)) perDevice[k] = (perDevice[k] ?? 0) + v;
      if (first.length < 3) first.push(...r.mismatches.slice(0, 3 - first.length));
      topo.close();
    }
    if (refused) {
      entry.refused = refused;
      results.push(entry);
      process.stderr.write(`${ways}-way G=${g}: refused (${refused})\n`);
      continue;
    }
    const ok = mismatches === 0;
    if (!ok) allOk = false;
    Object.assign(entry, {
      ok,
      bytes: length,
      regionBytes: size,
      words,
      mismatches,
      seconds: +seconds.toFixed(3),
      MBs: Math.round(length / MiB / seconds),
      perDevice,
      ...(ok ? {} : { firstMismatches: first }),
    });
    results.push(entry);
    process.stderr.write(`${ways}-way G=${g}: ${ok ? 'ok' : 'MISMATCH'} ${words} words ${seconds.toFixed(2)} s\n`);
  }
}
console.log(
  JSON.stringify(
    {
      bench: 'audit-matrix',
      node: process.version,
      allOk,
      audits: results.filter((r) => 'ok' in r).length,
      refused: results.filter((r) => 'refused' in r).length,
      totalSeconds: +((performance.now() - t0) / 1000).toFixed(1),
      results,
    },
    null,
    2,
  ),
);
process.exitCode = allOk ? 0 : 1;
