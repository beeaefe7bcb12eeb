// The host's CXL memory as cxlemu uses it: the report `cxlemu host` prints, the machine description
// it writes (one type-3 device per host CXL node, with that node's size and access0 numbers), and
// host-backed media (host: { memType: cxlram }, QEMU's host-mem-type=cxlram): which host nodes
// back them, and binding their arena pages there through the optional mbind addon. Owns those
// rules; src/host reads sysfs and loads the addon, and never sees a description.

import type { HostAccess, HostMemory } from '../host/sysfs.js';
import { loadMbind, type Mbind } from '../host/mbind.js';
import type { PagePlacement } from '../memory/store.js';
import {
  CAPACITY_UNIT,
  type DescriptionInput,
  LINK_WIDTHS,
  type LinkDesc,
  type MachineDescription,
  memdevsOf,
  type PerfDesc,
  validateDescription,
} from './description.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { linkLatencyNs } from './linux-perf.js';
import { humanSize } from './sizes.js';

export { discoverHostMemory, type HostMemory, sysfsRootFromEnv, SYSFS_ROOT_ENV } from '../host/sysfs.js';
export { MBIND_ADDON_ENV } from '../host/mbind.js';

/** The host's CXL nodes that have memory online (the ones pages can be bound to). */
export function bindableCxlNodes(host: HostMemory): number[] {
  return host.cxlNodes.filter((c) => (host.nodes.find((n) => n.node === c.node)?.memBytes ?? 0) > 0).map((c) => c.node);
}

/** Why `host` cannot back memory with CXL nodes (undefined: it can). */
export function noCxlReason(host: HostMemory): string | undefined {
  if (host.cxlNodes.length === 0)
    return `the host has no CXL memory node (read from ${host.sysfsRoot}${host.notes.length ? `: ${host.notes.join('; ')}` : ''})`;
  if (bindableCxlNodes(host).length === 0)
    return `the host's CXL nodes (${host.cxlNodes.map((c) => c.node).join(', ')}) have no memory online (a dax device in devdax mode? \`daxctl reconfigure-device -m system-ram\` onlines it)`;
  return undefined;
}

/** Where host: { memType: cxlram } appears, as description paths with the stores' requested nodes. */
export interface HostBackedStore {
  memdev: string;
  kind: 'volatile' | 'persistent';
  path: string;
  nodes: number[] | undefined;
}

export function hostBackedStores(desc: MachineDescription): HostBackedStore[] {
  const out: HostBackedStore[] = [];
  for (const m of memdevsOf(desc))
    for (const kind of ['volatile', 'persistent'] as const) {
      const h = m.device[kind]?.host;
      if (h) out.push({ memdev: m.name, kind, path: `${m.path}.${kind}.host`, nodes: h.nodes });
    }
  return out;
}

/**
 * The host nodes each host-backed store binds to: its own `nodes` (each must be a host CXL node
 * with memory), else every such node. A ConfigError when the host has none (`option`: the QEMU
 * option text the store came from, if any).
 */
export function hostNodesFor(
  stores: readonly HostBackedStore[],
  host: HostMemory,
  option?: (path: string) => string | undefined,
): number[][] {
  const issues: ConfigIssue[] = [];
  const why = noCxlReason(host);
  const ok = bindableCxlNodes(host);
  const out = stores.map((s) => {
    const opt = option?.(s.path);
    if (why !== undefined) {
      issues.push({
        code: 'no_host_cxl',
        path: `${s.path}.memType`,
        value: 'cxlram',
        allowed: `a host with CXL memory: ${why}`,
        ...(opt ? { option: opt } : {}),
      });
      return [];
    }
    const bad = (s.nodes ?? []).filter((n) => !ok.includes(n));
    if (bad.length > 0)
      issues.push({
        code: 'not_host_cxl_node',
        path: `${s.path}.nodes`,
        value: bad,
        allowed: `the host's CXL nodes with memory: ${ok.join(', ')}`,
        ...(opt ? { option: opt } : {}),
      });
    return s.nodes ?? ok;
  });
  if (issues.length > 0) throw new ConfigError(issues, 'cannot back memory with the host CXL nodes');
  return out;
}

/** Arena pages a host-backed store takes at a time, bound with one mbind (2 MiB). */
export const HOST_RUN_PAGES = 512;

/** What binding did, for the machine's notices. */
export interface StoreToBind {
  store: { name: string; setPlacement(p: PagePlacement): void; arena: { u8: Uint8Array } };
  what: string;
  nodes: number[];
}

/**
 * Bind each store's arena pages to its nodes as they are first touched: a placement that calls
 * mbind once per run of HOST_RUN_PAGES pages. Without the addon nothing is bound and one notice per
 * store says so; a failed mbind is reported once per store through `notice`. The run continues.
 */
