// The mailbox-visible state of one memory device: timestamp, event logs, partition layout, health
// and alert configuration, firmware slots, the one background operation and scan-media results.
// Owns that state and the background-operation clock; it never decodes HPAs, and media bytes
// change only through DeviceMedia (poison.ts), i.e. through this device's own BackingStores.

import type { Type3Device } from '../components.js';
import { mediaOf, type DeviceMedia, type PoisonRange } from '../poison.js';
import { CAPACITY_UNIT, eventLogVector, RC, type CommandResult } from './types.js';

export interface MailboxCommand {
  opcode: number;
  name: string;
  /** Exact input length, or { min, max? } for variable-length inputs (checked before the handler). */
  input: number | { min: number; max?: number };
  effects: number;
  /** Refused with Media Disabled while the media is disabled (Sanitize / Secure Erase). */
  needsMedia: boolean;
  /** Called with exactly the command's input bytes (a copy). */
  run(st: MailboxState, input: Uint8Array): CommandResult;
}

/** Event log types of Get/Clear Event Records (byte 0 of the input). */
export enum EventLog {
  Info = 0,
  Warning = 1,
  Failure = 2,
  Fatal = 3,
}

export const EVENT_RECORD_BYTES = 0x80;
/** Event interrupt modes of Get/Set Event Interrupt Policy, setting bits [1:0]. */
export const EVENT_INT_NONE = 0;
export const EVENT_INT_MSI = 1;
export const EVENT_INT_FW = 2;
/** Records each event log holds (Identify reports it; QEMU uses 8 for DC only, we use 16 for all). */
export const EVENT_LOG_CAPACITY = 16;

export interface EventRecord {
  handle: number;
  /** The 128-byte record as Get Event Records returns it (handle and timestamp filled in). */
  bytes: Uint8Array;
}

export interface EventLogState {
  records: EventRecord[];
  overflowCount: number;
  firstOverflow: bigint;
  lastOverflow: bigint;
}

export interface BackgroundOp {
  opcode: number;
  startNs: bigint;
  durationNs: bigint;
  abortable: boolean;
  /** Applies the operation's effect when it completes; returns its return code (default Success). */
  finish: (st: MailboxState) => RC | undefined;
}

export interface HealthState {
  healthStatus: number;
  mediaStatus: number;
  additionalStatus: number;
  lifeUsed: number;
  /** Degrees C as a signed 16-bit value; 0xFFFF = not reported. */
  temperature: number;
  dirtyShutdowns: number;
  correctedVolatileErrors: number;
  correctedPersistentErrors: number;
}

/** Alert bits: 0 life used, 1 over temperature, 2 under temperature, 3 corrected volatile, 4 corrected persistent. */
export const ALERT_MASK = 0x1f;

export interface AlertConfig {
  validAlerts: number;
  programmableAlerts: number;
  lifeUsedCritical: number;
  lifeUsedWarning: number;
  overTempCritical: number;
  underTempCritical: number;
  overTempWarning: number;
  underTempWarning: number;
  correctedVolatileWarning: number;
  correctedPersistentWarning: number;
}

export interface MailboxStateOptions {
  payloadSize: number;
  now: () => bigint;
  commands: () => readonly MailboxCommand[];
}

/** Bytes per nanosecond a background media operation sweeps (4 GB/s: 256 MiB in ~67 ms). */
const SWEEP_BYTES_PER_NS = 4;

export class MailboxState {
  readonly device: Type3Device;
  readonly media: DeviceMedia;
  readonly payloadSize: number;
  readonly now: () => bigint;
  private readonly commandList: () => readonly MailboxCommand[];

  /** Host time set by Set Timestamp (ns since 1970) and our clock then; null until set. */
  timestamp: { hostNs: bigint; atNs: bigint } | null = null;

  readonly logs: EventLogState[] = [0, 1, 2, 3].map(() => ({
    records: [],
    overflowCount: 0,
    firstOverflow: 0n,
    lastOverflow: 0n,
  }));
  nextEventHandle = 1;
  /**
   * Event interrupt mode per log (info, warning, failure, fatal, dynamic capacity): [1:0] of each
   * setting (0 none, 1 MSI/MSI-X, 2 FW interrupt). The message number is the device's choice
   * (`eventInterruptSetting`).
   */
  readonly eventPolicy = new Uint8Array(5);
  /** Called when a record is added to a log whose interrupt mode is MSI/MSI-X (one call per record). */
  onEventInterrupt: ((log: EventLog) => void) | null = null;

