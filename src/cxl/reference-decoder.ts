// The reference decoder: a deliberately simple second decoder, the oracle for the router. Per
// access it walks root -> host bridge -> switches -> endpoint, reading every decoder's registers
// through the MMIO read path each time and doing the arithmetic in BigInt (a different code path
// from the router's compiled tables and Number math). Slow by design; never used on a hot path.
// Of src/cxl-math it uses only the decoder-count decoding, which the router never needs; its eiw
// table, XOR transform and DPA arithmetic are its own, so it stays an independent oracle.

import { encodingToDecoderCount } from '../cxl-math/interleave.js';
import { HDM, CTRL, GCTRL } from './hdm-decoder.js';
import type { HdmDecoderBlock } from './hdm-decoder.js';
import type { HostBridge } from './components.js';
import type { Dport, PortChild } from './components.js';
import type { Type3Device } from './components.js';
import type { CxlWindow } from './window.js';

export interface ReferenceStep {
  /** Component id (host bridge, switch USP) and kind. */
  component: string;
  kind: 'hostBridge' | 'switch';
  /** Decoder index used (-1 for a passthrough host bridge). */
  decoder: number;
  /** Interleave way selected and the port id the target list names. */
  way: number;
  port: number;
  portId: string;
}

export type ReferenceResult =
  | {
      ok: true;
      window: CxlWindow;
      rootSlot: number;
      hostBridge: HostBridge;
      path: ReferenceStep[];
      memdev: Type3Device;
      endpointDecoder: number;
      dpa: number;
      partition: 'volatile' | 'persistent';
      storeOffset: number;
    }
  | { ok: false; reason: string };

const EIW_WAYS: Record<number, bigint> = { 0: 1n, 1: 2n, 2: 4n, 3: 8n, 4: 16n, 8: 3n, 9: 6n, 10: 12n };

interface RegDecoder {
  index: number;
  base: bigint;
  size: bigint;
  ways: bigint;
  gran: bigint;
  tl: bigint;
}

/** Read decoder `i` of a block through the register read path. */
function readDecoder(hdm: HdmDecoderBlock, i: number): RegDecoder | undefined {
  const o = HDM.DECODER0 + HDM.STRIDE * i;
  const ctrl = hdm.read(o + HDM.CTRL, 4);
  if (!(ctrl & CTRL.COMMITTED)) return undefined;
  const r64 = (reg: number) => (BigInt(hdm.read(o + reg + 4, 4)) << 32n) | BigInt(hdm.read(o + reg, 4));
  const ways = EIW_WAYS[(ctrl >> 4) & 0xf];
  if (ways === undefined) return undefined;
  return {
    index: i,
    base: r64(HDM.BASE_LO),
    size: r64(HDM.SIZE_LO),
    ways,
    gran: 256n << BigInt(ctrl & 0xf),
    tl: r64(HDM.TL_LO),
  };
}

function findDecoder(hdm: HdmDecoderBlock, hpa: bigint): RegDecoder | undefined {
  // The count from the capability's encoding (the router uses hdm.count instead).
  const n = encodingToDecoderCount(hdm.read(HDM.CAP, 4) & 0xf) ?? 0;
  for (let i = 0; i < n; i++) {
    const d = readDecoder(hdm, i);
    if (d && hpa >= d.base && hpa < d.base + d.size) return d;
  }
  return undefined;
}

/** Parity of (a & m): Kernighan's bit clearing on the two 32-bit halves. */
function parityBig(a: bigint, m: bigint): bigint {
  const x = a & m;
  let p = 0;
  for (let half = Number(x & 0xffffffffn), k = 0; k < 2; k++, half = Number(x >> 32n)) {
    let h = half;
    while (h !== 0) {
      h = (h & (h - 1)) >>> 0;
      p ^= 1;
    }
  }
  return BigInt(p);
}