export function bindStores(
  stores: readonly StoreToBind[],
  notice: (s: string) => void,
  mbind: Mbind = loadMbind(),
): void {
  for (const s of stores) {
    const nodes = s.nodes.join(', ');
    if (!mbind.ok) {
      notice(
        `${s.what}: not bound to host CXL node(s) ${nodes}: ${mbind.reason}; its pages come from wherever the host allocates them`,
      );
      continue;
    }
    let reported = false;
    s.store.setPlacement({
      runPages: HOST_RUN_PAGES,
      place: (off, bytes) => {
        const err = mbind.bind(s.store.arena.u8, off, bytes, s.nodes);
        if (err !== undefined && !reported) {
          reported = true;
          notice(
            `${s.what}: arena pages at offset 0x${off.toString(16)} not bound to host CXL node(s) ${nodes}: ${err}; they come from wherever the host allocates them (the run continues)`,
          );
        }
        return err;
      },
    });
    notice(`${s.what}: arena pages bound to host CXL node(s) ${nodes} as they are first touched (mbind MPOL_BIND)`);
  }
}

// ---------------------------------------------------------------------------------------------
// `cxlemu host`: the report and the description.

const accessText = (a: HostAccess | undefined) =>
  a
    ? `read/write latency ${a.readLatencyNs}/${a.writeLatencyNs} ns, bandwidth ${a.readBandwidthMBs}/${a.writeBandwidthMBs} MB/s`
    : 'no access0 numbers (the firmware gave no HMAT data for it)';

/** The plain-text report of `cxlemu host`. */
export function hostReportText(host: HostMemory): string {
  const L: string[] = [`host sysfs: ${host.sysfsRoot}`];
  const why = host.cxlNodes.length === 0 ? noCxlReason(host) : undefined;
  if (why !== undefined) L.push(`no CXL memory: ${why}`);
  if (host.nodes.length > 0) L.push('', 'NUMA nodes:');
  for (const n of host.nodes) {
    const cxl = host.cxlNodes.find((c) => c.node === n.node);
    const tier = n.memoryTier !== undefined ? `, memory_tier${n.memoryTier}` : '';
    L.push(
      `  node ${n.node}${cxl ? ' (CXL)' : ''}: ${n.cpus ? `cpus ${n.cpus}` : 'no cpus'}, ${humanSize(n.memBytes)}${tier}`,
      `    access0${n.access0Initiators.length ? ` from node ${n.access0Initiators.join(', ')}` : ''}: ${accessText(n.access0)}`,
    );
    const d = Object.entries(n.distances).filter(([to]) => Number(to) !== n.node);
    if (d.length) L.push(`    distance: ${d.map(([to, v]) => `node ${to} ${v}`).join(', ')}`);
  }
  if (host.regions.length > 0) {
    L.push('', 'CXL regions:');
    for (const r of host.regions)
      L.push(
        `  ${r.name}: 0x${r.resource.toString(16)}, ${humanSize(r.size)}, ${r.mode || 'mode unknown'}${r.targetNodes.length ? `, dax target node ${r.targetNodes.join(', ')}` : ', no dax device'}`,
      );
  }
  if (host.windows.length > 0) {
    L.push('', 'CXL windows (root decoders):');
    for (const w of host.windows) L.push(`  ${w.name}: 0x${w.start.toString(16)}, ${humanSize(w.size)}`);
  }
  if (host.cxlNodes.length > 0) {
    L.push('', 'CXL nodes:');
    for (const c of host.cxlNodes)
      L.push(
        `  node ${c.node}: ${humanSize(c.sizeBytes)}${c.regions.length ? ` from ${c.regions.join(', ')}` : ''} (${c.evidence.join(', ')})`,
      );
  }
  if (host.tiers.length > 0) {
    L.push('', 'memory tiers:');
    for (const t of host.tiers) L.push(`  memory_tier${t.tier}: node ${t.nodes.join(', ')}`);
  }
  return `${L.join('\n')}\n`;
}

/** The JSON form of the report (stable field names; numbers in ns, MB/s and bytes). */
export function hostReportJson(host: HostMemory): object {
  return {
    sysfsRoot: host.sysfsRoot,
    cxl: host.cxlNodes.length > 0,
    ...(host.cxlNodes.length === 0 ? { reason: noCxlReason(host) } : {}),
    nodes: host.nodes,
    regions: host.regions,
    windows: host.windows,
    cxlNodes: host.cxlNodes,
    memoryTiers: host.tiers,
    notes: host.notes,
  };
}

/** The generic port's share of a host node's latency (the rest goes to the device's DSLBIS). */
const PORT_LATENCY_NS = 1;

