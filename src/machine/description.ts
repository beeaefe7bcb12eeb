// The machine description: the documented JSON/YAML form of a machine (RAM, CXL topology, windows,
// XOR maps, NUMA data, per-device performance attributes and saved state such as committed
// regions), its zod schema, cross-field validation, window placement and the canonical text form.
// Owns validation of user input; never builds components (build.ts does) and never decodes.

import { z } from 'zod';
import YAML from 'yaml';
import { VALID_WAYS, VALID_GRANULARITIES, isValidWays, isValidGranularity } from '../cxl-math/interleave.js';
import { xorMapsForHbiw } from '../cxl-math/xor.js';
import { alignUp } from '../cxl-math/bits.js';
import { ConfigError, type ConfigIssue, IssueList } from './errors.js';
import { parseSize, parseInteger, formatSize, hex, humanSize, MAX_BYTES } from './sizes.js';
import { WINDOW_ALIGN, WINDOW_ALIGN_3, windowAlignment, windowFloor } from './board-map.js';

// ---------------------------------------------------------------------------------------------
// Description constants (board addresses and window placement rules live in board-map.ts).

/** CXL capacity (partitions, window sizes) comes in 256 MiB units. */
export const CAPACITY_UNIT = 256 * 2 ** 20;
export const DESCRIPTION_VERSION = 1;
/** Largest backing store src/memory maps (MAX_STORE_BYTES there). */
const MAX_STORE = 2 ** 44;

/** Documented defaults (QEMU's CDAT defaults: read 150 ns, write 250 ns, 16 GB/s each way). */
export const DEFAULT_DEVICE_PERF: PerfDesc = Object.freeze({
  readLatencyNs: 150,
  writeLatencyNs: 250,
  readBandwidthMBs: 16000,
  writeBandwidthMBs: 16000,
});
/** Switch (USP SSLBIS) defaults: 150 ns and 16 GB/s each way. */
export const DEFAULT_SWITCH_PERF: PerfDesc = Object.freeze({
  readLatencyNs: 150,
  writeLatencyNs: 150,
  readBandwidthMBs: 16000,
  writeBandwidthMBs: 16000,
});
export const DEFAULT_DECODERS: DecoderCapsDesc = Object.freeze({ count: 8, ways3_6_12: true, ways16: true });
/** HDM decoder counts the capability encoding can express (SPEC-NOTES 1.1). */
export const VALID_DECODER_COUNTS = [1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32] as const;

// ---------------------------------------------------------------------------------------------
// The validated, fully resolved description (every default filled in, windows placed).

