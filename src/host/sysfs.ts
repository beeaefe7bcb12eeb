// What the host has: its NUMA nodes, which of them hold CXL RAM, each node's access-class latency
// and bandwidth, and the memory tiers the host kernel formed, all read from sysfs under a root
// path the caller gives (tests hand it fake trees). Owns the sysfs file formats and the rules that
// call a node "CXL"; never builds a description (src/machine/host.ts does) and never writes.
//
// A node is a CXL node when
//   - a CXL RAM region's dax device names it as its target_node (regionZ/dax_regionZ/daxZ.N), or
//   - it has no CPUs and one of its memory blocks lies inside a CXL region or a CXL window (a root
//     decoder's start/size): platform firmware may online CXL memory without a Linux region.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The sysfs root when none is given: CXLEMU_SYSFS_ROOT, else /sys. */
export const SYSFS_ROOT_ENV = 'CXLEMU_SYSFS_ROOT';

export function sysfsRootFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const v = env[SYSFS_ROOT_ENV];
  return v !== undefined && v !== '' ? v : '/sys';
}

/** One access class's numbers (nodeN/accessK/initiators/*): ns and MB/s, as Linux prints them. */
export interface HostAccess {
  readLatencyNs: number;
  writeLatencyNs: number;
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}

export interface HostNode {
  node: number;
  /** The node's cpulist ('' for a CPU-less node). */
  cpus: string;
  /** MemTotal from nodeN/meminfo (0: no memory online). */
  memBytes: number;
  /** SLIT distance to each online node, by node number. */
  distances: Record<number, number>;
  /** access0 (nearest initiator) and access1 (nearest CPU), when the firmware gave numbers. */
  access0?: HostAccess;
  access1?: HostAccess;
  /** The initiator nodes access0 is measured from (nodeN/access0/initiators/nodeM links). */
  access0Initiators: number[];
  /** memory_tierN holding the node, when the host kernel tiers memory. */
  memoryTier?: number;
}

export interface HostCxlRegion {
  /** regionZ */
  name: string;
  resource: number;
  size: number;
  /** 'ram' or 'pmem' ('' when the kernel has no mode attribute). */
  mode: string;
  /** target_node of each dax device of the region. */
  targetNodes: number[];
}

export interface HostCxlWindow {
  /** A root decoder (decoderX.Y with cap_ram): the host's CXL fixed memory window. */
  name: string;
  start: number;
  size: number;
}

export interface HostCxlNode {
  node: number;
  /** Why the node is CXL: a region's dax target_node, or a CPU-less node's memory in a region or window. */
  evidence: ('dax-target-node' | 'memory-in-cxl-region' | 'memory-in-cxl-window')[];
  /** The CXL regions whose memory the node holds. */
  regions: string[];
  /** The CXL capacity behind the node: its regions' sizes, else the node's MemTotal. */
  sizeBytes: number;
}

export interface HostMemory {
  sysfsRoot: string;
  nodes: HostNode[];
  regions: HostCxlRegion[];
  windows: HostCxlWindow[];
  cxlNodes: HostCxlNode[];
  /** The host kernel's memory tiers (memory_tierN/nodelist), lowest N (fastest) first. */
  tiers: { tier: number; nodes: number[] }[];
  /** What could not be read, said once each ("no /sys/bus/cxl: ..."). */
  notes: string[];
}

