// Per-device media state: poisoned 64-byte DPA lines, media availability (ready / disabled during
// Sanitize and Secure Erase) and device-internal media writes. Owns that state and the listeners
// told when it changes; it never decodes HPAs and never touches another device's bytes (every
// write goes through this device's own BackingStores, so Arena.noteWrite keeps translated code
// coherent). The memory/CPU side asks `isPoisoned(dpa)` / `mediaDisabled` on the slow path.

import { PAGE_SIZE } from '../memory/arena.js';
import type { MediaGuard } from '../memory/media-guard.js';
import type { BackingStore } from '../memory/store.js';
import type { Type3Device } from './components.js';
import type { TopologyCore } from './topology.js';

/** Poison granule: one cache line (CXL r3.x Get Poison List: addresses and lengths in 64 B units). */
export const POISON_LINE = 64;
/** Poison list entries kept per device (QEMU's CXL_POISON_LIST_LIMIT). */
export const POISON_LIST_LIMIT = 256;

/** Error source of a poison record, Get Poison List address bits [2:0]. */
export enum PoisonSource {
  Unknown = 0,
  External = 1,
  Internal = 2,
  Injected = 3,
  Vendor = 7,
}

export type MediaChangeKind =
  /** Lines became poisoned or were cleared: TLB entries over them must be dropped. */
  | 'poison'
  /** Bytes were rewritten by the device (already through BackingStore writes). */
  | 'data'
  /** Media went disabled or came back (Sanitize / Secure Erase): every access must re-check. */
  | 'media-state'
  /** The active partition layout changed (applied on reset). */
  | 'partition';

export interface MediaChange {
  kind: MediaChangeKind;
  /** First DPA affected and byte length (whole device for media-state/partition). */
  dpa: number;
  length: number;
}

export type MediaChangeListener = (device: Type3Device, change: MediaChange) => void;

export interface PoisonRange {
  dpa: number;
  /** Bytes (a multiple of 64). */
  length: number;
  source: PoisonSource;
}

export type InjectOutcome = 'ok' | 'already' | 'limit';

/** Told the first time a load reaches a poisoned line (once per line per poisoning): DPA of the line. */
export type PoisonedReadListener = (dpa: number) => void;

export class DeviceMedia {
  readonly device: Type3Device;
  /** Line index (dpa / 64) -> source. */
  private readonly lines = new Map<number, PoisonSource>();
  /** 4 KiB DPA page index -> poisoned lines in it (lets the memory side skip clean pages fast). */
  private readonly pages = new Map<number, number>();
  private readonly listeners: MediaChangeListener[] = [];
  private readonly readListeners: PoisonedReadListener[] = [];
  /** Poisoned lines whose uncorrectable read was already reported (cleared with the poison). */
  private readonly reported = new Set<number>();
  private disabled = false;
  /** Set when a poison entry could not be recorded (list full). */
  overflowed = false;
  overflowTimestamp = 0n;

  constructor(device: Type3Device) {
    this.device = device;
  }

  get capacity(): number {
    return this.device.capacity;
  }

  // ---- what the memory / CPU side asks ----

  /** True when the 64-byte line holding `dpa` is poisoned: a load there must raise an access fault. */
  isPoisoned(dpa: number): boolean {
    return this.lines.size !== 0 && this.lines.has(Math.floor(dpa / POISON_LINE));
  }

  /** True when any line of the 4 KiB DPA page holding `dpa` is poisoned (do not cache it in a TLB). */
  pageHasPoison(dpa: number): boolean {
    return this.pages.size !== 0 && this.pages.has(Math.floor(dpa / PAGE_SIZE));
  }

  /** True while Sanitize / Secure Erase runs (or after one was interrupted): media accesses fail. */
  get mediaDisabled(): boolean {
    return this.disabled;
  }

  /** Listener told about poison, data, media-state and partition changes. Returns an unsubscribe. */
  onMediaChange(listener: MediaChangeListener): () => void {
    return subscribe(this.listeners, listener);
  }

  /**
   * A host load (or fetch) reached the poisoned line holding `dpa` and got no data. The first report
   * per line per poisoning tells the listeners (the mailbox logs a General Media event, as a real
   * device reports the uncorrectable error it returned); repeats, and clean lines, return false.
   * The memory side calls it through PartitionMediaGuard.poisonedLoad, or the board with a DPA.
   */
  reportPoisonedRead(dpa: number): boolean {
    if (!(dpa >= 0 && dpa < this.capacity) || !this.isPoisoned(dpa)) return false;
    const line = Math.floor(dpa / POISON_LINE);
    if (this.reported.has(line)) return false;
    this.reported.add(line);
    for (const l of this.readListeners) l(line * POISON_LINE);
    return true;
  }

  /** Listener told about reported poisoned reads. Returns an unsubscribe. */
  onPoisonedRead(listener: PoisonedReadListener): () => void {
    return subscribe(this.readListeners, listener);
  }

