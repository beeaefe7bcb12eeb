// Topology fixtures for the cxl tests (plain TopologySpec builders). Not a test file.

import { Arena } from '../../src/memory/arena.js';
import { AddressSpace } from '../../src/memory/address-space.js';
import { CxlTopology } from '../../src/cxl/index.js';
import type {
  DecoderCapsSpec,
  HostBridgeSpec,
  RootPortSpec,
  SwitchSpec,
  TopologySpec,
  Type3Spec,
  WindowSpec,
} from '../../src/cxl/topology-spec.js';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
export const SZ_256M = 256 * MiB;

const link = { speedGTs: 32, width: 16 };
const perf = { readLatencyNs: 150, writeLatencyNs: 150, readBandwidthMBs: 20000, writeBandwidthMBs: 20000 };
export const caps = (count = 8, ways3_6_12 = true, ways16 = true): DecoderCapsSpec => ({ count, ways3_6_12, ways16 });

export function mem(name: string, opts: Partial<Type3Spec> = {}): Type3Spec {
  return {
    kind: 'type3',
    id: `dev-${name}`,
    name,
    serial: [...name].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7),
    volatileBytes: 0,
    persistentBytes: SZ_256M,
    lsaBytes: 0,
    sizedBy: `${name} size`,
    perf,
    decoders: caps(),
    ...opts,
  };
}

export function sw(id: string, children: (Type3Spec | SwitchSpec)[], firstPort = 0): SwitchSpec {
  return {
    kind: 'switch',
    id,
    decoders: caps(),
    perf,
    downstreamPorts: children.map((c, i) => ({ id: `${id}-dsp${i}`, port: firstPort + i, link, child: c })),
  };
}

export function hb(
  id: string,
  uid: number,
  children: (Type3Spec | SwitchSpec | undefined)[],
  opts: Partial<HostBridgeSpec> = {},
): HostBridgeSpec {
  const rootPorts: RootPortSpec[] = children.map((c, i) =>
    c ? { id: `${id}-rp${i}`, port: i, link, child: c } : { id: `${id}-rp${i}`, port: i, link },
  );
  return { id, uid, busNr: 0x10 * uid, rootPorts, decoders: caps(), hdmForPassthrough: false, ...opts };
}

export function win(
  id: string,
  base: number,
  size: number,
  targets: string[],
  granularity = 256,
  arithmetic: 'modulo' | 'xor' = 'modulo',
): WindowSpec {
  return { id, base, size, targets, granularity, arithmetic, volatile: true, persistent: true, qtgId: 0 };
}

/** Window bases: 3/6/12-way windows at multiples of 768 MiB (DESIGN "Board"). */
export const WBASE = 0x1_0000_0000;

/** One arena per test file: tests close their topology so pages return to it. */
let shared: Arena | null = null;
export function sharedArena(bytes = 640 * MiB): Arena {
  if (!shared) shared = new Arena({ bytes });
  return shared;
}

export function build(
  spec: TopologySpec,
  arenaBytes: number | Arena = 512 * MiB,
  withAs = true,
): { topo: CxlTopology; arena: Arena; as: AddressSpace | null } {
  const arena = typeof arenaBytes === 'number' ? new Arena({ bytes: arenaBytes }) : arenaBytes;
  const as = withAs ? new AddressSpace(arena) : null;
  const topo = CxlTopology.build(spec, arena, as);
  return { topo, arena, as };
}

export function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

import { Prng } from '../helpers/prng.js';

export interface CompareStats {
  checked: number;
  routed: number;
  mismatches: string[];
}

/**
 * Router vs reference decoder on `n` random HPAs: 90% inside `hot` ranges (regions), 10% anywhere
 * in any window. Also checks, on every 8th sample, that the reported run stays contiguous.
 */
export function compareRouterVsReference(
  topo: CxlTopology,
  hot: { base: number; size: number }[],
  n: number,
  seed: number,
): CompareStats {
  const rng = new Prng(seed);
  const out = { store: null as unknown, offset: 0, run: 0 };
  const out2 = { store: null as unknown, offset: 0, run: 0 };
  const st: CompareStats = { checked: 0, routed: 0, mismatches: [] };
  const wins = topo.windows;
  for (let i = 0; i < n; i++) {
    let h: number;
    if (hot.length && rng.below(10) !== 0) {
      const r = hot[rng.below(hot.length)]!;
      h = r.base + rng.below(r.size);
    } else {
      const w = wins[rng.below(wins.length)]!;
      h = w.base + rng.below(w.size);
    }
    const wi = wins.findIndex((w) => w.contains(h));
    const router = topo.routers[wi]!;
    const ok = router.resolve(h, out as never);
    const ref = topo.referenceDecode(h);
    st.checked++;
    if (ok !== ref.ok) {
      st.mismatches.push(
        `0x${h.toString(16)}: router ${ok ? 'routes' : 'does not route'}, reference ${ref.ok ? `routes to ${ref.memdev.name}` : `says ${ref.reason}`}`,
      );
    } else if (ref.ok) {
      st.routed++;
      const store = ref.partition === 'volatile' ? ref.memdev.volatileStore : ref.memdev.persistentStore;
      if (out.store !== store || out.offset !== ref.storeOffset) {
        st.mismatches.push(
          `0x${h.toString(16)}: router -> ${(out.store as { name: string }).name}+0x${out.offset.toString(16)}, reference -> ${store!.name}+0x${ref.storeOffset.toString(16)}`,
        );
      } else if ((i & 7) === 0) {
        const last = h + out.run - 1;
        if (
          out.run < 1 ||
          !router.resolve(last, out2 as never) ||
          out2.store !== out.store ||
          out2.offset !== out.offset + out.run - 1
        ) {
          st.mismatches.push(`0x${h.toString(16)}: run ${out.run} is not contiguous`);
        }
      }
    }
    if (st.mismatches.length > 10) break;
  }
  return st;
}