/** "0-2,5" -> [0, 1, 2, 5] (Linux's nodelist/cpulist format); '' -> []. */
export function parseIdList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A sysfs number: decimal, or hex with 0x (region resource/size) or, with `hex`, bare hex. */
function num(text: string | undefined, hex = false): number | undefined {
  if (text === undefined || text === '') return undefined;
  const t = text.trim();
  const n = /^0x/i.test(t) ? Number.parseInt(t.slice(2), 16) : hex ? Number.parseInt(t, 16) : Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function readAccess(dir: string): HostAccess | undefined {
  const rl = num(read(join(dir, 'read_latency')));
  const wl = num(read(join(dir, 'write_latency')));
  const rb = num(read(join(dir, 'read_bandwidth')));
  const wb = num(read(join(dir, 'write_bandwidth')));
  // A firmware that gives one direction only (HMAT "access" data types) has it count for both.
  const lat = rl ?? wl;
  const bw = rb ?? wb;
  if (lat === undefined || bw === undefined || lat <= 0 || bw <= 0) return undefined;
  return {
    readLatencyNs: rl ?? lat,
    writeLatencyNs: wl ?? lat,
    readBandwidthMBs: rb ?? bw,
    writeBandwidthMBs: wb ?? bw,
  };
}

const byNumber = (prefix: string) => (names: string[]) =>
  names
    .map((n) => new RegExp(`^${prefix}(\\d+)$`).exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);

function readNodes(root: string, notes: string[]): HostNode[] {
  const nodeDir = join(root, 'devices', 'system', 'node');
  const ids = byNumber('node')(list(nodeDir));
  if (ids.length === 0) notes.push(`no NUMA nodes under ${nodeDir}`);
  const online = parseIdList(read(join(nodeDir, 'online')) ?? ids.join(','));
  return ids.map((node) => {
    const d = join(nodeDir, `node${node}`);
    const mem = /MemTotal:\s+(\d+)\s*kB/.exec(read(join(d, 'meminfo')) ?? '');
    const dist = (read(join(d, 'distance')) ?? '').split(/\s+/).filter((x) => x !== '');
    const distances: Record<number, number> = {};
    dist.forEach((v, i) => {
      const to = online[i];
      if (to !== undefined) distances[to] = Number(v);
    });
    const initiators = join(d, 'access0', 'initiators');
    const a0 = readAccess(initiators);
    const a1 = readAccess(join(d, 'access1', 'initiators'));
    return {
      node,
      cpus: read(join(d, 'cpulist')) ?? '',
      memBytes: mem ? Number(mem[1]) * 1024 : 0,
      distances,
      ...(a0 ? { access0: a0 } : {}),
      ...(a1 ? { access1: a1 } : {}),
      access0Initiators: byNumber('node')(list(initiators)),
    };
  });
}

function readCxl(root: string, notes: string[]): { regions: HostCxlRegion[]; windows: HostCxlWindow[] } {
  const dir = join(root, 'bus', 'cxl', 'devices');
  const names = list(dir);
  if (names.length === 0) {
    notes.push(`no CXL devices under ${dir} (no CXL hardware, or the cxl_acpi driver is not loaded)`);
    return { regions: [], windows: [] };
  }
  const regions: HostCxlRegion[] = [];
  const windows: HostCxlWindow[] = [];
  for (const name of names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const d = join(dir, name);
    if (/^region\d+$/.test(name)) {
      const id = name.slice('region'.length);
      const daxRegion = join(d, `dax_region${id}`);
      const targetNodes = list(daxRegion)
        .filter((x) => /^dax\d+\.\d+$/.test(x))
        .map((x) => num(read(join(daxRegion, x, 'target_node'))))
        .filter((n): n is number => n !== undefined && n >= 0);
      regions.push({
        name,
        resource: num(read(join(d, 'resource'))) ?? 0,
        size: num(read(join(d, 'size'))) ?? 0,
        mode: read(join(d, 'mode')) ?? '',
        targetNodes: [...new Set(targetNodes)].sort((a, b) => a - b),
      });
    } else if (/^decoder\d+\.\d+$/.test(name) && read(join(d, 'cap_ram')) !== undefined) {
      const start = num(read(join(d, 'start')));
      const size = num(read(join(d, 'size')));
      if (start !== undefined && size !== undefined && size > 0 && read(join(d, 'cap_ram')) === '1')
        windows.push({ name, start, size });
    }
  }
  return { regions, windows };
}

/** Start addresses of the node's memory blocks (nodeN/memoryM, M * block_size_bytes). */
function memoryBlockStarts(root: string, node: number): number[] {
  const blockSize = num(read(join(root, 'devices', 'system', 'memory', 'block_size_bytes')), true);
  if (blockSize === undefined) return [];
  return byNumber('memory')(list(join(root, 'devices', 'system', 'node', `node${node}`))).map((b) => b * blockSize);
}

function readTiers(root: string, nodes: HostNode[]): HostMemory['tiers'] {
  const dir = join(root, 'devices', 'virtual', 'memory_tiering');
  const tiers = byNumber('memory_tier')(list(dir)).map((tier) => ({
    tier,
    nodes: parseIdList(read(join(dir, `memory_tier${tier}`, 'nodelist')) ?? ''),
  }));
  for (const t of tiers)
    for (const n of t.nodes) {
      const node = nodes.find((x) => x.node === n);
      if (node) node.memoryTier = t.tier;
    }
  return tiers;
}

/** Everything cxlemu reads about the host's memory, from the sysfs tree at `sysfsRoot`. */
export function discoverHostMemory(sysfsRoot: string = sysfsRootFromEnv()): HostMemory {
  const notes: string[] = [];
  const nodes = readNodes(sysfsRoot, notes);
  const { regions, windows } = readCxl(sysfsRoot, notes);
  const tiers = readTiers(sysfsRoot, nodes);
  const ramRegions = regions.filter((r) => r.mode === 'ram' || r.mode === '');
  const cxlNodes: HostCxlNode[] = [];
  for (const n of nodes) {
    const evidence: HostCxlNode['evidence'] = [];
    const mine = new Set<string>();
    for (const r of ramRegions)
      if (r.targetNodes.includes(n.node)) {
        mine.add(r.name);
        if (!evidence.includes('dax-target-node')) evidence.push('dax-target-node');
      }
    if (n.cpus === '') {
      const inside = (start: number, base: number, size: number) => start >= base && start < base + size;
      for (const s of memoryBlockStarts(sysfsRoot, n.node)) {
        const r = ramRegions.find((x) => inside(s, x.resource, x.size));
        if (r) {
          mine.add(r.name);
          if (!evidence.includes('memory-in-cxl-region')) evidence.push('memory-in-cxl-region');
        } else if (windows.some((w) => inside(s, w.start, w.size)) && !evidence.includes('memory-in-cxl-window'))
          evidence.push('memory-in-cxl-window');
      }
    }
    if (evidence.length === 0) continue;
    const names = [...mine].sort();
    const regionBytes = ramRegions.filter((r) => names.includes(r.name)).reduce((a, r) => a + r.size, 0);
    cxlNodes.push({ node: n.node, evidence, regions: names, sizeBytes: regionBytes || n.memBytes });
  }
  return { sysfsRoot, nodes, regions, windows, cxlNodes, tiers, notes };
}
