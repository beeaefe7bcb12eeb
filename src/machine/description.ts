// The machine description: the documented JSON/YAML form of a machine (RAM, CXL topology, windows,
// XOR maps, NUMA data, per-device performance attributes and saved state such as committed
// regions), its zod schema, cross-field validation, window placement and the canonical text form.
// Owns validation of user input; never builds components (build.ts does) and never decodes.

import { DEFAULT_TIMING, type TimingParams } from '../perf/timing-model.js';
import { createRequire } from 'node:module';
import * as nodePath from 'node:path';
// A namespace import, not `{ z }`: a bundler then keeps only the schema types used here (the `z`
// object would bring every zod locale along).
import * as z from 'zod';
import { VALID_WAYS, VALID_GRANULARITIES, isValidWays, isValidGranularity } from '../cxl-math/interleave.js';
import { xorMapsForHbiw } from '../cxl-math/xor.js';
import { alignUp } from '../cxl-math/bits.js';
import { overlappingPairs, SpanSet } from '../cxl-math/intervals.js';
import { ConfigError, type ConfigIssue, IssueList } from './errors.js';
import { parseSize, parseInteger, formatSize, hex, humanSize, MAX_BYTES } from './sizes.js';
import { HMAT_DATA_TYPES, HMAT_HIERARCHIES } from '../firmware/acpi/hmat.js';
import { MAX_HARTS, WINDOW_ALIGN, WINDOW_ALIGN_3, windowAlignment, windowFloor } from './board-map.js';

/**
 * The YAML package, loaded on first use (a synchronous require: the text functions are synchronous).
 * Most commands read and write no YAML, and loading it costs about 40 ms of start-up.
 */
let yamlPackage: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') =>
  (yamlPackage ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

// ---------------------------------------------------------------------------------------------
// Description constants (board addresses and window placement rules live in board-map.ts).

/** CXL capacity (partitions, window sizes) comes in 256 MiB units. */
export const CAPACITY_UNIT = 256 * 2 ** 20;
export const DESCRIPTION_VERSION = 1;
/** RAM of a description that gives no ram.size. */
const DEFAULT_DESCRIPTION_RAM = 512 * 2 ** 20;
/** Largest backing store src/memory maps (MAX_STORE_BYTES there). */
const MAX_STORE = 2 ** 44;
/** HDM decoder counts the capability encoding can express (SPEC-NOTES 1.1). */
export const VALID_DECODER_COUNTS = [1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32] as const;

// ---------------------------------------------------------------------------------------------
// The schema: the one definition of every description field. What users write is its input
// (z.input); the validated description is its output (z.output), with the few defaults that
// depend on other fields (serials, uids, window ids and bases, region names and ways) filled in
// by resolve(). Sizes accept 268435456, "256M", "0x10000000"; addresses accept numbers,
// "0x1_0000_0000"; unknown keys are errors (typos name themselves).

const GRANS = VALID_GRANULARITIES.join(', ');
const WAYS = VALID_WAYS.join(', ');

function sizeField(rule = 'a size in bytes: integer, or "256M", "4G", "8k", "0x10000000"') {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = parseSize(v);
    if (n === undefined) {
      ctx.issues.push({ code: 'custom', message: 'bad size', input: v, params: { code: 'bad_size', allowed: rule } });
      return z.NEVER;
    }
    return n;
  });
}
function intField(rule = 'a non-negative integer or "0x..." hex string') {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = parseInteger(v);
    if (n === undefined) {
      ctx.issues.push({
        code: 'custom',
        message: 'bad integer',
        input: v,
        params: { code: 'bad_integer', allowed: rule },
      });
      return z.NEVER;
    }
    return n;
  });
}
/**
 * An object of optional fields that resolves to a complete one: absent (or undefined) fields take
 * `defaults`, in the defaults' key order. The defaults are typed by the schema, so a new field
 * needs its default here and nowhere else.
 */
function withDefaults<S extends z.ZodObject>(fields: S, defaults: Readonly<Required<z.output<S>>>) {
  return fields.optional().transform((given) => {
    const out = { ...defaults } as Required<z.output<S>>;
    for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    return out;
  });
}
const granularityField = sizeField(`one of ${GRANS} (bytes; "4k" accepted)`);
/** Ids and names (devices, windows, regions): what a saved description can hold. */
export const ID_PATTERN = /^[A-Za-z0-9_.\-:]+$/;
const idField = z.string().regex(ID_PATTERN, 'id');

/**
 * Bounds of the performance numbers: a second of latency and a petabyte per second are far past any
 * memory, and keep CDAT/HMAT entries (base unit x 16-bit value) exact.
 */
export const MAX_LATENCY_NS = 1e9;
export const MAX_BANDWIDTH_MBS = 1e9;
const latency = z.number().positive().max(MAX_LATENCY_NS).optional();
const bandwidth = z.number().positive().max(MAX_BANDWIDTH_MBS).optional();
const perfFields = z.strictObject({
  readLatencyNs: latency,
  writeLatencyNs: latency,
  readBandwidthMBs: bandwidth,
  writeBandwidthMBs: bandwidth,
});
/** PCIe link speeds (GT/s) and widths (lanes) a port's Link Status can report. */
export const LINK_SPEEDS_GTS = [2.5, 5, 8, 16, 32, 64] as const;
export const LINK_WIDTHS = [1, 2, 4, 8, 12, 16, 32] as const;
const linkFields = z.strictObject({
  speedGTs: z
    .number()
    .refine((v) => (LINK_SPEEDS_GTS as readonly number[]).includes(v), `one of ${LINK_SPEEDS_GTS.join(', ')} (GT/s)`)
    .optional(),
  width: z
    .number()
    .refine((v) => (LINK_WIDTHS as readonly number[]).includes(v), `one of ${LINK_WIDTHS.join(', ')} (lanes)`)
    .optional(),
});
const decoderFields = z.strictObject({
  count: z.number().int().optional(),
  ways3_6_12: z.boolean().optional(),
  ways16: z.boolean().optional(),
});
/** Performance attributes of a device's media or a switch's link (CDAT, HMAT). */
export type PerfDesc = Required<z.output<typeof perfFields>>;
/** The link below a root or downstream port (both ends report it in Link Status). */
export type LinkDesc = Required<z.output<typeof linkFields>>;
/** What a component's HDM decoder capability advertises. */
export type DecoderCapsDesc = Required<z.output<typeof decoderFields>>;

