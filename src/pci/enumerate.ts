// Firmware-style enumeration (what a boot loader does before the OS, or what tests want): number
// the buses below each host bridge depth first, size every BAR, open bridge memory windows and
// assign addresses in the PCIe MMIO window, then set Memory Space Enable. Everything goes through
// guest-visible config writes (masks and hooks apply), so the result is what a guest would see
// had it done the same. Owns no state; never runs unless the machine asks for "firmware-assigned".

import { alignUp } from '../memory/index.js';
import {
  COMMAND,
  MEMORY_BASE,
  MEMORY_LIMIT,
  PREF_BASE,
  PREF_LIMIT,
  PREF_BASE_UPPER,
  PREF_LIMIT_UPPER,
} from './config-space.js';
import type { Ecam } from './ecam.js';
import { PciConfigError } from './errors.js';
import type { PciBus, PciFunction, PciHostBridge } from './topology.js';

/** Bridge memory windows have 1 MiB granularity. */
export const BRIDGE_WINDOW_ALIGN = 0x10_0000;

export interface EnumerateOptions {
  /** Also set Bus Master Enable (default false: drivers set it). */
  busMaster?: boolean;
}

export interface Assignment {
  function: string;
  /** "bar<n>" or "window" (a bridge's memory window). */
  what: string;
  base: number;
  size: number;
}

export interface EnumerationResult {
  /** Secondary/subordinate bus numbers given to each bridge. */
  buses: { function: string; primary: number; secondary: number; subordinate: number }[];
  assignments: Assignment[];
  /**
   * Each host bridge's share of the PCIe MMIO window: from where its devices were placed up to the
   * next host bridge's (the last one up to the window's end). An OS that reassigns BARs inside it
   * finds room for everything (the device tree gives one such aperture per host bridge).
   */
  apertures: { hostBridge: string; busFirst: number; busLast: number; base: number; size: number }[];
}

interface Need {
  align: number;
  size: number;
  place(base: number): void;
}

/** Number, size and assign everything below every host bridge of `ecam`. */
export function enumerate(ecam: Ecam, opts: EnumerateOptions = {}): EnumerationResult {
  const result: EnumerationResult = { buses: [], assignments: [], apertures: [] };
  for (const hb of ecam.hostBridges) numberBuses(hb, hb.rootBus, hb.busNr, hb.busNr + 1, result);
  let cursor = ecam.mmioWindow.base;
  const end = ecam.mmioWindow.base + ecam.mmioWindow.size;
  for (const hb of ecam.hostBridges) {
    const need = busNeed(hb.rootBus, result);
    const aperture = { hostBridge: hb.name, busFirst: hb.busNr, busLast: hb.busLast, base: cursor, size: 0 };
    result.apertures.push(aperture);
    if (need.size === 0) {
      need.place(-1); // closes empty bridge windows
      continue;
    }
    cursor = alignUp(cursor, need.align);
    aperture.base = cursor;
    if (cursor + need.size > end) {
      throw new PciConfigError(
        `host bridge ${hb.name}`,
        `needs ${need.size} bytes of MMIO but only ${Math.max(0, end - cursor)} remain in the PCIe MMIO window`,
      );
    }
    need.place(cursor);
    cursor += need.size;
  }
  result.apertures.forEach((a, i) => {
    a.size = (result.apertures[i + 1]?.base ?? end) - a.base;
  });
  const cmd = 0x2 | (opts.busMaster ? 0x4 : 0);
  for (const f of ecam.functions()) {
    if (f.isBridge || f.bars.length > 0) f.config.write(COMMAND.offset, 2, f.config.read(COMMAND.offset, 2) | cmd);
  }
  return result;
}

/** Depth-first bus numbering; returns the next free bus number. */
function numberBuses(hb: PciHostBridge, bus: PciBus, busNr: number, next: number, out: EnumerationResult): number {
  const bridges = [...bus.functions()]
    .filter((f) => f.isBridge)
    .sort((a, b) => a.device * 8 + a.function - (b.device * 8 + b.function));
  for (const br of bridges) {
    if (next > hb.busLast) {
      throw new PciConfigError(
        `host bridge ${hb.name}`,
        `ran out of bus numbers at ${br.name}: it owns buses ${hb.busNr}..${hb.busLast}`,
      );
    }
    const secondary = next;
    // Open the range fully while scanning below, then close it to what was used (as Linux does).
    br.config.write(0x18, 4, busNr | (secondary << 8) | (hb.busLast << 16));
    next = numberBuses(hb, br.secondaryBus!, secondary, secondary + 1, out);
    const subordinate = next - 1;
    br.config.write(0x18, 4, busNr | (secondary << 8) | (subordinate << 16));
    out.buses.push({ function: br.name, primary: busNr, secondary, subordinate });
  }
  return next;
}

/** What a bus needs from the window above: everything placed in descending alignment. */
function busNeed(bus: PciBus, out: EnumerationResult): Need {
  const items: Need[] = [];
  for (const f of bus.functions()) {
    for (const bar of f.bars) items.push(barNeed(f, bar.index, bar.size, bar.decl.kind === 'mem64', out));
    if (f.isBridge) items.push(bridgeNeed(f, out));
  }
  items.sort((a, b) => b.align - a.align);
  let size = 0;
  let align = 1;
  for (const it of items) {
    if (it.size === 0) continue;
    size = alignUp(size, it.align) + it.size;
    align = Math.max(align, it.align);
  }
  return {
    align,
    size,
    place(base: number) {
      let at = base;
      for (const it of items) {
        if (it.size === 0) {
          it.place(-1);
          continue;
        }
        at = alignUp(at, it.align);
        it.place(at);
        at += it.size;
      }
    },
  };
}

function barNeed(f: PciFunction, index: number, size: number, is64: boolean, out: EnumerationResult): Need {
  return {
    align: size,
    size,
    place(base: number) {
      const off = 0x10 + 4 * index;
      f.config.write(off, 4, base % 2 ** 32);
      if (is64) f.config.write(off + 4, 4, Math.floor(base / 2 ** 32));
      out.assignments.push({ function: f.name, what: `bar${index}`, base, size });
    },
  };
}

function bridgeNeed(br: PciFunction, out: EnumerationResult): Need {
  const inner = busNeed(br.secondaryBus!, out);
  const size = inner.size === 0 ? 0 : alignUp(inner.size, BRIDGE_WINDOW_ALIGN);
  const cs = br.config;
  // The prefetchable window stays closed: everything goes in the 32-bit window.
  cs.write(PREF_BASE.offset, 2, 0xfff0);
  cs.write(PREF_LIMIT.offset, 2, 0x0000);
  cs.write(PREF_BASE_UPPER.offset, 4, 0);
  cs.write(PREF_LIMIT_UPPER.offset, 4, 0);
  return {
    align: Math.max(BRIDGE_WINDOW_ALIGN, inner.align),
    size,
    place(base: number) {
      if (base < 0 || size === 0) {
        cs.write(MEMORY_BASE.offset, 2, 0xfff0); // base > limit: window closed
        cs.write(MEMORY_LIMIT.offset, 2, 0x0000);
        return;
      }
      cs.write(MEMORY_BASE.offset, 2, Math.floor(base / 2 ** 16) & 0xfff0);
      cs.write(MEMORY_LIMIT.offset, 2, Math.floor((base + size - 1) / 2 ** 16) & 0xfff0);
      out.assignments.push({ function: br.name, what: 'window', base, size });
      inner.place(base);
    },
  };
}