  /** Partition layout in bytes: fixed volatile-only / persistent-only parts and the alignment. */
  readonly volatileOnly: number;
  readonly persistentOnly: number;
  readonly partitionAlign: number;
  activeVolatile: number;
  /** Requested by Set Partition Info; applied by reset(). null = no change pending. */
  nextVolatile: number | null = null;
  /** Why the last reset did not apply the pending split (it stays pending), or null. */
  partitionRefusal: string | null = null;

  readonly health: HealthState = {
    healthStatus: 0,
    mediaStatus: 0,
    additionalStatus: 0,
    lifeUsed: 0,
    temperature: 35,
    dirtyShutdowns: 0,
    correctedVolatileErrors: 0,
    correctedPersistentErrors: 0,
  };
  readonly alerts: AlertConfig = {
    validAlerts: 0,
    programmableAlerts: ALERT_MASK,
    lifeUsedCritical: 100,
    lifeUsedWarning: 75,
    overTempCritical: 90,
    underTempCritical: 0,
    overTempWarning: 85,
    underTempWarning: 5,
    correctedVolatileWarning: 0,
    correctedPersistentWarning: 0,
  };

  /** Firmware revision strings per slot (2 slots, slot 1 active). */
  readonly fwSlots = ['cxlemu-0.1.0', ''];
  activeSlot = 1;

  bg: BackgroundOp | null = null;
  /** Background Command Status after the last operation (kept until the next one starts). */
  bgLast: { opcode: number; percent: number; rc: RC } = { opcode: 0, percent: 0, rc: RC.Success };
  /** Called when a background operation completes (the registers raise the interrupt). */
  onBackgroundDone: (() => void) | null = null;
  /** Sanitize interrupted by a reset: media stays disabled until a Sanitize completes. */
  sanitizeInterrupted = false;

  /** Scan Media results (null until a scan completes since the last reset). */
  scan: { results: PoisonRange[]; cursor: number } | null = null;
  /** Get Poison List continuation (same query re-issued returns the next records). */
  poisonCursor: { start: number; length: number; next: number } | null = null;

  constructor(device: Type3Device, opts: MailboxStateOptions) {
    this.device = device;
    this.media = mediaOf(device);
    this.payloadSize = opts.payloadSize;
    this.now = opts.now;
    this.commandList = opts.commands;
    // The whole capacity is partitionable in 256 MiB steps; the spec split is the active one.
    this.volatileOnly = 0;
    this.persistentOnly = 0;
    this.partitionAlign = CAPACITY_UNIT;
    this.activeVolatile = device.volatileBytes;
  }

  get commands(): readonly MailboxCommand[] {
    return this.commandList();
  }

  get capacity(): number {
    return this.device.capacity;
  }

  /** Device time (ns since 1970) for timestamps: host-set time plus elapsed, or 0 before set. */
  timestampNs(): bigint {
    if (!this.timestamp) return 0n;
    return this.timestamp.hostNs + (this.now() - this.timestamp.atNs);
  }

  // ---- events ----

  /** Append a record (its 128 bytes; handle and timestamp are filled in). Returns the handle. */
  addEvent(log: EventLog, record: Uint8Array): number {
    const l = this.logs[log]!;
    const ts = this.timestampNs();
    if (l.records.length >= EVENT_LOG_CAPACITY) {
      if (l.overflowCount === 0) l.firstOverflow = ts;
      l.lastOverflow = ts;
      l.overflowCount = Math.min(0xffff, l.overflowCount + 1);
      return 0;
    }
    const bytes = new Uint8Array(EVENT_RECORD_BYTES);
    bytes.set(record.subarray(0, EVENT_RECORD_BYTES));
    bytes[0x10] = EVENT_RECORD_BYTES;
    const handle = this.nextEventHandle;
    this.nextEventHandle = this.nextEventHandle >= 0xffff ? 1 : this.nextEventHandle + 1;
    bytes[0x14] = handle & 0xff;
    bytes[0x15] = handle >>> 8;
    const t = BigInt.asUintN(64, ts);
    for (let i = 0; i < 8; i++) bytes[0x18 + i] = Number((t >> BigInt(8 * i)) & 0xffn);
    l.records.push({ handle, bytes });
    if ((this.eventPolicy[log]! & 3) === EVENT_INT_MSI) this.onEventInterrupt?.(log);
    return handle;
  }