/** The narrowest 32 GT/s (or 64 GT/s x32) link whose encoded rate does not cap `mbs`. */
function linkFor(mbs: number): LinkDesc {
  for (const width of LINK_WIDTHS.filter((w) => w >= 16))
    if (Math.floor((width * 31507) / 8) >= mbs) return { speedGTs: 32, width };
  return { speedGTs: 64, width: 32 };
}

/**
 * A machine description whose devices are the host's CXL nodes: per node a host bridge, a root
 * port and a type-3 device of the node's CXL capacity (rounded down to 256 MiB, at least 256 MiB),
 * a window and a committed 1-way region; the device's volatile media bound to that node. The
 * numbers are split so that what a Linux guest computes for the region (src/machine/linux-perf.ts)
 * is the host node's access0: DSLBIS = access0 - link flit - 1 ns generic port. RAM's perf is the
 * host DRAM node's access0. `notes` says where the split could not be exact.
 */
export function hostDescription(host: HostMemory): { description: MachineDescription; notes: string[] } {
  const why = noCxlReason(host);
  if (why !== undefined)
    throw new ConfigError(
      [{ code: 'no_host_cxl', path: 'host', value: host.sysfsRoot, allowed: `a host with CXL memory: ${why}` }],
      'nothing to describe',
    );
  const notes: string[] = [];
  const dram = host.nodes.find((n) => n.cpus !== '' && n.memBytes > 0 && (n.access0 ?? n.access1));
  const dramPerf = dram?.access0 ?? dram?.access1;
  if (!dramPerf) notes.push('no DRAM node with access0 numbers: ram.perf keeps its default');
  const hostBridges: NonNullable<DescriptionInput['cxl']>['hostBridges'] = [];
  const windows: NonNullable<DescriptionInput['cxl']>['windows'] = [];
  const regions: NonNullable<NonNullable<DescriptionInput['state']>['regions']> = [];
  host.cxlNodes.forEach((c, i) => {
    const n = host.nodes.find((x) => x.node === c.node)!;
    const a = n.access0 ?? n.access1;
    const size = Math.max(CAPACITY_UNIT, Math.floor(c.sizeBytes / CAPACITY_UNIT) * CAPACITY_UNIT);
    if (size !== c.sizeBytes)
      notes.push(
        `node ${c.node}: ${humanSize(c.sizeBytes)} described as ${humanSize(size)} (CXL capacity comes in 256 MiB units)`,
      );
    if (!a) notes.push(`node ${c.node}: no access0 numbers; the device keeps the default perf`);
    const link = linkFor(Math.max(a?.readBandwidthMBs ?? 0, a?.writeBandwidthMBs ?? 0));
    const flit = linkLatencyNs(link);
    const dev = (lat: number) => {
      const v = lat - flit - PORT_LATENCY_NS;
      if (v < 1)
        notes.push(
          `node ${c.node}: ${lat} ns is below the path's ${flit + PORT_LATENCY_NS} ns: the guest sees ${flit + PORT_LATENCY_NS + 1} ns`,
        );
      return Math.max(1, v);
    };
    const perf: PerfDesc | undefined = a && {
      readLatencyNs: dev(a.readLatencyNs),
      writeLatencyNs: dev(a.writeLatencyNs),
      readBandwidthMBs: a.readBandwidthMBs,
      writeBandwidthMBs: a.writeBandwidthMBs,
    };
    const tag = `node${c.node}`;
    hostBridges.push({
      id: `hb-${tag}`,
      busNr: 16 + 8 * i,
      ...(a
        ? {
            perf: {
              readLatencyNs: PORT_LATENCY_NS,
              writeLatencyNs: PORT_LATENCY_NS,
              readBandwidthMBs: a.readBandwidthMBs,
              writeBandwidthMBs: a.writeBandwidthMBs,
            },
          }
        : {}),
      rootPorts: [
        {
          id: `rp-${tag}`,
          port: 0,
          link,
          child: {
            kind: 'type3',
            id: `cxl-${tag}`,
            volatile: { size, host: { memType: 'cxlram', nodes: [c.node] } },
            ...(perf ? { perf } : {}),
          },
        },
      ],
    });
    windows.push({ id: `W-${tag}`, size, targets: [`hb-${tag}`] });
    regions.push({ name: `R-${tag}`, window: `W-${tag}`, granularity: 256, size, memdevs: [`cxl-${tag}`] });
  });
  const input: DescriptionInput = {
    version: 1,
    ram: dramPerf ? { perf: { ...dramPerf } } : {},
    cxl: { hostBridges, windows },
    state: { regions },
  };
  return { description: validateDescription(input), notes };
}