/** Documented defaults (QEMU's CDAT defaults: read 150 ns, write 250 ns, 16 GB/s each way). */
export const DEFAULT_DEVICE_PERF: Readonly<PerfDesc> = Object.freeze({
  readLatencyNs: 150,
  writeLatencyNs: 250,
  readBandwidthMBs: 16000,
  writeBandwidthMBs: 16000,
});
/** Switch (USP SSLBIS) defaults: 150 ns and 16 GB/s each way. */
export const DEFAULT_SWITCH_PERF: Readonly<PerfDesc> = Object.freeze({
  readLatencyNs: 150,
  writeLatencyNs: 150,
  readBandwidthMBs: 16000,
  writeBandwidthMBs: 16000,
});
/**
 * CPU -> host bridge (the generic port: root complex and its CXL link layer), in the HMAT. A
 * device's numbers as Linux sees them add this, each switch and each link's flit time.
 */
export const DEFAULT_HOST_BRIDGE_PERF: Readonly<PerfDesc> = Object.freeze({
  readLatencyNs: 50,
  writeLatencyNs: 50,
  readBandwidthMBs: 64000,
  writeBandwidthMBs: 64000,
});
/** CPU -> DRAM (the HMAT's memory target for RAM): the reference Linux's memory tiers compare with. */
export const DEFAULT_DRAM_PERF: Readonly<PerfDesc> = Object.freeze({
  readLatencyNs: 100,
  writeLatencyNs: 100,
  readBandwidthMBs: 25600,
  writeBandwidthMBs: 25600,
});
/** CXL 2.0 at PCIe Gen5 x16, as QEMU's ports report. */
export const DEFAULT_LINK: Readonly<LinkDesc> = Object.freeze({ speedGTs: 32, width: 16 });
export const DEFAULT_DECODERS: Readonly<DecoderCapsDesc> = Object.freeze({
  count: 8,
  ways3_6_12: true,
  ways16: true,
});

/** Host memory backing a device's media: the host's CXL NUMA nodes (QEMU's host-mem-type=cxlram). */
export const HOST_MEM_TYPES = ['cxlram'] as const;
const storeSchema = z.strictObject({
  size: sizeField(),
  file: z.strictObject({ path: z.string().min(1), share: z.boolean().default(false) }).optional(),
  /** Bind the store's arena pages to host NUMA nodes (docs/host-cxl.md); nodes: some of the host's CXL nodes (default all). */
  host: z
    .strictObject({
      memType: z.enum(HOST_MEM_TYPES),
      nodes: z.array(z.number().int().min(0)).min(1).optional(),
    })
    .optional(),
});
const type3Schema = z.strictObject({
  kind: z.literal('type3'),
  id: idField,
  /** Default: the device's memN index. */
  serial: intField().optional(),
  volatile: storeSchema.optional(),
  persistent: storeSchema.optional(),
  lsa: storeSchema.optional(),
  perf: withDefaults(perfFields, DEFAULT_DEVICE_PERF),
  decoders: withDefaults(decoderFields, DEFAULT_DECODERS),
});
const switchSchema = z.strictObject({
  kind: z.literal('switch'),
  id: idField,
  get downstreamPorts() {
    return z.array(portSchema);
  },
  perf: withDefaults(perfFields, DEFAULT_SWITCH_PERF),
  decoders: withDefaults(decoderFields, DEFAULT_DECODERS),
});
const childSchema = z.discriminatedUnion('kind', [type3Schema, switchSchema]);
const portSchema = z.strictObject({
  id: idField,
  port: z.number().int().min(0).max(255),
  link: withDefaults(linkFields, DEFAULT_LINK),
  get child() {
    return childSchema.optional();
  },
});
const hostBridgeSchema = z.strictObject({
  id: idField,
  busNr: intField().pipe(z.number().max(255)),
  /** ACPI _UID. Default: busNr. */
  uid: intField().optional(),
  numaNode: z.number().int().min(0).optional(),
  perf: withDefaults(perfFields, DEFAULT_HOST_BRIDGE_PERF),
  hdmForPassthrough: z.boolean().default(false),
  decoders: withDefaults(decoderFields, DEFAULT_DECODERS),
  rootPorts: z.array(portSchema),
});
const windowSchema = z.strictObject({
  /** Default: cxl-fmw.<index>. */
  id: idField.optional(),
  /** Default: placed by placeWindows(). */
  base: intField().optional(),
  size: sizeField(),
  targets: z.array(z.string()).min(1),
  granularity: granularityField.default(256),
  arithmetic: z.enum(['modulo', 'xor']).default('modulo'),
  volatile: z.boolean().default(true),
  persistent: z.boolean().default(true),
  qtgId: z.number().int().min(0).max(0xffff).default(0),
});
const xorMapSchema = z.strictObject({
  granularity: granularityField,
  maps: z.array(intField()).min(1).max(4),
});
const regionSchema = z.strictObject({
  /** Default: region<index>. */
  name: idField.optional(),
  window: z.string(),
  /** Default: the number of memdevs. */
  ways: z.number().int().optional(),
  granularity: granularityField,
  size: sizeField(),
  /** Absolute HPA of the region; absent: the first free, suitably aligned address in the window. */
  base: intField().optional(),
  /** memN names or device ids, any order (positions are computed as Linux does). */
  memdevs: z.array(z.string()).min(1),
  /** Partition mapped: 'ram' (volatile) or 'pmem' (persistent); absent: src/cxl's default. */
  mode: z.enum(['ram', 'pmem']).optional(),
  /** Firmware locked the decoders (Lock-on-Commit): `region destroy` is refused. */
  locked: z.boolean().default(false),
});
const numaSchema = z.strictObject({
  nodes: z
    .array(
      z.strictObject({
        nodeId: z.number().int().min(0),
        ramSize: sizeField().optional(),
        cpus: z.string().optional(),
        initiator: z.number().int().min(0).optional(),
      }),
    )
    .default(() => []),
  distances: z
    .array(
      z.strictObject({
        src: z.number().int().min(0),
        dst: z.number().int().min(0),
        value: z.number().int().min(10).max(255),
      }),
    )
    .default(() => []),
  hmatLb: z
    .array(
      z.strictObject({
        initiator: z.number().int().min(0),
        target: z.number().int().min(0),
        hierarchy: z.enum(HMAT_HIERARCHIES),
        dataType: z.enum(HMAT_DATA_TYPES),
        latencyNs: z.number().nonnegative().optional(),
        bandwidthBytesPerSec: sizeField().optional(),
      }),
    )
    .default(() => []),
});
const stateSchema = z.strictObject({
  /** Committed regions, applied as platform firmware would before any guest runs. */
  regions: z.array(regionSchema).default(() => []),
  /**
   * Raw HDM decoder register images of committed decoders no region above owns (a guest driver's):
   * `{ id, globalControl, decoders: [{ index, regs: 8 dwords }] }` per component. Applied after
   * the regions, in index order (src/machine/build.ts validates them; docs/cxl-registers.md).
   */
  decoders: z.array(z.unknown()).optional(),
});
/** One cache level of timing mode (docs/timing.md): size, associativity, load-to-use cycles. */
const cacheLevel = (d: { sizeBytes: number; ways: number; latencyCycles: number }) =>
  z
    .strictObject({
      size: sizeField().default(d.sizeBytes),
      ways: z.number().int().min(1).max(64).default(d.ways),
      latencyCycles: z.number().int().min(1).max(1000).default(d.latencyCycles),
    })
    .prefault({});