  notify(change: MediaChange): void {
    for (const l of this.listeners) l(this.device, change);
  }

  // ---- poison list ----

  get poisonCount(): number {
    return this.lines.size;
  }

  /** Poison the line at `dpa` (64-byte aligned, inside the device). */
  inject(dpa: number, source: PoisonSource = PoisonSource.Injected, timestamp = 0n): InjectOutcome {
    const line = Math.floor(dpa / POISON_LINE);
    if (this.lines.has(line)) return 'already';
    if (this.lines.size >= POISON_LIST_LIMIT) {
      this.overflowed = true;
      this.overflowTimestamp = timestamp;
      return 'limit';
    }
    this.lines.set(line, source);
    const page = Math.floor(dpa / PAGE_SIZE);
    this.pages.set(page, (this.pages.get(page) ?? 0) + 1);
    this.notify({ kind: 'poison', dpa: line * POISON_LINE, length: POISON_LINE });
    return 'ok';
  }

  /** Un-poison the line at `dpa`. Returns whether it was poisoned. */
  clearLine(dpa: number): boolean {
    const line = Math.floor(dpa / POISON_LINE);
    if (!this.lines.delete(line)) return false;
    this.reported.delete(line);
    const page = Math.floor(dpa / PAGE_SIZE);
    const n = (this.pages.get(page) ?? 1) - 1;
    if (n <= 0) this.pages.delete(page);
    else this.pages.set(page, n);
    this.notify({ kind: 'poison', dpa: line * POISON_LINE, length: POISON_LINE });
    return true;
  }

  /** Drop every poison record (Sanitize, Secure Erase). */
  clearAll(): void {
    if (this.lines.size === 0 && !this.overflowed) return;
    this.lines.clear();
    this.pages.clear();
    this.reported.clear();
    this.overflowed = false;
    this.overflowTimestamp = 0n;
    this.notify({ kind: 'poison', dpa: 0, length: this.capacity });
  }

  /** Poisoned ranges overlapping [dpa, dpa + length), sorted, adjacent lines of one source merged. */
  ranges(dpa: number, length: number): PoisonRange[] {
    const first = Math.floor(dpa / POISON_LINE);
    const end = Math.ceil((dpa + length) / POISON_LINE);
    const keys = [...this.lines.keys()].filter((l) => l >= first && l < end).sort((a, b) => a - b);
    const out: PoisonRange[] = [];
    for (const l of keys) {
      const src = this.lines.get(l)!;
      const last = out[out.length - 1];
      if (last && last.source === src && last.dpa + last.length === l * POISON_LINE) last.length += POISON_LINE;
      else out.push({ dpa: l * POISON_LINE, length: POISON_LINE, source: src });
    }
    return out;
  }

  // ---- media availability ----

  setMediaDisabled(disabled: boolean): void {
    if (this.disabled === disabled) return;
    this.disabled = disabled;
    this.notify({ kind: 'media-state', dpa: 0, length: this.capacity });
  }

  // ---- device-internal writes (through BackingStore, so arena.noteWrite runs) ----

  /** Write `src` at `dpa` (must lie inside the device). */
  write(dpa: number, src: Uint8Array): void {
    let done = 0;
    while (done < src.length) {
      const loc = this.device.locate(dpa + done);
      if (!loc)
        throw new RangeError(
          `${this.device.name}: media write at DPA ${dpa + done} is beyond capacity ${this.capacity}`,
        );
      const n = Math.min(src.length - done, loc.store.size - loc.offset);
      loc.store.write(loc.offset, src.subarray(done, done + n));
      done += n;
    }
    if (src.length) this.notify({ kind: 'data', dpa, length: src.length });
  }

  /** Read `dst.length` bytes at `dpa` (must lie inside the device). */
  read(dpa: number, dst: Uint8Array): void {
    let done = 0;
    while (done < dst.length) {
      const loc = this.device.locate(dpa + done);
      if (!loc)
        throw new RangeError(
          `${this.device.name}: media read at DPA ${dpa + done} is beyond capacity ${this.capacity}`,
        );
      const n = Math.min(dst.length - done, loc.store.size - loc.offset);
      loc.store.read(loc.offset, dst.subarray(done, done + n));
      done += n;
    }
  }

  /** Zero every media byte. Anonymous stores zero only the pages already mapped (unmapped pages
   *  read as zeros); file-backed stores zero everything so the file is erased on flush. */
  zeroAll(): void {
    for (const st of [this.device.volatileStore, this.device.persistentStore]) if (st) zeroStore(st);
    if (this.capacity) this.notify({ kind: 'data', dpa: 0, length: this.capacity });
  }
}