  /**
   * The Get Event Interrupt Policy byte of log `log`: mode [1:0] and, in MSI/MSI-X mode, the
   * Interrupt Message Number [7:4] the device chose for the log (CXL r3.x Get Event Interrupt Policy).
   */
  eventInterruptSetting(log: number): number {
    const mode = this.eventPolicy[log]! & 3;
    return mode === EVENT_INT_MSI ? mode | (eventLogVector(log) << 4) : mode;
  }

  /** Device Status Event Status bits [3:0]: logs that hold records. */
  eventStatus(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) if (this.logs[i]!.records.length) v |= 1 << i;
    return v;
  }

  // ---- background operations ----

  /** Nanoseconds a media sweep of `bytes` takes (at least 1 ms, as QEMU's minimum runtime). */
  sweepNs(bytes: number): bigint {
    return BigInt(Math.max(1_000_000, Math.ceil(bytes / SWEEP_BYTES_PER_NS)));
  }

  startBackground(op: Omit<BackgroundOp, 'startNs'>): void {
    this.bg = { ...op, startNs: this.now() };
    this.bgLast = { opcode: op.opcode, percent: 0, rc: RC.Success };
  }

  /** Advance the running operation to the current time; completes it when its time is up. */
  pollBackground(): void {
    const bg = this.bg;
    if (!bg) return;
    const elapsed = this.now() - bg.startNs;
    if (elapsed >= bg.durationNs) {
      this.bg = null;
      const rc = bg.finish(this) ?? RC.Success;
      this.bgLast = { opcode: bg.opcode, percent: 100, rc };
      this.onBackgroundDone?.();
      return;
    }
    const pct = elapsed <= 0n ? 0 : Number((elapsed * 100n) / bg.durationNs);
    this.bgLast = { opcode: bg.opcode, percent: Math.min(99, pct), rc: RC.Success };
  }

  /** Request Abort Background Operation: abortable ops stop with return code Aborted. */
  abortBackground(): boolean {
    const bg = this.bg;
    if (!bg?.abortable) return false;
    this.pollBackground();
    if (!this.bg) return true;
    if (this.bgLast.percent >= 85) return false;
    this.bg = null;
    this.bgLast = { opcode: bg.opcode, percent: this.bgLast.percent, rc: RC.Aborted };
    this.onBackgroundDone?.();
    return true;
  }

  get backgroundRunning(): boolean {
    return this.bg !== null;
  }

  // ---- reset ----

  /** Conventional reset: a pending repartition takes effect; background work is dropped. */
  reset(): void {
    if (this.bg) {
      if (this.bg.opcode === 0x4400 || this.bg.opcode === 0x4401) this.sanitizeInterrupted = true;
      this.bg = null;
    }
    if (!this.sanitizeInterrupted) this.media.setMediaDisabled(false);
    this.bgLast = { opcode: 0, percent: 0, rc: RC.Success };
    this.scan = null;
    this.poisonCursor = null;
    if (this.nextVolatile !== null) {
      // The device itself re-splits (stores, locate, decoder checks); refused -> split unchanged,
      // the request stays pending and the reason is kept (docs/mailbox.md "Partitions").
      const why = this.device.repartition(this.nextVolatile);
      if (why !== null) {
        this.partitionRefusal = why;
      } else {
        const changed = this.nextVolatile !== this.activeVolatile;
        this.activeVolatile = this.nextVolatile;
        this.nextVolatile = null;
        this.partitionRefusal = null;
        if (changed) {
          this.media.clearAll(); // fresh zeroed media: no poison records survive
          this.media.notify({ kind: 'partition', dpa: 0, length: this.capacity });
        }
      }
    }
  }
}