/** Timing mode's parameters (`run --timing`); memory latency and bandwidth come from the perf fields. */
const timingSchema = z.strictObject({
  cpuGHz: z.number().gt(0).max(10).default(DEFAULT_TIMING.cpuGHz),
  l1: cacheLevel(DEFAULT_TIMING.l1),
  l2: cacheLevel(DEFAULT_TIMING.l2),
  llc: cacheLevel(DEFAULT_TIMING.llc),
  mshrs: z.number().int().min(1).max(256).default(DEFAULT_TIMING.mshrs),
  prefetchDegree: z.number().int().min(0).max(64).default(DEFAULT_TIMING.prefetchDegree),
});

export const descriptionSchema = z.strictObject({
  version: z.literal(DESCRIPTION_VERSION).default(DESCRIPTION_VERSION),
  ram: z
    .strictObject({
      size: sizeField().default(DEFAULT_DESCRIPTION_RAM),
      perf: withDefaults(perfFields, DEFAULT_DRAM_PERF),
    })
    .prefault({}),
  cpus: z.number().int().min(1).max(MAX_HARTS).default(1),
  /**
   * The interrupt controllers: 'plic' (QEMU virt's default) or 'aia' (APLIC + one IMSIC per hart,
   * QEMU's `aia=aplic-imsic`: MSI/MSI-X for PCI functions). Absent: `run` picks 'aia' for a Linux
   * Image and 'plic' for everything else.
   */
  irqchip: z.enum(['plic', 'aia']).optional(),
  /** Timing mode's caches and core clock (used by `run --timing`; absent: the defaults). */
  timing: timingSchema.optional(),
  cxl: z
    .strictObject({
      hostBridges: z.array(hostBridgeSchema).default(() => []),
      windows: z.array(windowSchema).default(() => []),
      xorMaps: z.array(xorMapSchema).default(() => []),
    })
    .prefault({}),
  numa: numaSchema.optional(),
  state: stateSchema.prefault({}),
});
/** What users write (JSON/YAML, or an object built in code): every default optional. */
export type DescriptionInput = z.input<typeof descriptionSchema>;
type DescriptionParsed = z.output<typeof descriptionSchema>;

// ---------------------------------------------------------------------------------------------
// The validated, fully resolved description: the schema's output with resolve()'s defaults filled
// in. Nothing here names a field: a field added to the schema appears in these types by itself.

/** T with keys K present and defined. */
type Filled<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };
/** T with the type of key K replaced by V (a nested part that resolve() fills in). */
type With<T, K extends keyof T, V> = Omit<T, K> & { [P in K]: V };

export type FileDesc = NonNullable<z.output<typeof storeSchema>['file']>;
export type StoreDesc = z.output<typeof storeSchema>;
export type Type3Desc = Filled<z.output<typeof type3Schema>, 'serial'>;
export type SwitchDesc = With<z.output<typeof switchSchema>, 'downstreamPorts', PortDesc[]>;
export type ChildDesc = Type3Desc | SwitchDesc;
export type PortDesc = Omit<z.output<typeof portSchema>, 'child'> & { child?: ChildDesc };
export type HostBridgeDesc = With<Filled<z.output<typeof hostBridgeSchema>, 'uid'>, 'rootPorts', PortDesc[]>;
export type WindowDesc = Filled<z.output<typeof windowSchema>, 'id' | 'base'>;
export type XorMapDesc = z.output<typeof xorMapSchema>;
export type RegionDesc = Filled<z.output<typeof regionSchema>, 'name' | 'ways'>;
export type NumaDesc = z.output<typeof numaSchema>;
export type NumaNodeDesc = NumaDesc['nodes'][number];
export type NumaDistanceDesc = NumaDesc['distances'][number];
export type HmatLbDesc = NumaDesc['hmatLb'][number];
export type MachineState = With<DescriptionParsed['state'], 'regions', RegionDesc[]>;
export type CxlDesc = With<With<DescriptionParsed['cxl'], 'hostBridges', HostBridgeDesc[]>, 'windows', WindowDesc[]>;
export type MachineDescription = With<With<DescriptionParsed, 'cxl', CxlDesc>, 'state', MachineState>;

/** `o`'s defined fields in the order its schema lists them (the canonical order of a resolved object). */
function inSchemaOrder<T extends object>(schema: { shape: object }, o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(schema.shape)) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// Paths and zod issues -> ConfigIssue.