/** Walk every level for `hpa` over `windows`. */
export function referenceDecode(windows: readonly CxlWindow[], hpaNum: number): ReferenceResult {
  const hpa = BigInt(hpaNum);
  const w = windows.find((x) => hpa >= BigInt(x.base) && hpa < BigInt(x.base) + BigInt(x.size));
  if (!w) return { ok: false, reason: `HPA 0x${hpaNum.toString(16)} is in no CXL window` };
  // Root: XOR (set each map's lowest bit to the parity of hpa & map), then modulo on the offset.
  let a = hpa;
  for (const m of w.xorMaps) {
    const mb = BigInt(m);
    let bit = 0n;
    while (((mb >> bit) & 1n) === 0n) bit++;
    const p = parityBig(a, mb);
    a = (a & ~(1n << bit)) | (p << bit);
  }
  const rootSlot = Number(((a - BigInt(w.base)) / BigInt(w.granularity)) % BigInt(w.ways));
  const hb = w.targets[rootSlot]!;
  const path: ReferenceStep[] = [];
  let c: HostBridge | PortChild = hb;
  for (;;) {
    if (c.kind === 'type3') break;
    if (c.kind === 'hostBridge' && c.hdm === null) {
      const rp: Dport = c.rootPorts[0]!;
      path.push({ component: c.id, kind: 'hostBridge', decoder: -1, way: 0, port: rp.port, portId: rp.id });
      if (!rp.child)
        return { ok: false, reason: `root port ${rp.id} of passthrough host bridge ${c.id} has no device` };
      c = rp.child;
      continue;
    }
    const hdm: HdmDecoderBlock = c.hdm!;
    const d = findDecoder(hdm, hpa);
    if (!d)
      return {
        ok: false,
        reason: `no committed decoder of ${c.kind === 'hostBridge' ? 'host bridge' : 'switch'} ${c.id} covers HPA 0x${hpaNum.toString(16)}`,
      };
    const way = ((hpa - d.base) / d.gran) % d.ways;
    const portNum = Number((d.tl >> (8n * way)) & 0xffn);
    const ports: Dport[] = c.kind === 'hostBridge' ? c.rootPorts : c.downstreamPorts;
    const port: Dport | undefined = ports.find((p: Dport) => p.port === portNum);
    if (!port)
      return { ok: false, reason: `decoder ${d.index} of ${c.id} names port ${portNum}, which does not exist` };
    path.push({ component: c.id, kind: c.kind, decoder: d.index, way: Number(way), port: portNum, portId: port.id });
    if (!port.child) return { ok: false, reason: `port ${port.id} of ${c.id} has no device` };
    c = port.child;
  }
  const dev: Type3Device = c;
  if (!(dev.hdm.read(HDM.GLOBAL_CTRL, 4) & GCTRL.ENABLE))
    return { ok: false, reason: `endpoint ${dev.name}: HDM Decoder Enable is clear` };
  if (!dev.hdm.memEnabled)
    return { ok: false, reason: `endpoint ${dev.name}: Mem_Enable (CXL device DVSEC Control bit 2) is clear` };
  const d = findDecoder(dev.hdm, hpa);
  if (!d)
    return { ok: false, reason: `no committed decoder of endpoint ${dev.name} covers HPA 0x${hpaNum.toString(16)}` };
  // DPA base: sum of skip + size/ways of the decoders before it, plus its own skip.
  let dpaBase = 0n;
  for (let i = 0; i <= d.index; i++) {
    const o = HDM.DECODER0 + HDM.STRIDE * i;
    const skip = (BigInt(dev.hdm.read(o + HDM.TL_HI, 4)) << 32n) | BigInt(dev.hdm.read(o + HDM.TL_LO, 4));
    dpaBase += skip;
    if (i < d.index) {
      const size = (BigInt(dev.hdm.read(o + HDM.SIZE_HI, 4)) << 32n) | BigInt(dev.hdm.read(o + HDM.SIZE_LO, 4));
      const ways = EIW_WAYS[(dev.hdm.read(o + HDM.CTRL, 4) >> 4) & 0xf] ?? 1n;
      dpaBase += size / ways;
    }
  }
  const off = hpa - d.base;
  const dpa = dpaBase + (off / (d.gran * d.ways)) * d.gran + (off % d.gran);
  const dpaNum = Number(dpa);
  let partition: 'volatile' | 'persistent';
  let storeOffset: number;
  if (dpaNum < dev.volatileBytes) {
    partition = 'volatile';
    storeOffset = dpaNum;
  } else if (dpaNum < dev.volatileBytes + dev.persistentBytes) {
    partition = 'persistent';
    storeOffset = dpaNum - dev.volatileBytes;
  } else return { ok: false, reason: `endpoint ${dev.name}: DPA 0x${dpaNum.toString(16)} beyond capacity` };
  return {
    ok: true,
    window: w,
    rootSlot,
    hostBridge: hb,
    path,
    memdev: dev,
    endpointDecoder: d.index,
    dpa: dpaNum,
    partition,
    storeOffset,
  };
}