/** Zero a store through its write path (noteWrite), touching as few pages as possible. */
export function zeroStore(st: BackingStore): void {
  if (st.tracksDirty) {
    const CH = 1 << 24;
    for (let off = 0; off < st.size; off += CH) st.fill(off, Math.min(CH, st.size - off), 0);
    return;
  }
  const pt = st.pageTable;
  for (let p = 0; p < pt.length; p++) {
    if (pt[p] === 0) continue;
    const off = p * PAGE_SIZE;
    st.fill(off, Math.min(PAGE_SIZE, st.size - off), 0);
  }
}

/** Add `l` to `list`; returns its removal. */
function subscribe<T>(list: T[], l: T): () => void {
  list.push(l);
  return () => {
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
  };
}

const media = new WeakMap<Type3Device, DeviceMedia>();

/** The media state of `device` (created on first use; one per device). */
export function mediaOf(device: Type3Device): DeviceMedia {
  let m = media.get(device);
  if (!m) {
    m = new DeviceMedia(device);
    media.set(device, m);
  }
  return m;
}

/**
 * The memory layer's view of one partition store of a device: store offset `off` is DPA
 * `dpaBase + off` (the store -> (device, DPA base) map; `Type3Device.locate` is the inverse).
 * DPA bases are multiples of 256 MiB, so store lines and pages coincide with DPA lines and pages.
 */
export class PartitionMediaGuard implements MediaGuard {
  readonly media: DeviceMedia;
  readonly dpaBase: number;

  constructor(media: DeviceMedia, dpaBase: number) {
    this.media = media;
    this.dpaBase = dpaBase;
  }

  get active(): boolean {
    return this.media.poisonCount !== 0 || this.media.mediaDisabled;
  }

  get disabled(): boolean {
    return this.media.mediaDisabled;
  }

  poisoned(off: number, len: number): boolean {
    const m = this.media;
    if (m.poisonCount === 0) return false;
    const first = Math.floor((this.dpaBase + off) / POISON_LINE);
    const end = Math.ceil((this.dpaBase + off + len) / POISON_LINE);
    for (let l = first; l < end; l++) if (m.isPoisoned(l * POISON_LINE)) return true;
    return false;
  }

  pageHasPoison(off: number): boolean {
    return this.media.pageHasPoison(this.dpaBase + off);
  }

  /**
   * A load of store bytes [off, off + len) faulted on poison: report each poisoned line it touched
   * (DeviceMedia.reportPoisonedRead). Not part of src/memory's MediaGuard yet: the memory layer (or
   * the board, from the faulting access) calls it where it answers AccessFault.Poisoned.
   */
  poisonedLoad(off: number, len: number): void {
    const first = Math.floor((this.dpaBase + off) / POISON_LINE);
    const end = Math.ceil((this.dpaBase + off + Math.max(1, len)) / POISON_LINE);
    for (let l = first; l < end; l++) this.media.reportPoisonedRead(l * POISON_LINE);
  }
}

/** Install a PartitionMediaGuard on each partition store of `dev` in `as`. Returns an uninstall. */
export function guardDeviceStores(
  as: { guardStore(store: BackingStore, guard: MediaGuard): () => void },
  dev: Type3Device,
): () => void {
  const offs: (() => void)[] = [];
  const m = mediaOf(dev);
  if (dev.volatileStore) offs.push(as.guardStore(dev.volatileStore, new PartitionMediaGuard(m, 0)));
  if (dev.persistentStore) offs.push(as.guardStore(dev.persistentStore, new PartitionMediaGuard(m, dev.volatileBytes)));
  return () => offs.forEach((f) => f());
}

/**
 * Wire every memdev's media to the address space: each partition store gets a MediaGuard
 * (AddressSpace.guardStore), so a poisoned line faults loads and fetches (AccessFault.Poisoned),
 * disabled media reads all-ones and drops stores, and such pages are never cached; and poison /
 * media-state changes call `addressSpace.invalidateRoutes` for the windows that can reach the
 * device, so software TLB entries over those pages are dropped and the next access takes the
 * slow path. Data changes need no flush: they went through BackingStore writes, and TLB entries
 * hold arena offsets that stay valid. Returns an unsubscribe (guards removed too).
 */
export function connectMediaInvalidation(topo: TopologyCore): () => void {
  const offs: (() => void)[] = [];
  for (const dev of topo.memdevs) {
    const as = topo.addressSpace;
    if (as) {
      // A repartition (reset) replaces the stores: move the guards to the new ones.
      let unguard = guardDeviceStores(as, dev);
      const offRep = dev.onRepartition(() => {
        unguard();
        unguard = guardDeviceStores(as, dev);
      });
      offs.push(() => {
        offRep();
        unguard();
      });
    }
    const hb = topo.hostBridgeOf(dev);
    offs.push(
      mediaOf(dev).onMediaChange((_d, ch) => {
        if (ch.kind === 'data') return;
        for (const w of topo.windows) if (w.targets.includes(hb)) topo.addressSpace?.invalidateRoutes(w.base, w.size);
      }),
    );
  }
  return () => offs.forEach((f) => f());
}