/** `cxl.windows[1].granularity` from ['cxl', 'windows', 1, 'granularity']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) {
    if (typeof k === 'number') s += `[${k}]`;
    else s += s === '' ? String(k) : `.${String(k)}`;
  }
  return s === '' ? '(description)' : s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

const ALLOWED_BY_PATH: [RegExp, string][] = [
  [/\.kind$/, "'type3' or 'switch'"],
  [/\.id$/, 'an id of letters, digits and _ . - :'],
  [/\.name$/, 'a name of letters, digits and _ . - :'],
];

function zodIssueToConfig(issue: z.core.$ZodIssue, input: unknown): ConfigIssue[] {
  const path = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return [
        {
          code: 'invalid_type',
          path,
          value,
          allowed:
            value === undefined
              ? `required (${issue.expected})`
              : `must be ${issue.expected === 'int' ? 'an integer' : /^[aeiou]/.test(issue.expected) ? `an ${issue.expected}` : `a ${issue.expected}`}`,
        },
      ];
    case 'too_small':
      return [
        {
          code: 'too_small',
          path,
          value,
          allowed:
            issue.origin === 'array'
              ? `at least ${issue.minimum} entries`
              : `${issue.inclusive === false ? '>' : '>='} ${issue.minimum}`,
        },
      ];
    case 'too_big':
      return [
        {
          code: 'too_big',
          path,
          value,
          allowed:
            issue.origin === 'array'
              ? `at most ${issue.maximum} entries`
              : `${issue.inclusive === false ? '<' : '<='} ${issue.maximum}`,
        },
      ];
    case 'invalid_value':
      return [
        {
          code: 'invalid_value',
          path,
          value,
          allowed: `one of ${issue.values.map((x) => JSON.stringify(x)).join(', ')}`,
        },
      ];
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({
        code: 'unknown_field',
        path: formatPath([...issue.path, k]),
        value: valueAt(input, [...issue.path, k]),
        allowed: `no such field here; known fields are documented in docs/machine.md`,
      }));
    case 'invalid_union': {
      const u = issue as { discriminator?: string; options?: unknown[] };
      if (u.discriminator !== undefined) {
        const dp =
          issue.path[issue.path.length - 1] === u.discriminator ? [...issue.path] : [...issue.path, u.discriminator];
        return [
          {
            code: 'invalid_value',
            path: formatPath(dp),
            value: valueAt(input, dp),
            allowed: `one of ${(u.options ?? []).map((o) => JSON.stringify(o)).join(', ')}`,
          },
        ];
      }
      return [{ code: 'invalid_type', path, value, allowed: 'a number or a string' }];
    }
    case 'invalid_format': {
      const rule = ALLOWED_BY_PATH.find(([re]) => re.test(path));
      return [{ code: 'invalid_format', path, value, allowed: rule ? rule[1] : issue.message }];
    }
    case 'custom': {
      const params = (issue as { params?: { code?: string; allowed?: string } }).params ?? {};
      return [{ code: params.code ?? 'custom', path, value, allowed: params.allowed ?? issue.message }];
    }
    default:
      return [{ code: issue.code ?? 'invalid', path, value, allowed: issue.message }];
  }
}

// ---------------------------------------------------------------------------------------------
// Walking the component tree.

export interface Type3Entry {
  /** memN, by depth-first description order. */
  name: string;
  index: number;
  device: Type3Desc;
  /** Description path of the device (for error messages). */
  path: string;
  /** Ids from the host bridge down to the device's port. */
  ancestry: string[];
}

function walkPorts(
  ports: readonly PortDesc[],
  path: string,
  ancestry: string[],
  visit: (child: ChildDesc, path: string, ancestry: string[]) => void,
  key: string,
): void {
  ports.forEach((p, i) => {
    const pp = `${path}.${key}[${i}]`;
    if (p.child) {
      visit(p.child, `${pp}.child`, [...ancestry, p.id]);
      if (p.child.kind === 'switch')
        walkPorts(p.child.downstreamPorts, `${pp}.child`, [...ancestry, p.id, p.child.id], visit, 'downstreamPorts');
    }
  });
}

/** Every type-3 device in description order (depth-first; children in listed order): mem0, mem1, ... */
export function memdevsOf(desc: { cxl: { hostBridges: readonly HostBridgeDesc[] } }): Type3Entry[] {
  const out: Type3Entry[] = [];
  desc.cxl.hostBridges.forEach((hb, i) => {
    walkPorts(
      hb.rootPorts,
      `cxl.hostBridges[${i}]`,
      [hb.id],
      (child, path, ancestry) => {
        if (child.kind === 'type3')
          out.push({ name: `mem${out.length}`, index: out.length, device: child, path, ancestry });
      },
      'rootPorts',
    );
  });
  return out;
}

/** Resolve a memdev reference: memN or a description id. */
export function findMemdev(
  desc: { cxl: { hostBridges: readonly HostBridgeDesc[] } },
  ref: string,
): Type3Entry | undefined {
  const all = memdevsOf(desc);
  return all.find((e) => e.name === ref) ?? all.find((e) => e.device.id === ref);
}

// ---------------------------------------------------------------------------------------------
// Resolution: the defaults that depend on other fields, cross-field rules, window placement.

interface WindowIn {
  id?: string | undefined;
  base?: number | undefined;
  size: number;
  targets: string[];
  ways: number;
}
/**
 * Place windows that have no base: from max(4 GiB, end of RAM) upward in description order, each at
 * the next multiple of 256 MiB (768 MiB for 3/6/12 targets) clear of every window already placed.
 */
export function placeWindows(ramSize: number, windows: readonly WindowIn[]): number[] {
  const placed = new SpanSet();
  for (const w of windows) if (w.base !== undefined) placed.add({ base: w.base, end: w.base + w.size });
  let cursor = windowFloor(ramSize);
  return windows.map((w) => {
    if (w.base !== undefined) return w.base;
    const align = windowAlignment(w.targets.length);
    let base = alignUp(cursor, align);
    for (;;) {
      const hit = placed.firstOverlap(base, base + w.size);
      if (!hit) break;
      base = alignUp(hit.end, align);
    }
    placed.add({ base, end: base + w.size });
    cursor = base + w.size;
    return base;
  });
}

/** Parsed data with undefined-valued keys removed (a caller's `{ numaNode: undefined }` means absent). */
function withoutUndefined<T>(v: T): T {
  if (Array.isArray(v)) return v.map(withoutUndefined) as T;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = withoutUndefined(x);
  return out as T;
}

function resolve(parsed: DescriptionParsed): MachineDescription {
  // state.decoders is opaque here (build.ts validates it) and kept as given.
  const { decoders, ...state } = parsed.state;
  const p = withoutUndefined({ ...parsed, state });
  const issues = new IssueList();
  checkRam(p.ram.size, issues);
  const hostBridges = new ComponentResolver(issues).hostBridges(p.cxl.hostBridges);
  const mems = memdevsOf({ cxl: { hostBridges } });
  checkMemdevNames(mems, issues);
  checkBackingFiles(mems, issues);
  checkHostBacking(mems, issues);
  const xorMaps = checkXorMaps(p.cxl.xorMaps, issues);
  const windows = resolveWindows(p.cxl.windows, p.ram.size, hostBridges, xorMaps, issues);
  const regions = resolveRegions(p.state.regions, windows, mems, issues);
  if (p.numa) checkNuma(p.numa, hostBridges, issues);
  else checkNoNuma(hostBridges, issues);
  issues.throwIfAny();
  return inSchemaOrder(descriptionSchema, {
    ...p,
    cxl: { ...p.cxl, hostBridges, windows, xorMaps },
    state: inSchemaOrder(stateSchema, { ...p.state, regions, decoders }),
  });
}

