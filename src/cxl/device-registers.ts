// The 64 KiB memory-device register block of one type-3 device (Register Locator block id 3;
// SPEC-NOTES 2.4): capabilities array, Device Status, Primary Mailbox and Memory Device Status.
// Owns the register image, the mailbox protocol and its interrupts; commands live in ./mailbox/,
// media state in poison.ts. It never decodes HPAs and writes media only through DeviceMedia.
// Commands run synchronously when the doorbell is set: the doorbell reads 0 again as soon as the
// write returns, so a host that polls it (Linux does) sees completion at once.

import type { MmioOps } from '../memory/region.js';
import type { Type3Device } from './components.js';
import { EventLog, executeCommand, MAILBOX_COMMANDS, MailboxState, RC } from './mailbox/index.js';
import {
  encodeMediaEvent,
  eventLogOf,
  type EventFields,
  type EventLogName,
  type MediaEventKind,
} from './mailbox/event-records.js';
import { eventLogVector, T3_MSIX } from './mailbox/types.js';
import type { DeviceMedia } from './poison.js';

/** Size of the block (it sits in endpoint BAR0 at 0x10000). */
export const DEVICE_REGS_SIZE = 0x10000;

/** Capability IDs of the device capabilities array. */
export const DEV_CAP = {
  DeviceStatus: 0x0001,
  PrimaryMailbox: 0x0002,
  SecondaryMailbox: 0x0003,
  MemdevStatus: 0x4000,
} as const;

/** Offsets inside the block: each capability's registers and the array headers that point at them. */
export const DEVREG = {
  /** Capabilities array register (64-bit): id 0 [15:0], version [23:16], count [47:32]. */
  CAP_ARRAY: 0x00,
  /** First capability header; 16 bytes each: id [15:0], version [23:16], offset (+4), length (+8). */
  CAP_HDR: 0x10,
  DEV_STATUS: 0x100,
  DEV_STATUS_LEN: 0x8,
  MEMDEV_STATUS: 0x180,
  MEMDEV_STATUS_LEN: 0x8,
  MBOX: 0x1000,
} as const;

/** Primary mailbox registers, offsets from DEVREG.MBOX (CXL 2.0 §8.2.8.4). */
export const MBOX = { CAPS: 0x00, CTRL: 0x04, CMD: 0x08, STATUS: 0x10, BG_STATUS: 0x18, PAYLOAD: 0x20 } as const;

export type Access = 'RO' | 'RW' | 'RW1S';

/** One register field: byte offset of its register in the block, bit position, width and access. */
export interface RegField {
  reg: number;
  lo: number;
  width: number;
  access: Access;
}

const f = (reg: number, lo: number, width: number, access: Access): RegField => ({ reg, lo, width, access });
const M = DEVREG.MBOX;

/** Every field of the block, declared once; reads, writes and write masks derive from these. */
export const FIELD = {
  capArrayId: f(DEVREG.CAP_ARRAY, 0, 16, 'RO'),
  capArrayVersion: f(DEVREG.CAP_ARRAY, 16, 8, 'RO'),
  capArrayCount: f(DEVREG.CAP_ARRAY, 32, 16, 'RO'),
  eventStatus: f(DEVREG.DEV_STATUS, 0, 4, 'RO'),
  fatal: f(DEVREG.MEMDEV_STATUS, 0, 1, 'RO'),
  fwHalt: f(DEVREG.MEMDEV_STATUS, 1, 1, 'RO'),
  mediaStatus: f(DEVREG.MEMDEV_STATUS, 2, 2, 'RO'),
  mailboxReady: f(DEVREG.MEMDEV_STATUS, 4, 1, 'RO'),
  resetNeeded: f(DEVREG.MEMDEV_STATUS, 5, 3, 'RO'),
  payloadSize: f(M + MBOX.CAPS, 0, 5, 'RO'),
  doorbellIrqCapable: f(M + MBOX.CAPS, 5, 1, 'RO'),
  bgIrqCapable: f(M + MBOX.CAPS, 6, 1, 'RO'),
  msgNumber: f(M + MBOX.CAPS, 7, 4, 'RO'),
  doorbell: f(M + MBOX.CTRL, 0, 1, 'RW1S'),
  doorbellIrq: f(M + MBOX.CTRL, 1, 1, 'RW'),
  bgIrq: f(M + MBOX.CTRL, 2, 1, 'RW'),
  opcode: f(M + MBOX.CMD, 0, 16, 'RW'),
  payloadLength: f(M + MBOX.CMD, 16, 21, 'RW'),
  bgOperation: f(M + MBOX.STATUS, 0, 1, 'RO'),
  returnCode: f(M + MBOX.STATUS, 32, 16, 'RO'),
  vendorStatus: f(M + MBOX.STATUS, 48, 16, 'RO'),
  bgOpcode: f(M + MBOX.BG_STATUS, 0, 16, 'RO'),
  bgPercent: f(M + MBOX.BG_STATUS, 16, 7, 'RO'),
  bgReturnCode: f(M + MBOX.BG_STATUS, 32, 16, 'RO'),
  bgVendorStatus: f(M + MBOX.BG_STATUS, 48, 16, 'RO'),
} as const;