export interface PerfDesc {
  readLatencyNs: number;
  writeLatencyNs: number;
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}
export interface DecoderCapsDesc {
  count: number;
  ways3_6_12: boolean;
  ways16: boolean;
}
export interface FileDesc {
  path: string;
  share: boolean;
}
export interface StoreDesc {
  size: number;
  file?: FileDesc;
}
export interface Type3Desc {
  kind: 'type3';
  id: string;
  serial: number;
  volatile?: StoreDesc;
  persistent?: StoreDesc;
  lsa?: StoreDesc;
  perf: PerfDesc;
  decoders: DecoderCapsDesc;
}
export interface SwitchDesc {
  kind: 'switch';
  id: string;
  downstreamPorts: PortDesc[];
  perf: PerfDesc;
  decoders: DecoderCapsDesc;
}
export type ChildDesc = Type3Desc | SwitchDesc;
export interface PortDesc {
  id: string;
  port: number;
  child?: ChildDesc;
}
export interface HostBridgeDesc {
  id: string;
  busNr: number;
  uid: number;
  numaNode?: number;
  hdmForPassthrough: boolean;
  decoders: DecoderCapsDesc;
  rootPorts: PortDesc[];
}
export interface WindowDesc {
  id: string;
  base: number;
  size: number;
  targets: string[];
  granularity: number;
  arithmetic: 'modulo' | 'xor';
  volatile: boolean;
  persistent: boolean;
  qtgId: number;
}
export interface XorMapDesc {
  granularity: number;
  maps: number[];
}
export interface RegionDesc {
  name: string;
  window: string;
  ways: number;
  granularity: number;
  size: number;
  /** Absolute HPA of the region; absent: the first free, suitably aligned address in the window. */
  base?: number;
  /** memN names or device ids, any order (positions are computed as Linux does). */
  memdevs: string[];
  /** Partition mapped: 'ram' (volatile) or 'pmem' (persistent); absent: src/cxl's default. */
  mode?: 'ram' | 'pmem';
  /** Firmware locked the decoders (Lock-on-Commit): `region destroy` is refused. */
  locked: boolean;
}
export interface NumaNodeDesc {
  nodeId: number;
  ramSize?: number;
  cpus?: string;
  initiator?: number;
}
export interface NumaDistanceDesc {
  src: number;
  dst: number;
  value: number;
}
export interface HmatLbDesc {
  initiator: number;
  target: number;
  hierarchy: 'memory' | 'first-level' | 'second-level' | 'third-level';
  dataType:
    | 'access-latency'
    | 'read-latency'
    | 'write-latency'
    | 'access-bandwidth'
    | 'read-bandwidth'
    | 'write-bandwidth';
  latencyNs?: number;
  bandwidthBytesPerSec?: number;
}
export interface NumaDesc {
  nodes: NumaNodeDesc[];
  distances: NumaDistanceDesc[];
  hmatLb: HmatLbDesc[];
}
export interface MachineState {
  /** Committed regions, applied as platform firmware would before any guest runs. */
  regions: RegionDesc[];
  /**
   * Raw HDM decoder register images of committed decoders no region above owns (a guest driver's):
   * `{ id, globalControl, decoders: [{ index, regs: 8 dwords }] }` per component. Applied after
   * the regions, in index order (src/machine/build.ts validates them; docs/cxl-registers.md).
   */
  decoders?: unknown[];
}
export interface MachineDescription {
  version: 1;
  ram: { size: number };
  cpus: number;
  cxl: { hostBridges: HostBridgeDesc[]; windows: WindowDesc[]; xorMaps: XorMapDesc[] };
  numa?: NumaDesc;
  state: MachineState;
}

// ---------------------------------------------------------------------------------------------
// Schema of the input form (what users write). Sizes accept 268435456, "256M", "0x10000000";
// addresses accept numbers, "0x1_0000_0000"; unknown keys are errors (typos name themselves).

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
const granularityField = sizeField(`one of ${GRANS} (bytes; "4k" accepted)`);
const idField = z.string().regex(/^[A-Za-z0-9_.\-:]+$/, 'id');
const perfSchema = z.strictObject({
  readLatencyNs: z.number().positive().optional(),
  writeLatencyNs: z.number().positive().optional(),
  readBandwidthMBs: z.number().positive().optional(),
  writeBandwidthMBs: z.number().positive().optional(),
});
const decodersSchema = z.strictObject({
  count: z.number().int().optional(),
  ways3_6_12: z.boolean().optional(),
  ways16: z.boolean().optional(),
});
const storeSchema = z.strictObject({
  size: sizeField(),
  file: z.strictObject({ path: z.string().min(1), share: z.boolean().optional() }).optional(),
});

type PerfIn = z.output<typeof perfSchema>;
type DecodersIn = z.output<typeof decodersSchema>;
type StoreIn = z.output<typeof storeSchema>;
interface Type3In {
  kind: 'type3';
  id: string;
  serial?: number;
  volatile?: StoreIn;
  persistent?: StoreIn;
  lsa?: StoreIn;
  perf?: PerfIn;
  decoders?: DecodersIn;
}
interface SwitchIn {
  kind: 'switch';
  id: string;
  downstreamPorts: PortIn[];
  perf?: PerfIn;
  decoders?: DecodersIn;
}
interface PortIn {
  id: string;
  port: number;
  child?: Type3In | SwitchIn;
}