/** Each backing file serves one store: two stores on one file would overwrite each other. */
function checkBackingFiles(mems: readonly Type3Entry[], issues: IssueList): void {
  const seen = new Map<string, string>();
  for (const m of mems)
    for (const kind of ['volatile', 'persistent', 'lsa'] as const) {
      const file = m.device[kind]?.file;
      if (!file) continue;
      const key = nodePath.resolve(file.path);
      const field = `${m.path}.${kind}.file.path`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, field);
      else issues.add('duplicate_backing_file', field, file.path, `a file no other store uses (${first} uses it)`);
    }
}

/** Host-backed media are anonymous memory on the host's nodes: not a file, and not the label area. */
function checkHostBacking(mems: readonly Type3Entry[], issues: IssueList): void {
  for (const m of mems) {
    for (const kind of ['volatile', 'persistent'] as const) {
      const st = m.device[kind];
      if (st?.host && st.file)
        issues.add(
          'host_backing_with_file',
          `${m.path}.${kind}.host`,
          st.host.memType,
          'either host (anonymous memory bound to host CXL nodes) or file, not both',
        );
    }
    if (m.device.lsa?.host)
      issues.add(
        'host_backing_lsa',
        `${m.path}.lsa.host`,
        m.device.lsa.host.memType,
        'host backing for volatile or persistent media only (the label storage area is small metadata)',
      );
  }
}

function checkRam(ramSize: number, issues: IssueList): void {
  if (ramSize < 4096 || ramSize % 4096 !== 0)
    issues.add('bad_ram_size', 'ram.size', ramSize, 'a positive multiple of 4 KiB');
  if (ramSize > MAX_STORE)
    issues.add('bad_ram_size', 'ram.size', ramSize, `at most 16 TiB (the largest store the memory layer maps)`);
}

type HostBridgeParsed = z.output<typeof hostBridgeSchema>;
type PortParsed = z.output<typeof portSchema>;
type ChildParsed = z.output<typeof childSchema>;

/**
 * Host bridges and everything below them: ids unique across the topology, bus numbers and _UIDs
 * unique, port numbers unique per parent, serials (default: the memN index), capacities, decoder
 * counts. Issues come in description order, depth first.
 */
class ComponentResolver {
  private readonly ids = new Map<string, string>();
  private readonly busNrs = new Map<number, number>();
  private readonly uids = new Map<number, number>();
  private serialNext = 0;

  constructor(private readonly issues: IssueList) {}

  hostBridges(list: readonly HostBridgeParsed[]): HostBridgeDesc[] {
    return list.map((hb, i) => this.hostBridge(hb, i));
  }

  private hostBridge(hb: HostBridgeParsed, i: number): HostBridgeDesc {
    const path = `cxl.hostBridges[${i}]`;
    this.claimId(hb.id, path);
    if (this.busNrs.has(hb.busNr))
      this.issues.add(
        'duplicate_bus_nr',
        `${path}.busNr`,
        hb.busNr,
        `bus numbers must be unique; cxl.hostBridges[${this.busNrs.get(hb.busNr)}] has it too`,
      );
    this.busNrs.set(hb.busNr, i);
    const uid = hb.uid ?? hb.busNr;
    if (this.uids.has(uid))
      this.issues.add(
        'duplicate_uid',
        `${path}.uid`,
        uid,
        `host bridge _UIDs must be unique (default: busNr); cxl.hostBridges[${this.uids.get(uid)}] has it too`,
      );
    this.uids.set(uid, i);
    // Linux 6.12 finds a host bridge's generic port (SRAT) by _UID alone and a zero handle matches
    // the DRAM target first, so every device below would lose its performance data (no access0,
    // default tier): refuse it here rather than let the guest silently ignore the numbers.
    if (uid === 0)
      this.issues.add(
        'bad_uid',
        hb.uid !== undefined ? `${path}.uid` : `${path}.busNr`,
        0,
        `a host bridge _UID of 1 or more (default: busNr); Linux matches _UID 0 to the DRAM proximity domain instead of the host bridge's generic port`,
      );
    this.checkDecoders(hb.decoders, path);
    return inSchemaOrder(hostBridgeSchema, {
      ...hb,
      uid,
      rootPorts: this.ports(hb.rootPorts, `${path}.rootPorts`),
    });
  }

  private ports(ports: readonly PortParsed[], path: string): PortDesc[] {
    const seen = new Map<number, number>();
    return ports.map((port, i) => {
      const pp = `${path}[${i}]`;
      this.claimId(port.id, pp);
      const prev = seen.get(port.port);
      if (prev !== undefined)
        this.issues.add(
          'duplicate_port',
          `${pp}.port`,
          port.port,
          `port numbers must be unique under one parent; ${path}[${prev}] has it too`,
        );
      else seen.set(port.port, i);
      const child = port.child && this.child(port.child, `${pp}.child`);
      return inSchemaOrder(portSchema, { ...port, child });
    });
  }

  private child(c: ChildParsed, path: string): ChildDesc {
    this.claimId(c.id, path);
    if (c.kind === 'switch') {
      const downstreamPorts = this.ports(c.downstreamPorts, `${path}.downstreamPorts`);
      this.checkDecoders(c.decoders, path);
      return { ...c, downstreamPorts };
    }
    const serial = c.serial ?? this.serialNext;
    this.serialNext++;
    this.checkDecoders(c.decoders, path);
    this.checkStores(c, path);
    return inSchemaOrder(type3Schema, { ...c, serial });
  }

  private checkStores(t: z.output<typeof type3Schema>, path: string): void {
    if (!t.volatile && !t.persistent)
      this.issues.add('no_capacity', path, t.id, 'a type-3 device needs a volatile or persistent store (or both)');
    for (const k of ['volatile', 'persistent'] as const) {
      const s = t[k];
      if (s && (s.size === 0 || s.size % CAPACITY_UNIT !== 0))
        this.issues.add(
          'bad_capacity',
          `${path}.${k}.size`,
          s.size,
          'a positive multiple of 256 MiB (CXL partition alignment)',
        );
    }
    if (t.lsa && (t.lsa.size === 0 || t.lsa.size % 4 !== 0))
      this.issues.add('bad_lsa_size', `${path}.lsa.size`, t.lsa.size, 'a positive multiple of 4 bytes');
    for (const k of ['volatile', 'persistent', 'lsa'] as const) {
      const s = t[k];
      if (s && s.size > MAX_STORE)
        this.issues.add(
          'bad_capacity',
          `${path}.${k}.size`,
          s.size,
          'at most 16 TiB (the largest store the memory layer maps)',
        );
    }
  }

  private checkDecoders(d: DecoderCapsDesc, path: string): void {
    if (!(VALID_DECODER_COUNTS as readonly number[]).includes(d.count))
      this.issues.add(
        'bad_decoder_count',
        `${path}.decoders.count`,
        d.count,
        `one of ${VALID_DECODER_COUNTS.join(', ')} (the HDM capability count encoding)`,
      );
  }