/** Media status values of Memory Device Status [3:2]. */
export const MEDIA = { NotReady: 0, Ready: 1, Error: 2, Disabled: 3 } as const;

export interface DeviceRegistersOptions {
  /** INTx level of the function: mailbox doorbell, background completion and event interrupts. */
  raiseIrq?: (level: boolean) => void;
  /** Guest time in ns (background progress). Default: a deterministic clock that advances 100 us
   *  on every access to the block and every tick(). */
  now?: () => bigint;
  /** Payload size is 2^payloadShift bytes, 11 (2 KiB, QEMU's) .. 15. Default 11. */
  payloadShift?: number;
}

/**
 * The function's MSI-X as the registers see it (src/pci Msix implements it): whether MSI-X is
 * enabled, and one interrupt event on a vector (sent, or pending while masked).
 */
export interface MsixSink {
  readonly enabled: boolean;
  notify(vector: number): unknown;
}

/** Interrupt sources latched until the host reads the register that reports them. */
const IRQ_DOORBELL = 1;
const IRQ_BG = 2;
const IRQ_EVENT = 4;

export class DeviceRegisters implements MmioOps {
  readonly valid = { min: 1, max: 8 } as const;
  readonly impl = { min: 1, max: 4 } as const;
  readonly device: Type3Device;
  readonly state: MailboxState;
  readonly payloadSize: number;
  /** Register image (little-endian); the payload lives in it at MBOX + 0x20. */
  private readonly image = new Uint8Array(DEVICE_REGS_SIZE);
  private readonly dv = new DataView(this.image.buffer);
  /** Per-byte write masks derived from FIELD (payload bytes: all writable). */
  private readonly wmask = new Uint8Array(DEVICE_REGS_SIZE);
  private readonly raiseIrq: (level: boolean) => void;
  /** External guest clock (ns), or null: the deterministic own clock. */
  private nowFn: (() => bigint) | null;
  private clock = 0n;
  private latch = 0;
  private level = false;
  private msix: MsixSink | null = null;

  constructor(device: Type3Device, opts: DeviceRegistersOptions = {}) {
    this.device = device;
    const shift = opts.payloadShift ?? 11;
    if (!Number.isInteger(shift) || shift < 11 || shift > 15) {
      throw new RangeError(
        `device registers of ${device.name}: payloadShift must be 11..15 (payload 2 KiB..32 KiB inside the 64 KiB block), got ${shift}`,
      );
    }
    this.payloadSize = 2 ** shift;
    this.raiseIrq = opts.raiseIrq ?? (() => {});
    this.nowFn = opts.now ?? null;
    const now = () => (this.nowFn ? this.nowFn() : this.clock);
    this.state = new MailboxState(device, { payloadSize: this.payloadSize, now, commands: () => MAILBOX_COMMANDS });
    this.state.onBackgroundDone = () => {
      if (this.extract(FIELD.bgIrq)) this.interrupt(IRQ_BG, T3_MSIX.mailbox);
    };
    this.state.onEventInterrupt = (log) => this.interrupt(IRQ_EVENT, eventLogVector(log));
    // A host read that hit poison: the device logs the uncorrectable error it returned (Failure log,
    // General Media, host read, media ECC error, uncorrectable), once per line per poisoning.
    this.media.onPoisonedRead((dpa) =>
      this.state.addEvent(
        EventLog.Failure,
        encodeMediaEvent(device, EventLog.Failure, 'generalMedia', {
          dpa,
          uncorrectable: true,
          memoryEventType: 'mediaEcc',
          transactionType: 'hostRead',
        }),
      ),
    );
    for (const fl of Object.values(FIELD)) if (fl.access !== 'RO') this.maskField(fl);
    this.wmask.fill(0xff, M + MBOX.PAYLOAD, M + MBOX.PAYLOAD + this.payloadSize);
    this.buildStatic();
  }