const type3Schema = z.strictObject({
  kind: z.literal('type3'),
  id: idField,
  serial: intField().optional(),
  volatile: storeSchema.optional(),
  persistent: storeSchema.optional(),
  lsa: storeSchema.optional(),
  perf: perfSchema.optional(),
  decoders: decodersSchema.optional(),
});
const childSchema: z.ZodType<Type3In | SwitchIn> = z.lazy(() =>
  z.discriminatedUnion('kind', [type3Schema, switchSchema]),
);
const portSchema: z.ZodType<PortIn> = z.lazy(() =>
  z.strictObject({ id: idField, port: z.number().int().min(0).max(255), child: childSchema.optional() }),
);
const switchSchema = z.strictObject({
  kind: z.literal('switch'),
  id: idField,
  downstreamPorts: z.array(portSchema),
  perf: perfSchema.optional(),
  decoders: decodersSchema.optional(),
});
const hostBridgeSchema = z.strictObject({
  id: idField,
  busNr: intField().pipe(z.number().max(255)),
  uid: intField().optional(),
  numaNode: z.number().int().min(0).optional(),
  hdmForPassthrough: z.boolean().optional(),
  decoders: decodersSchema.optional(),
  rootPorts: z.array(portSchema),
});
const windowSchema = z.strictObject({
  id: idField.optional(),
  base: intField().optional(),
  size: sizeField(),
  targets: z.array(z.string()).min(1),
  granularity: granularityField.optional(),
  arithmetic: z.enum(['modulo', 'xor']).optional(),
  volatile: z.boolean().optional(),
  persistent: z.boolean().optional(),
  qtgId: z.number().int().min(0).max(0xffff).optional(),
});
const xorMapSchema = z.strictObject({
  granularity: granularityField,
  maps: z.array(intField()).min(1).max(4),
});
const regionSchema = z.strictObject({
  name: idField.optional(),
  window: z.string(),
  ways: z.number().int().optional(),
  granularity: granularityField,
  size: sizeField(),
  base: intField().optional(),
  memdevs: z.array(z.string()).min(1),
  mode: z.enum(['ram', 'pmem']).optional(),
  locked: z.boolean().optional(),
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
    .optional(),
  distances: z
    .array(
      z.strictObject({
        src: z.number().int().min(0),
        dst: z.number().int().min(0),
        value: z.number().int().min(10).max(255),
      }),
    )
    .optional(),
  hmatLb: z
    .array(
      z.strictObject({
        initiator: z.number().int().min(0),
        target: z.number().int().min(0),
        hierarchy: z.enum(['memory', 'first-level', 'second-level', 'third-level']),
        dataType: z.enum([
          'access-latency',
          'read-latency',
          'write-latency',
          'access-bandwidth',
          'read-bandwidth',
          'write-bandwidth',
        ]),
        latencyNs: z.number().nonnegative().optional(),
        bandwidthBytesPerSec: sizeField().optional(),
      }),
    )
    .optional(),
});
export const descriptionSchema = z.strictObject({
  version: z.literal(DESCRIPTION_VERSION).optional(),
  ram: z.strictObject({ size: sizeField() }).optional(),
  cpus: z.number().int().min(1).max(64).optional(),
  cxl: z
    .strictObject({
      hostBridges: z.array(hostBridgeSchema).optional(),
      windows: z.array(windowSchema).optional(),
      xorMaps: z.array(xorMapSchema).optional(),
    })
    .optional(),
  numa: numaSchema.optional(),
  state: z
    .strictObject({
      regions: z.array(regionSchema).optional(),
      decoders: z.array(z.unknown()).optional(),
    })
    .optional(),
});
export type DescriptionInput = z.input<typeof descriptionSchema>;
type DescriptionParsed = z.output<typeof descriptionSchema>;

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
export function memdevsOf(desc: Pick<MachineDescription, 'cxl'>): Type3Entry[] {
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
export function findMemdev(desc: Pick<MachineDescription, 'cxl'>, ref: string): Type3Entry | undefined {
  const all = memdevsOf(desc);
  return all.find((e) => e.name === ref) ?? all.find((e) => e.device.id === ref);
}

// ---------------------------------------------------------------------------------------------
// Resolution: defaults, cross-field rules, window placement.

function perfOf(p: PerfIn | undefined, d: PerfDesc): PerfDesc {
  return {
    readLatencyNs: p?.readLatencyNs ?? d.readLatencyNs,
    writeLatencyNs: p?.writeLatencyNs ?? d.writeLatencyNs,
    readBandwidthMBs: p?.readBandwidthMBs ?? d.readBandwidthMBs,
    writeBandwidthMBs: p?.writeBandwidthMBs ?? d.writeBandwidthMBs,
  };
}
function decodersOf(d: DecodersIn | undefined, path: string, issues: IssueList): DecoderCapsDesc {
  const count = d?.count ?? DEFAULT_DECODERS.count;
  if (!(VALID_DECODER_COUNTS as readonly number[]).includes(count)) {
    issues.add(
      'bad_decoder_count',
      `${path}.decoders.count`,
      count,
      `one of ${VALID_DECODER_COUNTS.join(', ')} (the HDM capability count encoding)`,
    );
  }
  return {
    count,
    ways3_6_12: d?.ways3_6_12 ?? DEFAULT_DECODERS.ways3_6_12,
    ways16: d?.ways16 ?? DEFAULT_DECODERS.ways16,
  };
}
function storeOf(s: StoreIn | undefined): StoreDesc | undefined {
  if (!s) return undefined;
  return s.file ? { size: s.size, file: { path: s.file.path, share: s.file.share ?? false } } : { size: s.size };
}

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
  const placed: { base: number; end: number }[] = [];
  for (const w of windows) if (w.base !== undefined) placed.push({ base: w.base, end: w.base + w.size });
  let cursor = windowFloor(ramSize);
  return windows.map((w) => {
    if (w.base !== undefined) return w.base;
    const align = windowAlignment(w.targets.length);
    let base = alignUp(cursor, align);
    for (;;) {
      const hit = placed.find((p) => base < p.end && p.base < base + w.size);
      if (!hit) break;
      base = alignUp(hit.end, align);
    }
    placed.push({ base, end: base + w.size });
    cursor = base + w.size;
    return base;
  });
}