  private claimId(id: string, path: string): void {
    const prev = this.ids.get(id);
    if (prev !== undefined)
      this.issues.add('duplicate_id', `${path}.id`, id, `ids must be unique; also used at ${prev}`);
    else this.ids.set(id, path);
  }
}

/** Device ids of the form memN must name the device's own memN. */
function checkMemdevNames(mems: readonly Type3Entry[], issues: IssueList): void {
  for (const m of mems) {
    const clash = /^mem(\d+)$/.exec(m.device.id);
    if (clash && Number(clash[1]) !== m.index)
      issues.add(
        'memdev_name_clash',
        `${m.path}.id`,
        m.device.id,
        `device ids of the form memN must match the device's own memN (this device is ${m.name})`,
      );
  }
}

/** One map list per granularity, each mask non-zero and below 2^52. */
function checkXorMaps(xorMaps: XorMapDesc[], issues: IssueList): XorMapDesc[] {
  const seen = new Set<number>();
  xorMaps.forEach((x, i) => {
    const path = `cxl.xorMaps[${i}]`;
    if (!isValidGranularity(x.granularity))
      issues.add('bad_granularity', `${path}.granularity`, x.granularity, `one of ${GRANS}`);
    if (seen.has(x.granularity))
      issues.add(
        'duplicate_xor_maps',
        `${path}.granularity`,
        x.granularity,
        'one map list per host-bridge granularity (one CXIMS each)',
      );
    x.maps.forEach((m, j) => {
      if (m === 0 || m >= MAX_BYTES)
        issues.add('bad_xor_map', `${path}.maps[${j}]`, m, 'a non-zero bit mask below 2^52');
    });
    seen.add(x.granularity);
  });
  return xorMaps;
}

/** Window ids (default cxl-fmw.N), sizes, targets, XOR maps and bases; then placement and overlap. */
function resolveWindows(
  list: readonly z.output<typeof windowSchema>[],
  ramSize: number,
  hostBridges: readonly HostBridgeDesc[],
  xorMaps: readonly XorMapDesc[],
  issues: IssueList,
): WindowDesc[] {
  // The last list per granularity counts (a duplicate is an issue of its own).
  const xorByG = new Map(xorMaps.map((x) => [x.granularity, x]));
  const winIds = new Map<string, number>();
  const named = list.map((w, i) => ({ ...w, id: w.id ?? `cxl-fmw.${i}`, ways: w.targets.length }));
  named.forEach((w, i) => {
    const path = `cxl.windows[${i}]`;
    const ways = w.ways;
    if (winIds.has(w.id))
      issues.add(
        'duplicate_id',
        `${path}.id`,
        w.id,
        `window ids must be unique; cxl.windows[${winIds.get(w.id)}] has it too`,
      );
    winIds.set(w.id, i);
    if (w.size === 0 || w.size % WINDOW_ALIGN !== 0)
      issues.add('bad_window_size', `${path}.size`, w.size, 'a positive multiple of 256 MiB');
    if (!isValidWays(ways))
      issues.add('bad_ways', `${path}.targets`, w.targets, `${WAYS} host bridges (the CFMWS interleave ways)`);
    const seen = new Set<string>();
    w.targets.forEach((t, j) => {
      if (!hostBridges.some((hb) => hb.id === t))
        issues.add(
          'unknown_target',
          `${path}.targets[${j}]`,
          t,
          `a host bridge id (${hostBridges.map((h) => h.id).join(', ') || 'none defined'})`,
        );
      if (seen.has(t))
        issues.add('duplicate_target', `${path}.targets[${j}]`, t, 'each host bridge at most once per window');
      seen.add(t);
    });
    const g = w.granularity;
    if (!isValidGranularity(g)) issues.add('bad_granularity', `${path}.granularity`, g, `one of ${GRANS}`);
    if (w.arithmetic === 'xor' && isValidWays(ways)) {
      const need = xorMapsForHbiw(ways) ?? 0;
      const have = xorByG.get(g)?.maps.length ?? 0;
      if (need > have)
        issues.add(
          'missing_xor_maps',
          `${path}.arithmetic`,
          'xor',
          `an XOR window of ${ways} targets at granularity ${g} needs ${need} map(s) in cxl.xorMaps for granularity ${g}; found ${have}`,
        );
    }
    if (w.base !== undefined) checkWindowBase(w.base, w.size, ways, ramSize, path, issues);
  });
  const bases = placeWindows(ramSize, named);
  const windows = named.map((w, i) => inSchemaOrder(windowSchema, { ...w, base: bases[i]! }));
  for (const [i, j] of overlappingPairs(windows.map((w) => ({ base: w.base, end: w.base + w.size })))) {
    const a = windows[i]!;
    issues.add(
      'window_overlap',
      `cxl.windows[${j}].base`,
      windows[j]!.base,
      `windows must not overlap; cxl.windows[${i}] (${a.id}) covers ${hex(a.base)}..${hex(a.base + a.size - 1)}`,
    );
  }
  return windows;
}

function checkWindowBase(
  base: number,
  size: number,
  ways: number,
  ramSize: number,
  path: string,
  issues: IssueList,
): void {
  const align = windowAlignment(ways);
  const floor = windowFloor(ramSize);
  if (base % align !== 0)
    issues.add(
      'bad_window_base',
      `${path}.base`,
      base,
      `a multiple of ${humanSize(align)}${align === WINDOW_ALIGN_3 ? ' (3/6/12-way windows)' : ''}`,
    );
  else if (base < floor)
    issues.add(
      'bad_window_base',
      `${path}.base`,
      base,
      `at or above ${hex(floor)} (max(4 GiB, end of RAM), DESIGN board map)`,
    );
  if (base + size > MAX_BYTES) issues.add('bad_window_base', `${path}.base`, base, 'window must end below 2^52');
}

