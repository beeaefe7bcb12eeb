// Test helper (not a test file): a host-side mailbox driver that talks to a DeviceRegisters block
// mapped into an AddressSpace exactly as Linux's cxl_pci does (drivers/cxl/pci.c
// __cxl_pci_mbox_send_cmd): find the capabilities through the array, wait for the doorbell to be
// clear, write the payload, write the 64-bit Command register, set the doorbell, poll it, then read
// the return code from Status and the output length from Command, and the output payload.

import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { AddressSpace } from '../../src/memory/address-space.js';
import { BackingStore } from '../../src/memory/store.js';
import { CxlTopology } from '../../src/cxl/index.js';
import { DeviceRegisters, DEVICE_REGS_SIZE, type DeviceRegistersOptions } from '../../src/cxl/device-registers.js';
import { hb, mem, win, WBASE, GiB, SZ_256M } from './fixtures.js';

export const REGS_BASE = 0x4001_0000;

export interface Reply {
  rc: number;
  out: Uint8Array;
}

export class HostMailbox {
  readonly as: AddressSpace;
  readonly base: number;
  mbox = 0;
  memdevStatus = 0;
  devStatus = 0;
  payloadSize = 0;

  constructor(as: AddressSpace, base: number) {
    this.as = as;
    this.base = base;
    this.probe();
  }

  r32(off: number): number {
    const v = this.as.load(this.base + off, 4);
    assert.equal(this.as.fault, 0, `read fault at +0x${off.toString(16)}`);
    return v;
  }

  r64(off: number): bigint {
    const lo = this.as.load(this.base + off, 8);
    const hi = this.as.hi;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  w32(off: number, v: number): void {
    this.as.store(this.base + off, 4, v >>> 0);
  }

  w64(off: number, v: bigint): void {
    this.as.store(this.base + off, 8, Number(v & 0xffffffffn), Number(v >> 32n));
  }

  /** cxl_probe_device_regs: walk the capabilities array. */
  private probe(): void {
    const arr = this.r64(0);
    assert.equal(Number(arr & 0xffffn), 0, 'capabilities array id');
    const count = Number((arr >> 32n) & 0xffffn);
    for (let i = 1; i <= count; i++) {
      const id = this.r32(i * 0x10) & 0xffff;
      const off = this.r32(i * 0x10 + 4);
      if (id === 1) this.devStatus = off;
      if (id === 2) this.mbox = off;
      if (id === 0x4000) this.memdevStatus = off;
    }
    const caps = this.r32(this.mbox);
    this.payloadSize = 2 ** (caps & 0x1f);
  }

  get doorbell(): boolean {
    return (this.r32(this.mbox + 4) & 1) === 1;
  }

  /** One command. `lengthOverride` writes a different length into Command than the bytes given. */
  send(opcode: number, payload: Uint8Array = new Uint8Array(0), lengthOverride?: number): Reply {
    assert.equal(this.doorbell, false, 'doorbell busy before send');
    const p = this.mbox + 0x20;
    // memcpy_toio: 8-byte stores where aligned, then bytes.
    let i = 0;
    for (; i + 8 <= payload.length; i += 8) {
      const lo = (payload[i]! | (payload[i + 1]! << 8) | (payload[i + 2]! << 16) | (payload[i + 3]! << 24)) >>> 0;
      const hi = (payload[i + 4]! | (payload[i + 5]! << 8) | (payload[i + 6]! << 16) | (payload[i + 7]! << 24)) >>> 0;
      this.as.store(this.base + p + i, 8, lo, hi);
    }
    for (; i < payload.length; i++) this.as.store(this.base + p + i, 1, payload[i]!);
    const len = lengthOverride ?? payload.length;
    this.w64(this.mbox + 8, BigInt(opcode & 0xffff) | (BigInt(len) << 16n));
    this.w32(this.mbox + 4, this.r32(this.mbox + 4) | 1);
    let spins = 0;
    while (this.doorbell) assert.ok(++spins < 1000, 'doorbell never cleared');
    const status = this.r64(this.mbox + 0x10);
    const rc = Number((status >> 32n) & 0xffffn);
    const outLen = Number((this.r64(this.mbox + 8) >> 16n) & 0x1fffffn);
    const out = new Uint8Array(outLen);
    for (let k = 0; k < outLen; k++) out[k] = this.as.load(this.base + p + k, 1);
    return { rc, out };
  }

  bgStatus(): { opcode: number; percent: number; rc: number } {
    const v = this.r64(this.mbox + 0x18);
    return { opcode: Number(v & 0xffffn), percent: Number((v >> 16n) & 0x7fn), rc: Number((v >> 32n) & 0xffffn) };
  }

  bgRunning(): boolean {
    return (this.r64(this.mbox + 0x10) & 1n) === 1n;
  }

  mediaStatus(): number {
    return (this.r32(this.memdevStatus) >>> 2) & 3;
  }
}

export interface Rig {
  arena: Arena;
  as: AddressSpace;
  topo: CxlTopology;
  regs: DeviceRegisters;
  other: DeviceRegisters;
  host: HostMailbox;
  ram: BackingStore;
  clock: { ns: bigint };
  irq: boolean[];
}

/** Two memdevs under one host bridge (mem0: 256 MiB volatile + 256 MiB persistent + 128 KiB LSA;
 *  mem1: 256 MiB persistent + LSA), a RAM store, and mem0's registers mapped at REGS_BASE. */
export function rig(opts: DeviceRegistersOptions & { manualClock?: boolean; arena?: Arena } = {}): Rig {
  const arena = opts.arena ?? new Arena({ bytes: 128 * 2 ** 20 });
  const as = new AddressSpace(arena);
  const topo = CxlTopology.build(
    {
      hostBridges: [
        hb('hb0', 0, [
          mem('mem0', { volatileBytes: SZ_256M, persistentBytes: SZ_256M, lsaBytes: 128 * 1024 }),
          mem('mem1', { lsaBytes: 4096 }),
        ]),
      ],
      windows: [win('w0', WBASE, 4 * GiB, ['hb0'], 256)],
      xorMaps: [],
    },
    arena,
    as,
  );
  const ram = new BackingStore(arena, { name: 'ram', size: 1 << 20 });
  const clock = { ns: 0n };
  const irq: boolean[] = [];
  const o: DeviceRegistersOptions = { raiseIrq: (l) => irq.push(l) };
  if (opts.payloadShift !== undefined) o.payloadShift = opts.payloadShift;
  if (opts.manualClock) o.now = () => clock.ns;
  const regs = new DeviceRegisters(topo.memdevs[0]!, o);
  const other = new DeviceRegisters(topo.memdevs[1]!);
  as.begin();
  as.ram('ram', 0x8000_0000, ram);
  as.mmio('mem0-regs', REGS_BASE, DEVICE_REGS_SIZE, regs);
  as.mmio('mem1-regs', REGS_BASE + DEVICE_REGS_SIZE, DEVICE_REGS_SIZE, other);
  as.commit();
  const host = new HostMailbox(as, REGS_BASE);
  return { arena, as, topo, regs, other, host, ram, clock, irq };
}

export const le64 = (...vals: (number | bigint)[]): Uint8Array => {
  const b = new Uint8Array(8 * vals.length);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setBigUint64(8 * i, BigInt(v), true));
  return b;
};

export const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export const rd16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
export const rd32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
export const rd64 = (b: Uint8Array, o: number) => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(o, true));