function resolve(p: DescriptionParsed): MachineDescription {
  const issues = new IssueList();
  const ramSize = p.ram?.size ?? 512 * 2 ** 20;
  if (ramSize < 4096 || ramSize % 4096 !== 0)
    issues.add('bad_ram_size', 'ram.size', ramSize, 'a positive multiple of 4 KiB');
  if (ramSize > MAX_STORE)
    issues.add('bad_ram_size', 'ram.size', ramSize, `at most 16 TiB (the largest store the memory layer maps)`);

  // Components: ids unique across the topology.
  const ids = new Map<string, string>();
  const claimId = (id: string, path: string): void => {
    const prev = ids.get(id);
    if (prev !== undefined) issues.add('duplicate_id', `${path}.id`, id, `ids must be unique; also used at ${prev}`);
    else ids.set(id, path);
  };
  let serialNext = 0;
  const childOf = (c: Type3In | SwitchIn, path: string): ChildDesc => {
    claimId(c.id, path);
    if (c.kind === 'type3') {
      const index = serialNext++;
      const t: Type3Desc = {
        kind: 'type3',
        id: c.id,
        serial: c.serial ?? index,
        ...(c.volatile ? { volatile: storeOf(c.volatile)! } : {}),
        ...(c.persistent ? { persistent: storeOf(c.persistent)! } : {}),
        ...(c.lsa ? { lsa: storeOf(c.lsa)! } : {}),
        perf: perfOf(c.perf, DEFAULT_DEVICE_PERF),
        decoders: decodersOf(c.decoders, path, issues),
      };
      if (!t.volatile && !t.persistent)
        issues.add('no_capacity', path, c.id, 'a type-3 device needs a volatile or persistent store (or both)');
      for (const k of ['volatile', 'persistent'] as const) {
        const s = t[k];
        if (s && (s.size === 0 || s.size % CAPACITY_UNIT !== 0))
          issues.add(
            'bad_capacity',
            `${path}.${k}.size`,
            s.size,
            'a positive multiple of 256 MiB (CXL partition alignment)',
          );
      }
      if (t.lsa && (t.lsa.size === 0 || t.lsa.size % 4 !== 0))
        issues.add('bad_lsa_size', `${path}.lsa.size`, t.lsa.size, 'a positive multiple of 4 bytes');
      for (const k of ['volatile', 'persistent', 'lsa'] as const) {
        const s = t[k];
        if (s && s.size > MAX_STORE)
          issues.add(
            'bad_capacity',
            `${path}.${k}.size`,
            s.size,
            'at most 16 TiB (the largest store the memory layer maps)',
          );
      }
      return t;
    }
    return {
      kind: 'switch',
      id: c.id,
      downstreamPorts: portsOf(c.downstreamPorts, `${path}.downstreamPorts`),
      perf: perfOf(c.perf, DEFAULT_SWITCH_PERF),
      decoders: decodersOf(c.decoders, path, issues),
    };
  };
  const portsOf = (ports: PortIn[], path: string): PortDesc[] => {
    const seen = new Map<number, number>();
    return ports.map((port, i) => {
      const pp = `${path}[${i}]`;
      claimId(port.id, pp);
      const prev = seen.get(port.port);
      if (prev !== undefined)
        issues.add(
          'duplicate_port',
          `${pp}.port`,
          port.port,
          `port numbers must be unique under one parent; ${path}[${prev}] has it too`,
        );
      else seen.set(port.port, i);
      return port.child
        ? { id: port.id, port: port.port, child: childOf(port.child, `${pp}.child`) }
        : { id: port.id, port: port.port };
    });
  };
  const busNrs = new Map<number, number>();
  const uids = new Map<number, number>();
  const hostBridges: HostBridgeDesc[] = (p.cxl?.hostBridges ?? []).map((hb, i) => {
    const path = `cxl.hostBridges[${i}]`;
    claimId(hb.id, path);
    if (busNrs.has(hb.busNr))
      issues.add(
        'duplicate_bus_nr',
        `${path}.busNr`,
        hb.busNr,
        `bus numbers must be unique; cxl.hostBridges[${busNrs.get(hb.busNr)}] has it too`,
      );
    busNrs.set(hb.busNr, i);
    const uid = hb.uid ?? hb.busNr;
    if (uids.has(uid))
      issues.add(
        'duplicate_uid',
        `${path}.uid`,
        uid,
        `host bridge _UIDs must be unique (default: busNr); cxl.hostBridges[${uids.get(uid)}] has it too`,
      );
    uids.set(uid, i);
    return {
      id: hb.id,
      busNr: hb.busNr,
      uid,
      ...(hb.numaNode !== undefined ? { numaNode: hb.numaNode } : {}),
      hdmForPassthrough: hb.hdmForPassthrough ?? false,
      decoders: decodersOf(hb.decoders, path, issues),
      rootPorts: portsOf(hb.rootPorts, `${path}.rootPorts`),
    };
  });
  const cxl = { hostBridges, windows: [] as WindowDesc[], xorMaps: [] as XorMapDesc[] };
  const mems = memdevsOf({ cxl });
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

  // XOR maps.
  const xorByG = new Map<number, XorMapDesc>();
  (p.cxl?.xorMaps ?? []).forEach((x, i) => {
    const path = `cxl.xorMaps[${i}]`;
    if (!isValidGranularity(x.granularity))
      issues.add('bad_granularity', `${path}.granularity`, x.granularity, `one of ${GRANS}`);
    if (xorByG.has(x.granularity))
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
    const entry = { granularity: x.granularity, maps: [...x.maps] };
    xorByG.set(x.granularity, entry);
    cxl.xorMaps.push(entry);
  });

  // Windows.
  const winIn = (p.cxl?.windows ?? []).map((w, i) => ({ ...w, id: w.id ?? `cxl-fmw.${i}`, ways: w.targets.length }));
  const winIds = new Map<string, number>();
  winIn.forEach((w, i) => {
    const path = `cxl.windows[${i}]`;
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
    if (!isValidWays(w.targets.length))
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
    const g = w.granularity ?? 256;
    if (!isValidGranularity(g)) issues.add('bad_granularity', `${path}.granularity`, g, `one of ${GRANS}`);
    if ((w.arithmetic ?? 'modulo') === 'xor' && isValidWays(w.ways)) {
      const need = xorMapsForHbiw(w.ways) ?? 0;
      const have = xorByG.get(g)?.maps.length ?? 0;
      if (need > have)
        issues.add(
          'missing_xor_maps',
          `${path}.arithmetic`,
          'xor',
          `an XOR window of ${w.ways} targets at granularity ${g} needs ${need} map(s) in cxl.xorMaps for granularity ${g}; found ${have}`,
        );
    }
    if (w.base !== undefined) {
      const align = windowAlignment(w.ways);
      const floor = windowFloor(ramSize);
      if (w.base % align !== 0)
        issues.add(
          'bad_window_base',
          `${path}.base`,
          w.base,
          `a multiple of ${humanSize(align)}${align === WINDOW_ALIGN_3 ? ' (3/6/12-way windows)' : ''}`,
        );
      else if (w.base < floor)
        issues.add(
          'bad_window_base',
          `${path}.base`,
          w.base,
          `at or above ${hex(floor)} (max(4 GiB, end of RAM), DESIGN board map)`,
        );
      if (w.base + w.size > MAX_BYTES)
        issues.add('bad_window_base', `${path}.base`, w.base, 'window must end below 2^52');
    }
  });
  const bases = placeWindows(ramSize, winIn);
  winIn.forEach((w, i) => {
    cxl.windows.push({
      id: w.id,
      base: bases[i]!,
      size: w.size,
      targets: [...w.targets],
      granularity: w.granularity ?? 256,
      arithmetic: w.arithmetic ?? 'modulo',
      volatile: w.volatile ?? true,
      persistent: w.persistent ?? true,
      qtgId: w.qtgId ?? 0,
    });
  });
  cxl.windows.forEach((a, i) => {
    cxl.windows.forEach((b, j) => {
      if (j > i && a.base < b.base + b.size && b.base < a.base + a.size) {
        issues.add(
          'window_overlap',
          `cxl.windows[${j}].base`,
          b.base,
          `windows must not overlap; cxl.windows[${i}] (${a.id}) covers ${hex(a.base)}..${hex(a.base + a.size - 1)}`,
        );
      }
    });
  });

  // Regions (state).
  const regionNames = new Map<string, number>();
  const regions: RegionDesc[] = (p.state?.regions ?? []).map((r, i) => {
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
    if (!cxl.windows.some((w) => w.id === r.window))
      issues.add(
        'unknown_window',
        `${path}.window`,
        r.window,
        `a window id (${cxl.windows.map((w) => w.id).join(', ') || 'none defined'})`,
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
    return {
      name,
      window: r.window,
      ways,
      granularity: r.granularity,
      size: r.size,
      ...(r.base !== undefined ? { base: r.base } : {}),
      memdevs: [...r.memdevs],
      ...(r.mode !== undefined ? { mode: r.mode } : {}),
      locked: r.locked ?? false,
    };
  });

  // NUMA.
  let numa: NumaDesc | undefined;
  if (p.numa) {
    const nodes = (p.numa.nodes ?? []).map((n) => ({ ...n }));
    const nodeIds = new Set<number>();
    nodes.forEach((n, i) => {
      if (nodeIds.has(n.nodeId))
        issues.add('duplicate_numa_node', `numa.nodes[${i}].nodeId`, n.nodeId, 'node ids must be unique');
      nodeIds.add(n.nodeId);
    });
    const distances = (p.numa.distances ?? []).map((d) => ({ ...d }));
    distances.forEach((d, i) => {
      for (const k of ['src', 'dst'] as const) {
        if (!nodeIds.has(d[k]))
          issues.add(
            'unknown_numa_node',
            `numa.distances[${i}].${k}`,
            d[k],
            `a node id (${[...nodeIds].join(', ') || 'none defined'})`,
          );
      }
    });
    const hmatLb = (p.numa.hmatLb ?? []).map((h) => ({ ...h }));
    hmatLb.forEach((h, i) => {
      for (const k of ['initiator', 'target'] as const) {
        if (!nodeIds.has(h[k]))
          issues.add(
            'unknown_numa_node',
            `numa.hmatLb[${i}].${k}`,
            h[k],
            `a node id (${[...nodeIds].join(', ') || 'none defined'})`,
          );
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
    for (const hb of hostBridges) {
      if (hb.numaNode !== undefined && !nodeIds.has(hb.numaNode)) {
        const i = hostBridges.indexOf(hb);
        issues.add(
          'unknown_numa_node',
          `cxl.hostBridges[${i}].numaNode`,
          hb.numaNode,
          `a node id in numa.nodes (${[...nodeIds].join(', ') || 'none defined'})`,
        );
      }
    }
    numa = { nodes, distances, hmatLb };
  } else {
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
  issues.throwIfAny();
  return {
    version: 1,
    ram: { size: ramSize },
    cpus: p.cpus ?? 1,
    cxl,
    ...(numa ? { numa } : {}),
    state: { regions, ...(p.state?.decoders ? { decoders: p.state.decoders } : {}) },
  };
}

const VALIDATED = new WeakSet<object>();

/** Validate a description object (parsed JSON/YAML, or built in code). Throws ConfigError. */
export function validateDescription(input: unknown): MachineDescription {
  if (typeof input === 'object' && input !== null && VALIDATED.has(input)) return input as MachineDescription;
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
      const doc = YAML.parseDocument(text, { prettyErrors: true });
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
  return validateDescription(data ?? {});
}

// ---------------------------------------------------------------------------------------------
// Canonical document form: sizes as "256M"/"4G", addresses and masks as hex strings.

function storeDoc(s: StoreDesc): Record<string, unknown> {
  return s.file ? { size: formatSize(s.size), file: { ...s.file } } : { size: formatSize(s.size) };
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
  return p.child ? { id: p.id, port: p.port, child: childDoc(p.child) } : { id: p.id, port: p.port };
}

/** The canonical JSON-able document of a resolved description (what `describe` and `--save` write). */
export function descriptionToDocument(d: MachineDescription): Record<string, unknown> {
  return {
    version: d.version,
    ram: { size: formatSize(d.ram.size) },
    cpus: d.cpus,
    cxl: {
      hostBridges: d.cxl.hostBridges.map((hb) => ({
        id: hb.id,
        busNr: hb.busNr,
        uid: hb.uid,
        ...(hb.numaNode !== undefined ? { numaNode: hb.numaNode } : {}),
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
  return YAML.stringify(descriptionToDocument(d));
}