/** Region names (default regionN), windows and memdevs that exist, ways and granularity. */
function resolveRegions(
  list: readonly z.output<typeof regionSchema>[],
  windows: readonly WindowDesc[],
  mems: readonly Type3Entry[],
  issues: IssueList,
): RegionDesc[] {
  const regionNames = new Map<string, number>();
  return list.map((r, i) => {
    const path = `state.regions[${i}]`;
    const name = r.name ?? `region${i}`;
    if (regionNames.has(name))
      issues.add(
        'duplicate_id',
        `${path}.name`,
        name,
        `region names must be unique; state.regions[${regionNames.get(name)}] has it too`,
      );
    regionNames.set(name, i);
    if (!windows.some((w) => w.id === r.window))
      issues.add(
        'unknown_window',
        `${path}.window`,
        r.window,
        `a window id (${windows.map((w) => w.id).join(', ') || 'none defined'})`,
      );
    const seen = new Set<number>();
    r.memdevs.forEach((m, j) => {
      const e = mems.find((x) => x.name === m) ?? mems.find((x) => x.device.id === m);
      if (!e)
        issues.add(
          'unknown_memdev',
          `${path}.memdevs[${j}]`,
          m,
          `memN or a type-3 device id (${mems.map((x) => `${x.name}=${x.device.id}`).join(', ') || 'none defined'})`,
        );
      else if (seen.has(e.index))
        issues.add('duplicate_memdev', `${path}.memdevs[${j}]`, m, 'each memdev at most once per region');
      else seen.add(e.index);
    });
    const ways = r.ways ?? r.memdevs.length;
    if (!isValidWays(ways)) issues.add('bad_ways', `${path}.ways`, ways, `one of ${WAYS}`);
    else if (ways !== r.memdevs.length)
      issues.add('ways_mismatch', `${path}.ways`, ways, `equal to the number of memdevs (${r.memdevs.length})`);
    if (!isValidGranularity(r.granularity))
      issues.add('bad_granularity', `${path}.granularity`, r.granularity, `one of ${GRANS}`);
    if (r.size === 0) issues.add('bad_region_size', `${path}.size`, r.size, 'a positive size');
    return inSchemaOrder(regionSchema, { ...r, name, ways });
  });
}

/** Node ids unique; distances, HMAT entries and host bridges name nodes that exist. */
function checkNuma(numa: NumaDesc, hostBridges: readonly HostBridgeDesc[], issues: IssueList): void {
  const nodeIds = new Set<number>();
  const known = () => [...nodeIds].join(', ') || 'none defined';
  numa.nodes.forEach((n, i) => {
    if (nodeIds.has(n.nodeId))
      issues.add('duplicate_numa_node', `numa.nodes[${i}].nodeId`, n.nodeId, 'node ids must be unique');
    nodeIds.add(n.nodeId);
  });
  numa.distances.forEach((d, i) => {
    for (const k of ['src', 'dst'] as const) {
      if (!nodeIds.has(d[k]))
        issues.add('unknown_numa_node', `numa.distances[${i}].${k}`, d[k], `a node id (${known()})`);
    }
  });
  numa.hmatLb.forEach((h, i) => {
    for (const k of ['initiator', 'target'] as const) {
      if (!nodeIds.has(h[k])) issues.add('unknown_numa_node', `numa.hmatLb[${i}].${k}`, h[k], `a node id (${known()})`);
    }
    const isLat = h.dataType.endsWith('latency');
    if (isLat && h.latencyNs === undefined)
      issues.add('missing_field', `numa.hmatLb[${i}].latencyNs`, undefined, `required for data type ${h.dataType}`);
    if (!isLat && h.bandwidthBytesPerSec === undefined)
      issues.add(
        'missing_field',
        `numa.hmatLb[${i}].bandwidthBytesPerSec`,
        undefined,
        `required for data type ${h.dataType}`,
      );
  });
  hostBridges.forEach((hb, i) => {
    if (hb.numaNode !== undefined && !nodeIds.has(hb.numaNode))
      issues.add(
        'unknown_numa_node',
        `cxl.hostBridges[${i}].numaNode`,
        hb.numaNode,
        `a node id in numa.nodes (${known()})`,
      );
  });
}

function checkNoNuma(hostBridges: readonly HostBridgeDesc[], issues: IssueList): void {
  hostBridges.forEach((hb, i) => {
    if (hb.numaNode !== undefined)
      issues.add(
        'unknown_numa_node',
        `cxl.hostBridges[${i}].numaNode`,
        hb.numaNode,
        'a node id in numa.nodes (no numa section is given)',
      );
  });
}

const VALIDATED = new WeakSet<object>();

/** Validate a description object (parsed JSON/YAML, or built in code). Throws ConfigError. */
/**
 * Size limits checked before anything else, so oversized input fails fast with a message instead
 * of a stack overflow or minutes of work. One ECAM segment has 256 buses and every root or
 * downstream port takes one, so no buildable machine comes near these.
 */
export const DESCRIPTION_LIMITS = Object.freeze({
  /** Objects and arrays inside one another (a switch level takes 3). */
  nesting: 400,
  /** Root ports, downstream ports, devices and switches together. */
  components: 4096,
  windows: 16384,
});

/** Nesting, component and window counts of raw input, iteratively (no recursion to overflow). */
function checkLimits(input: unknown): void {
  const issues = new IssueList();
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: input, depth: 1, path: '(description)' }];
  let components = 0;
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > DESCRIPTION_LIMITS.nesting) {
      const shown = path.length > 120 ? `${path.slice(0, 60)}...${path.slice(-50)}` : path;
      issues.add('too_deep', shown, depth, `at most ${DESCRIPTION_LIMITS.nesting} levels of nesting`);
      break;
    }
    const entries = Array.isArray(v)
      ? v.map((x, i) => [`[${i}]`, x] as const)
      : Object.entries(v).map(([k, x]) => [`.${k}`, x] as const);
    for (const [k, x] of entries) {
      if ((k === '.rootPorts' || k === '.downstreamPorts') && Array.isArray(x)) components += x.length;
      if (k === '.child') components++;
      stack.push({ v: x, depth: depth + 1, path: path === '(description)' ? k.replace(/^\./, '') : `${path}${k}` });
    }
    if (components > DESCRIPTION_LIMITS.components) {
      issues.add(
        'too_many_components',
        'cxl.hostBridges',
        `more than ${DESCRIPTION_LIMITS.components}`,
        `at most ${DESCRIPTION_LIMITS.components} ports, switches and devices (one ECAM segment has 256 buses, one per port)`,
      );
      break;
    }
  }
  const windows = (input as { cxl?: { windows?: unknown } } | null)?.cxl?.windows;
  if (Array.isArray(windows) && windows.length > DESCRIPTION_LIMITS.windows)
    issues.add('too_many_windows', 'cxl.windows', windows.length, `at most ${DESCRIPTION_LIMITS.windows} windows`);
  issues.throwIfAny('machine description too large');
}

export function validateDescription(input: unknown): MachineDescription {
  if (typeof input === 'object' && input !== null && VALIDATED.has(input)) return input as MachineDescription;
  checkLimits(input);
  const r = descriptionSchema.safeParse(input);
  if (!r.success) throw new ConfigError(r.error.issues.flatMap((i) => zodIssueToConfig(i, input)));
  const d = resolve(r.data);
  VALIDATED.add(d);
  return d;
}

