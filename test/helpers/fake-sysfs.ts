// Fake sysfs trees for the host-discovery tests: the files src/host/sysfs.ts reads, laid out as
// Linux 6.12 lays them out (docs/host-cxl.md "Testing with fake sysfs trees"), in a temp dir.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface FakeAccess {
  readLatencyNs: number;
  writeLatencyNs: number;
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}
export interface FakeNode {
  node: number;
  cpus?: string;
  memKiB: number;
  /** One entry per online node, in node order. */
  distances: number[];
  access0?: FakeAccess;
  /** Initiator nodes of access0 (default [0]). */
  initiators?: number[];
  /** Memory block ids (nodeN/memoryM). */
  blocks?: number[];
  tier?: number;
}
export interface FakeRegion {
  id: number;
  resource: number;
  size: number;
  mode?: 'ram' | 'pmem';
  /** The dax device's target_node; absent: no dax device. */
  targetNode?: number;
}
export interface FakeHost {
  nodes: FakeNode[];
  regions?: FakeRegion[];
  /** Root decoders (CXL windows). */
  windows?: { name: string; start: number; size: number }[];
  blockSize?: number;
}

function put(root: string, path: string, text: string): void {
  const f = join(root, path);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, `${text}\n`);
}

/** Write `host` under a new temp dir; returns the root and a cleanup function. */
export function fakeSysfs(host: FakeHost): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'cxlemu-sysfs-'));
  const nodeDir = 'devices/system/node';
  put(root, `${nodeDir}/online`, host.nodes.map((n) => n.node).join(','));
  put(root, 'devices/system/memory/block_size_bytes', (host.blockSize ?? 0x8000000).toString(16));
  for (const n of host.nodes) {
    const d = `${nodeDir}/node${n.node}`;
    put(root, `${d}/cpulist`, n.cpus ?? '');
    put(
      root,
      `${d}/meminfo`,
      `Node ${n.node} MemTotal:       ${n.memKiB} kB\nNode ${n.node} MemFree:        ${n.memKiB} kB`,
    );
    put(root, `${d}/distance`, n.distances.join(' '));
    if (n.access0) {
      const a = `${d}/access0/initiators`;
      put(root, `${a}/read_latency`, String(n.access0.readLatencyNs));
      put(root, `${a}/write_latency`, String(n.access0.writeLatencyNs));
      put(root, `${a}/read_bandwidth`, String(n.access0.readBandwidthMBs));
      put(root, `${a}/write_bandwidth`, String(n.access0.writeBandwidthMBs));
      for (const i of n.initiators ?? [0]) symlinkSync(`../../../node${i}`, join(root, a, `node${i}`));
    }
    for (const b of n.blocks ?? []) {
      put(root, `devices/system/memory/memory${b}/phys_index`, b.toString(16).padStart(8, '0'));
      symlinkSync(`../../memory/memory${b}`, join(root, d, `memory${b}`));
    }
  }
  const tiers = new Map<number, number[]>();
  for (const n of host.nodes) if (n.tier !== undefined) tiers.set(n.tier, [...(tiers.get(n.tier) ?? []), n.node]);
  for (const [t, ns] of tiers) put(root, `devices/virtual/memory_tiering/memory_tier${t}/nodelist`, ns.join(','));
  const cxl = 'bus/cxl/devices';
  if ((host.regions?.length ?? 0) + (host.windows?.length ?? 0) > 0) mkdirSync(join(root, cxl), { recursive: true });
  for (const r of host.regions ?? []) {
    const d = `${cxl}/region${r.id}`;
    put(root, `${d}/resource`, `0x${r.resource.toString(16)}`);
    put(root, `${d}/size`, `0x${r.size.toString(16)}`);
    put(root, `${d}/mode`, r.mode ?? 'ram');
    if (r.targetNode !== undefined) put(root, `${d}/dax_region${r.id}/dax${r.id}.0/target_node`, String(r.targetNode));
  }
  for (const w of host.windows ?? []) {
    const d = `${cxl}/${w.name}`;
    put(root, `${d}/cap_ram`, '1');
    put(root, `${d}/start`, `0x${w.start.toString(16)}`);
    put(root, `${d}/size`, `0x${w.size.toString(16)}`);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const GiB = 2 ** 30;
const dram: FakeAccess = { readLatencyNs: 110, writeLatencyNs: 110, readBandwidthMBs: 40000, writeBandwidthMBs: 40000 };

/** A host with DRAM only: node 0 with CPUs, no /sys/bus/cxl. */
export const NO_CXL: FakeHost = {
  nodes: [{ node: 0, cpus: '0-7', memKiB: 16 * 1024 * 1024, distances: [10], access0: dram, tier: 4 }],
};

/** One CXL node: node 1 (CPU-less), region0 of 4 GiB onlined through dax0.0 (target_node 1). */
export const ONE_CXL: FakeHost = {
  nodes: [
    { node: 0, cpus: '0-7', memKiB: 16 * 1024 * 1024, distances: [10, 20], access0: dram, tier: 4 },
    {
      node: 1,
      memKiB: 4 * 1024 * 1024,
      distances: [20, 10],
      access0: { readLatencyNs: 250, writeLatencyNs: 270, readBandwidthMBs: 20000, writeBandwidthMBs: 18000 },
      blocks: [68, 69], // 2 GiB blocks: 0x22_0000_0000 and 0x22_8000_0000, inside region0
      tier: 22,
    },
  ],
  regions: [{ id: 0, resource: 0x22_0000_0000, size: 4 * GiB, targetNode: 1 }],
  windows: [{ name: 'decoder0.0', start: 0x22_0000_0000, size: 16 * GiB }],
  blockSize: 0x8000_0000,
};

/**
 * Two CXL nodes at different distances: node 1 (distance 20, region0 through dax, 4 GiB) and node 2
 * (distance 30, 2 GiB, no dax device: known by its memory blocks inside region1); a pmem region
 * that is not CXL RAM.
 */
export const TWO_CXL: FakeHost = {
  nodes: [
    { node: 0, cpus: '0-7', memKiB: 16 * 1024 * 1024, distances: [10, 20, 30], access0: dram, tier: 4 },
    {
      node: 1,
      memKiB: 4 * 1024 * 1024,
      distances: [20, 10, 25],
      access0: { readLatencyNs: 250, writeLatencyNs: 270, readBandwidthMBs: 20000, writeBandwidthMBs: 18000 },
      tier: 22,
    },
    {
      node: 2,
      memKiB: 2 * 1024 * 1024,
      distances: [30, 25, 10],
      access0: { readLatencyNs: 400, writeLatencyNs: 480, readBandwidthMBs: 9000, writeBandwidthMBs: 8000 },
      // Block size 2 GiB: block 144 starts at 0x48_0000_0000, inside region1.
      blocks: [144],
      tier: 22,
    },
  ],
  regions: [
    { id: 0, resource: 0x40_0000_0000, size: 4 * GiB, targetNode: 1 },
    { id: 1, resource: 0x48_0000_0000, size: 2 * GiB },
    { id: 2, resource: 0x50_0000_0000, size: 8 * GiB, mode: 'pmem' },
  ],
  blockSize: 0x8000_0000,
};

/** Run `fn` on a fresh tree of `host` and remove the tree afterwards (after the promise, if it returns one). */
export function withFakeSysfs<T>(host: FakeHost, fn: (root: string) => T): T {
  const t = fakeSysfs(host);
  let later = false;
  try {
    const r = fn(t.root);
    if (r instanceof Promise) {
      later = true;
      return r.finally(t.cleanup) as T;
    }
    return r;
  } finally {
    if (!later) t.cleanup();
  }
}