  get media(): DeviceMedia {
    return this.state.media;
  }

  // ---- MmioOps ----

  read(offset: number, size: 1 | 2 | 4): number {
    this.step();
    if (offset < 0 || offset + size > DEVICE_REGS_SIZE) return 0;
    this.refresh();
    const v =
      size === 1 ? this.image[offset]! : size === 2 ? this.dv.getUint16(offset, true) : this.dv.getUint32(offset, true);
    // Reading a status register acknowledges the interrupt it reports (INTx is a level).
    if (offset < M + MBOX.BG_STATUS + 8 && offset + size > M + MBOX.STATUS) this.acknowledge(IRQ_DOORBELL | IRQ_BG);
    if (offset < DEVREG.DEV_STATUS + DEVREG.DEV_STATUS_LEN && offset + size > DEVREG.DEV_STATUS)
      this.acknowledge(IRQ_EVENT);
    return v;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.step();
    if (offset < 0 || offset + size > DEVICE_REGS_SIZE) return;
    const ctrl = M + MBOX.CTRL;
    let ring = false;
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      const m = this.wmask[o]!;
      if (m === 0) continue;
      const b = (value >>> (8 * i)) & 0xff;
      if (o === ctrl && b & 1) ring = true;
      // Doorbell is write-1-to-set: a 0 written there leaves it as it is.
      const keep = o === ctrl ? ~m | 1 : ~m;
      this.image[o] = (this.image[o]! & keep) | (b & m);
    }
    if (ring) this.ringDoorbell();
  }

  // ---- board-facing ----

  /** Advance background work (call from the run loop so completion interrupts fire on time). */
  tick(): void {
    this.step();
    this.state.pollBackground();
    this.refresh();
  }

  /**
   * Switch the time source: guest ns (e.g. from the board's mtime), or null for the deterministic
   * own clock. The machine attaches the board's clock when a board is built around it.
   */
  setClock(now: (() => bigint) | null): void {
    this.nowFn = now;
  }

  /**
   * Signal interrupts by MSI-X while `msix.enabled` (one message per event: a completed command with
   * the doorbell interrupt enabled, a completed background command with its interrupt enabled, a
   * record added to a log in MSI/MSI-X mode); while it is disabled (or with null), the INTx latch as
   * before. The endpoint builder (pci-functions.ts) connects its function's Msix here.
   */
  connectMsix(msix: MsixSink | null): void {
    this.msix = msix;
  }

  /**
   * Host API: add a General Media or DRAM event record to a log, as the device would on finding the
   * error (the log's interrupt follows its policy). Every argument is checked; a bad one throws an
   * EventInjectError naming it (`log`, `kind`, `fields.<name>`) and the rule. Returns the record
   * handle, or 0 when the log was full (the record then counts as an overflow, as the spec says).
   */
  injectEvent(log: EventLogName | EventLog, kind: MediaEventKind, fields: EventFields): number {
    const l = eventLogOf(log);
    const rec = encodeMediaEvent(this.device, l, kind, fields);
    return this.state.addEvent(l, rec);
  }

  /**
   * Host API: run one command through a second command interface, as a BMC's sideband (MCTP) CCI
   * reaches the device: the same command set, checks and device state as the primary mailbox, but
   * none of its registers are touched, so a guest's command in flight there is undisturbed.
   */
  sideband(opcode: number, input: Uint8Array): { rc: number; out: Uint8Array } {
    if (input.length > this.payloadSize) return { rc: RC.InvalidPayloadLength, out: new Uint8Array(0) };
    const r = executeCommand(this.state, opcode, input);
    this.refresh();
    return { rc: r.rc, out: r.out ?? new Uint8Array(0) };
  }

  /** Conventional reset: registers to their reset values, a pending repartition applies, IRQ low. */
  reset(): void {
    this.state.reset();
    this.image.fill(0, M + MBOX.CTRL, M + MBOX.PAYLOAD + this.payloadSize);
    this.latch = 0;
    this.updateLevel();
    this.refresh();
  }

  /** Register field value (fields up to 32 bits wide; returns a Number). */
  get(fl: RegField): number {
    this.refresh();
    return this.extract(fl);
  }

  // ---- internals ----

  private step(): void {
    if (!this.nowFn) this.clock += 100_000n;
  }

  private ringDoorbell(): void {
    const opcode = this.extract(FIELD.opcode);
    const len = this.extract(FIELD.payloadLength);
    const base = M + MBOX.PAYLOAD;
    let rc: RC;
    let outLen = 0;
    if (len > this.payloadSize) {
      rc = RC.InvalidPayloadLength;
    } else {
      const r = executeCommand(this.state, opcode, this.image.slice(base, base + len));
      rc = r.rc;
      if (r.out && (rc === RC.Success || rc === RC.BackgroundStarted)) {
        this.image.set(r.out, base);
        outLen = r.out.length;
      }
    }
    this.deposit(FIELD.payloadLength, outLen);
    this.deposit(FIELD.returnCode, rc);
    this.deposit(FIELD.vendorStatus, 0);
    this.deposit(FIELD.doorbell, 0);
    this.refresh();
    if (this.extract(FIELD.doorbellIrq)) this.interrupt(IRQ_DOORBELL, T3_MSIX.mailbox);
  }

  /** Dynamic registers from device state: status bits, background status, media and event status. */
  private refresh(): void {
    const st = this.state;
    st.pollBackground();
    this.deposit(FIELD.bgOperation, st.backgroundRunning ? 1 : 0);
    this.deposit(FIELD.bgOpcode, st.bgLast.opcode);
    this.deposit(FIELD.bgPercent, st.bgLast.percent);
    this.deposit(FIELD.bgReturnCode, st.bgLast.rc);
    this.deposit(FIELD.mediaStatus, st.media.mediaDisabled ? MEDIA.Disabled : MEDIA.Ready);
    this.deposit(FIELD.eventStatus, st.eventStatus());
  }

  private buildStatic(): void {
    const caps = [
      { id: DEV_CAP.DeviceStatus, version: 2, offset: DEVREG.DEV_STATUS, length: DEVREG.DEV_STATUS_LEN },
      { id: DEV_CAP.PrimaryMailbox, version: 1, offset: DEVREG.MBOX, length: MBOX.PAYLOAD + this.payloadSize },
      { id: DEV_CAP.MemdevStatus, version: 1, offset: DEVREG.MEMDEV_STATUS, length: DEVREG.MEMDEV_STATUS_LEN },
    ];
    this.deposit(FIELD.capArrayId, 0);
    this.deposit(FIELD.capArrayVersion, 1);
    this.deposit(FIELD.capArrayCount, caps.length);
    caps.forEach((c, i) => {
      const h = DEVREG.CAP_HDR + 0x10 * i;
      this.dv.setUint32(h, c.id | (c.version << 16), true);
      this.dv.setUint32(h + 4, c.offset, true);
      this.dv.setUint32(h + 8, c.length, true);
    });
    this.deposit(FIELD.payloadSize, Math.log2(this.payloadSize));
    this.deposit(FIELD.doorbellIrqCapable, 1);
    this.deposit(FIELD.bgIrqCapable, 1);
    this.deposit(FIELD.msgNumber, T3_MSIX.mailbox);
    this.deposit(FIELD.mailboxReady, 1);
    this.refresh();
  }

  private extract(fl: RegField): number {
    let v = 0;
    for (let i = fl.width - 1; i >= 0; i--) {
      const bit = fl.lo + i;
      v = v * 2 + ((this.image[fl.reg + (bit >>> 3)]! >>> (bit & 7)) & 1);
    }
    return v;
  }

  private deposit(fl: RegField, value: number): void {
    let v = value;
    for (let i = 0; i < fl.width; i++) {
      const bit = fl.lo + i;
      const o = fl.reg + (bit >>> 3);
      const m = 1 << (bit & 7);
      this.image[o] = v % 2 ? this.image[o]! | m : this.image[o]! & ~m;
      v = Math.floor(v / 2);
    }
  }

  private maskField(fl: RegField): void {
    for (let i = 0; i < fl.width; i++) {
      const bit = fl.lo + i;
      this.wmask[fl.reg + (bit >>> 3)]! |= 1 << (bit & 7);
    }
  }

  /** One interrupt event: an MSI-X message on `vector` when MSI-X is enabled, else the INTx latch. */
  private interrupt(src: number, vector: number): void {
    if (this.msix?.enabled) this.msix.notify(vector);
    else this.assert(src);
  }

  private assert(src: number): void {
    this.latch |= src;
    this.updateLevel();
  }

  private acknowledge(src: number): void {
    if (!(this.latch & src)) return;
    this.latch &= ~src;
    this.updateLevel();
  }

  private updateLevel(): void {
    const lv = this.latch !== 0;
    if (lv !== this.level) {
      this.level = lv;
      this.raiseIrq(lv);
    }
  }
}