/** True for descriptions returned by validateDescription (not modified since, by convention). */
export function isValidated(d: unknown): d is MachineDescription {
  return typeof d === 'object' && d !== null && VALIDATED.has(d);
}

/** Parse description text: JSON when it looks like JSON (or the file ends in .json), else YAML. */
export function parseDescriptionText(text: string, source = '(description)'): MachineDescription {
  let data: unknown;
  const json = source.endsWith('.json') || /^\s*[{[]/.test(text);
  try {
    if (json) data = JSON.parse(text);
    else {
      const doc = yaml().parseDocument(text, { prettyErrors: true });
      if (doc.errors.length > 0) throw doc.errors[0];
      data = doc.toJS();
    }
  } catch (e) {
    throw new ConfigError(
      [
        {
          code: 'syntax',
          path: source,
          value: undefined,
          allowed: `valid ${json ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`,
        },
      ],
      `cannot read machine description ${source}`,
    );
  }
  if (data === null || data === undefined) {
    // An empty file or a bare `null` is almost always a mistake (a truncated or wrong file), not a
    // request for an empty machine: say so instead of building one.
    throw new ConfigError(
      [
        {
          code: 'empty',
          path: source,
          value: data === null ? 'null' : '(empty)',
          allowed: 'a YAML or JSON object describing the machine (e.g. `ram: {size: 512M}`; `{}` for the defaults)',
        },
      ],
      `machine description ${source} is empty`,
    );
  }
  return validateDescription(data);
}

// ---------------------------------------------------------------------------------------------
// Canonical document form: sizes as "256M"/"4G", addresses and masks as hex strings.

function storeDoc(s: StoreDesc): Record<string, unknown> {
  return {
    size: formatSize(s.size),
    ...(s.file ? { file: { ...s.file } } : {}),
    ...(s.host ? { host: { memType: s.host.memType, ...(s.host.nodes ? { nodes: [...s.host.nodes] } : {}) } } : {}),
  };
}
function childDoc(c: ChildDesc): Record<string, unknown> {
  if (c.kind === 'type3') {
    return {
      kind: 'type3',
      id: c.id,
      serial: hex(c.serial),
      ...(c.volatile ? { volatile: storeDoc(c.volatile) } : {}),
      ...(c.persistent ? { persistent: storeDoc(c.persistent) } : {}),
      ...(c.lsa ? { lsa: storeDoc(c.lsa) } : {}),
      perf: { ...c.perf },
      decoders: { ...c.decoders },
    };
  }
  return {
    kind: 'switch',
    id: c.id,
    downstreamPorts: c.downstreamPorts.map(portDoc),
    perf: { ...c.perf },
    decoders: { ...c.decoders },
  };
}
function portDoc(p: PortDesc): Record<string, unknown> {
  const doc = { id: p.id, port: p.port, link: { ...p.link } };
  return p.child ? { ...doc, child: childDoc(p.child) } : doc;
}

/** The canonical JSON-able document of a resolved description (what `describe` and `--save` write). */
export function descriptionToDocument(d: MachineDescription): Record<string, unknown> {
  return {
    version: d.version,
    ram: { size: formatSize(d.ram.size), perf: { ...d.ram.perf } },
    cpus: d.cpus,
    ...(d.irqchip !== undefined ? { irqchip: d.irqchip } : {}),
    ...(d.timing !== undefined
      ? {
          timing: {
            ...d.timing,
            l1: { ...d.timing.l1, size: formatSize(d.timing.l1.size) },
            l2: { ...d.timing.l2, size: formatSize(d.timing.l2.size) },
            llc: { ...d.timing.llc, size: formatSize(d.timing.llc.size) },
          },
        }
      : {}),
    cxl: {
      hostBridges: d.cxl.hostBridges.map((hb) => ({
        id: hb.id,
        busNr: hb.busNr,
        uid: hb.uid,
        ...(hb.numaNode !== undefined ? { numaNode: hb.numaNode } : {}),
        perf: { ...hb.perf },
        hdmForPassthrough: hb.hdmForPassthrough,
        decoders: { ...hb.decoders },
        rootPorts: hb.rootPorts.map(portDoc),
      })),
      windows: d.cxl.windows.map((w) => ({
        id: w.id,
        base: hex(w.base),
        size: formatSize(w.size),
        targets: [...w.targets],
        granularity: w.granularity,
        arithmetic: w.arithmetic,
        volatile: w.volatile,
        persistent: w.persistent,
        qtgId: w.qtgId,
      })),
      xorMaps: d.cxl.xorMaps.map((x) => ({ granularity: x.granularity, maps: x.maps.map(hex) })),
    },
    ...(d.numa
      ? {
          numa: {
            nodes: d.numa.nodes.map((n) => ({
              ...n,
              ...(n.ramSize !== undefined ? { ramSize: formatSize(n.ramSize) } : {}),
            })),
            distances: d.numa.distances.map((x) => ({ ...x })),
            hmatLb: d.numa.hmatLb.map((x) => ({ ...x })),
          },
        }
      : {}),
    state: {
      regions: d.state.regions.map((r) => ({
        name: r.name,
        window: r.window,
        ways: r.ways,
        granularity: r.granularity,
        size: formatSize(r.size),
        ...(r.base !== undefined ? { base: hex(r.base) } : {}),
        memdevs: [...r.memdevs],
        ...(r.mode !== undefined ? { mode: r.mode } : {}),
        locked: r.locked,
      })),
      ...(d.state.decoders ? { decoders: d.state.decoders } : {}),
    },
  };
}

export function descriptionToJson(d: MachineDescription): string {
  return `${JSON.stringify(descriptionToDocument(d), null, 2)}\n`;
}
export function descriptionToYaml(d: MachineDescription): string {
  return yaml().stringify(descriptionToDocument(d));
}

/** Timing mode's parameters for a description (its `timing` section, else the defaults). */
export function timingParamsOf(d: MachineDescription): TimingParams {
  const t = d.timing ?? timingSchema.parse({});
  const level = (c: { size: number; ways: number; latencyCycles: number }) => ({
    sizeBytes: c.size,
    ways: c.ways,
    latencyCycles: c.latencyCycles,
  });
  return {
    cpuGHz: t.cpuGHz,
    l1: level(t.l1),
    l2: level(t.l2),
    llc: level(t.llc),
    mshrs: t.mshrs,
    prefetchDegree: t.prefetchDegree,
  };
}
