// CEDT, the CXL Early Discovery Table (SPEC-NOTES 4.4): one CHBS per host bridge, one CFMWS per
// fixed memory window (modulo or XOR, targets in position order), one CXIMS per XOR host-bridge
// granularity. Owns the bytes; never checks that a window's decode is routable (src/machine
// validated the description; src/cxl routes).

import { granularityToEig, waysToEiw } from '../../cxl-math/interleave.js';
import { isAligned } from '../../cxl-math/bits.js';
import { xorMapsForHbiw } from '../../cxl-math/xor.js';
import { AcpiTableError, buildAcpiTable, type AcpiOem, type ByteWriter } from './tables.js';
import { CFMWS_RESTRICT, type AcpiHostBridge, type AcpiWindow, type AcpiXorMaps } from './platform.js';

export const CEDT_REVISION = 1;
export const CEDT_TYPE = Object.freeze({ chbs: 0, cfmws: 1, cxims: 2, rdpas: 3 });
export const CHBS_LENGTH = 32;
/** CFMWS windows are 256 MiB aligned and sized (CXL r3.1 Table 9-21). */
const CFMWS_ALIGN = 256 * 2 ** 20;

export function writeChbs(w: ByteWriter, hb: AcpiHostBridge, path: string): void {
  w.u8(CEDT_TYPE.chbs).u8(0).u16(CHBS_LENGTH);
  w.u32(hb.uid, `${path}.uid`);
  w.u32(hb.cxlVersion ?? 1, `${path}.cxlVersion`);
  w.u32(0);
  w.u64(hb.chbsBase, `${path}.chbsBase`);
  w.u64(hb.chbsLength, `${path}.chbsLength`);
}

export function restrictionBits(names: readonly string[], path: string): number {
  let bits = 0;
  for (const n of names) {
    const b = (CFMWS_RESTRICT as Record<string, number>)[n];
    if (b === undefined) throw new AcpiTableError(`${path}.restrictions`, n, Object.keys(CFMWS_RESTRICT).join(', '));
    bits |= b;
  }
  return bits;
}

export function writeCfmws(w: ByteWriter, win: AcpiWindow, path: string): void {
  const eiw = waysToEiw(win.targets.length);
  if (eiw === undefined)
    throw new AcpiTableError(`${path}.targets`, win.targets.length, '1, 2, 3, 4, 6, 8, 12 or 16 targets');
  const hbig = granularityToEig(win.granularity);
  if (hbig === undefined)
    throw new AcpiTableError(`${path}.granularity`, win.granularity, '256..16384, a power of two');
  if (!isAligned(win.base, CFMWS_ALIGN)) throw new AcpiTableError(`${path}.base`, win.base, 'a multiple of 256 MiB');
  if (win.size === 0 || !isAligned(win.size, CFMWS_ALIGN))
    throw new AcpiTableError(`${path}.size`, win.size, 'a positive multiple of 256 MiB');
  w.u8(CEDT_TYPE.cfmws)
    .u8(0)
    .u16(36 + 4 * win.targets.length);
  w.u32(0);
  w.u64(win.base, `${path}.base`);
  w.u64(win.size, `${path}.size`);
  w.u8(eiw);
  w.u8(win.arithmetic === 'xor' ? 1 : 0);
  w.u16(0);
  w.u32(hbig);
  w.u16(restrictionBits(win.restrictions, path));
  w.u16(win.qtgId, `${path}.qtgId`);
  win.targets.forEach((t, i) => w.u32(t, `${path}.targets[${i}]`));
}

export function writeCxims(w: ByteWriter, x: AcpiXorMaps, path: string): void {
  const hbig = granularityToEig(x.granularity);
  if (hbig === undefined) throw new AcpiTableError(`${path}.granularity`, x.granularity, '256..16384, a power of two');
  w.u8(CEDT_TYPE.cxims)
    .u8(0)
    .u16(8 + 8 * x.maps.length);
  w.u16(0);
  w.u8(hbig);
  w.u8(x.maps.length, `${path}.maps.length`);
  x.maps.forEach((m, i) => w.u64(m, `${path}.maps[${i}]`));
}

export interface CedtInput {
  hostBridges: readonly AcpiHostBridge[];
  windows: readonly AcpiWindow[];
  xorMaps: readonly AcpiXorMaps[];
}

/**
 * CHBS for every host bridge, then CFMWS for every window, then CXIMS for every XOR map list.
 * Refuses what Linux could not use: a target without a CHBS, two CXIMS for one granularity, an
 * XOR window whose granularity has fewer maps than its ways need (SPEC-NOTES 1.4).
 */
export function buildCedt(p: CedtInput, oem: AcpiOem): Uint8Array {
  const uids = new Set(p.hostBridges.map((h) => h.uid));
  const mapsByG = new Map<number, number>();
  p.xorMaps.forEach((x, i) => {
    if (mapsByG.has(x.granularity))
      throw new AcpiTableError(`xorMaps[${i}].granularity`, x.granularity, 'one CXIMS per host-bridge granularity');
    mapsByG.set(x.granularity, x.maps.length);
  });
  p.windows.forEach((win, i) => {
    if (win.arithmetic !== 'xor') return;
    const need = xorMapsForHbiw(win.targets.length) ?? 0;
    const have = mapsByG.get(win.granularity) ?? 0;
    if (need > have)
      throw new AcpiTableError(
        `windows[${i}].arithmetic`,
        'xor',
        `a CXIMS for granularity ${win.granularity} with at least ${need} map(s) (it has ${have})`,
      );
  });
  return buildAcpiTable('CEDT', CEDT_REVISION, oem, (w) => {
    p.hostBridges.forEach((hb, i) => writeChbs(w, hb, `hostBridges[${i}]`));
    p.windows.forEach((win, i) => {
      win.targets.forEach((t, j) => {
        if (!uids.has(t))
          throw new AcpiTableError(
            `windows[${i}].targets[${j}]`,
            t,
            `a host bridge _UID with a CHBS (${[...uids].join(', ')})`,
          );
      });
      writeCfmws(w, win, `windows[${i}]`);
    });
    p.xorMaps.forEach((x, i) => writeCxims(w, x, `xorMaps[${i}]`));
  });
}
