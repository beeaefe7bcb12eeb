// Event record encoders (CXL r3.0 §8.2.9.2.1): the common event record header (Table 8-42) and the
// General Media (Table 8-43) and DRAM (Table 8-44) records, built from named fields with every
// value checked. Owns the byte layout; never appends to a log itself (MailboxState.addEvent does,
// filling in length, handle and timestamp).
//
// Layout (offsets in the 128-byte record): 0x00 UUID; 0x10 length; 0x11 flags (3 bytes: [1:0]
// severity, 2 permanent, 3 maintenance needed, 4 performance degraded, 5 hardware replacement
// needed); 0x14 handle; 0x16 related handle; 0x18 timestamp; 0x20 maintenance operation class;
// 0x30 physical address (bit 0 volatile, bit 1 not repairable (r3.1), [63:6] DPA); 0x38 memory
// event descriptor (0 uncorrectable, 1 threshold, 2 poison list overflow); 0x39 memory event type;
// 0x3A transaction type; 0x3B validity flags (2 bytes); 0x3D channel; 0x3E rank. General Media:
// 0x3F device (3 bytes), 0x42 component identifier (16 bytes). DRAM: 0x3F nibble mask (3 bytes),
// 0x42 bank group, 0x43 bank, 0x44 row (3 bytes), 0x47 column (2 bytes), 0x49 correction mask
// (32 bytes).

import { EventInjectError } from '../errors.js';
import { type EventLog, EVENT_RECORD_BYTES } from './state.js';
import { put16, put64 } from './types.js';

/** General Media Event record UUID fbcd0a77-c260-417f-85a9-088b1621eba6 (CXL r3.0 Table 8-43). */
export const GENERAL_MEDIA_UUID = Uint8Array.from([
  0xfb, 0xcd, 0x0a, 0x77, 0xc2, 0x60, 0x41, 0x7f, 0x85, 0xa9, 0x08, 0x8b, 0x16, 0x21, 0xeb, 0xa6,
]);
/** DRAM Event record UUID 601dcbb3-9c06-4eab-b8af-4e9bfb5c9624 (CXL r3.0 Table 8-44). */
export const DRAM_UUID = Uint8Array.from([
  0x60, 0x1d, 0xcb, 0xb3, 0x9c, 0x06, 0x4e, 0xab, 0xb8, 0xaf, 0x4e, 0x9b, 0xfb, 0x5c, 0x96, 0x24,
]);

export type EventLogName = 'info' | 'warning' | 'failure' | 'fatal';
export const EVENT_LOG_NAMES: readonly EventLogName[] = ['info', 'warning', 'failure', 'fatal'];
export type EventSeverity = EventLogName;
export type MediaEventKind = 'generalMedia' | 'dram';

/** Memory Event Type codes: General Media (Table 8-43) and DRAM (Table 8-44) number them differently. */
export const GM_EVENT_TYPE = { mediaEcc: 0, invalidAddress: 1, dataPath: 2 } as const;
export const DRAM_EVENT_TYPE = { mediaEcc: 0, scrubMediaEcc: 1, invalidAddress: 2, dataPath: 3 } as const;
/** Transaction Type codes (both records). */
export const TRANSACTION_TYPE = {
  unknown: 0,
  hostRead: 1,
  hostWrite: 2,
  hostScanMedia: 3,
  hostInjectPoison: 4,
  internalMediaScrub: 5,
  internalMediaManagement: 6,
} as const;

export interface EventHeaderFields {
  /** Default: the severity of the log the record goes to. */
  severity?: EventSeverity;
  permanent?: boolean;
  maintenanceNeeded?: boolean;
  performanceDegraded?: boolean;
  hardwareReplacementNeeded?: boolean;
  /** Related Event Record Handle (u16). */
  relatedHandle?: number;
  /** Maintenance Operation Class (u8). */
  maintenanceOperationClass?: number;
}

export interface MediaEventFields extends EventHeaderFields {
  /** Device physical address of the event: 64-byte aligned, inside the device. */
  dpa: number;
  /** Physical Address bit 0. Default: whether the DPA lies in the volatile partition. */
  volatile?: boolean;
  /** Physical Address bit 1 (r3.1). */
  notRepairable?: boolean;
  uncorrectable?: boolean;
  threshold?: boolean;
  poisonListOverflow?: boolean;
  /** Default 'mediaEcc'. `scrubMediaEcc` exists in DRAM records only. */
  memoryEventType?: keyof typeof DRAM_EVENT_TYPE;
  /** Default 'unknown'. */
  transactionType?: keyof typeof TRANSACTION_TYPE;
  /** u8 each; a value given sets its validity flag. */
  channel?: number;
  rank?: number;
}

export interface GeneralMediaFields extends MediaEventFields {
  /** u24. */
  device?: number;
  /** 16 bytes. */
  componentId?: ArrayLike<number>;
}

export interface DramFields extends MediaEventFields {
  /** u24. */
  nibbleMask?: number;
  bankGroup?: number;
  bank?: number;
  /** u24. */
  row?: number;
  /** u16. */
  column?: number;
  /** 32 bytes. */
  correctionMask?: ArrayLike<number>;
}

export type EventFields = GeneralMediaFields | DramFields;

/** What the encoder needs of the device: capacity and where the volatile partition ends. */
export interface EventDevice {
  readonly capacity: number;
  readonly volatileBytes: number;
}

const HEADER_KEYS = [
  'severity',
  'permanent',
  'maintenanceNeeded',
  'performanceDegraded',
  'hardwareReplacementNeeded',
  'relatedHandle',
  'maintenanceOperationClass',
] as const;
const MEDIA_KEYS = [
  ...HEADER_KEYS,
  'dpa',
  'volatile',
  'notRepairable',
  'uncorrectable',
  'threshold',
  'poisonListOverflow',
  'memoryEventType',
  'transactionType',
  'channel',
  'rank',
] as const;
const KEYS: Record<MediaEventKind, readonly string[]> = {
  generalMedia: [...MEDIA_KEYS, 'device', 'componentId'],
  dram: [...MEDIA_KEYS, 'nibbleMask', 'bankGroup', 'bank', 'row', 'column', 'correctionMask'],
};

/** The log named by `log` (a name or 0..3), or an EventInjectError. */
export function eventLogOf(log: EventLogName | EventLog | number): EventLog {
  if (typeof log === 'string') {
    const i = EVENT_LOG_NAMES.indexOf(log);
    if (i >= 0) return i as EventLog;
  } else if (Number.isInteger(log) && log >= 0 && log <= 3) return log as EventLog;
  throw new EventInjectError(
    'unknown-log',
    'log',
    log,
    `one of ${EVENT_LOG_NAMES.join(', ')} (or 0..3); the dynamic capacity log is not modelled`,
  );
}

function uint(fields: object, key: string, bits: number): number | undefined {
  const v = (fields as Record<string, unknown>)[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 2 ** bits)
    throw new EventInjectError('out-of-range', `fields.${key}`, v, `an integer in 0..${2 ** bits - 1}`);
  return v;
}

function bool(fields: object, key: string): boolean {
  const v = (fields as Record<string, unknown>)[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new EventInjectError('bad-type', `fields.${key}`, v, 'true or false');
  return v;
}

function bytes(fields: object, key: string, n: number): Uint8Array | undefined {
  const v = (fields as Record<string, unknown>)[key] as ArrayLike<number> | undefined;
  if (v === undefined) return undefined;
  const ok =
    typeof v === 'object' &&
    v !== null &&
    v.length === n &&
    Array.from(v).every((b) => Number.isInteger(b) && b >= 0 && b <= 255);
  if (!ok) throw new EventInjectError('bad-type', `fields.${key}`, v, `${n} bytes (integers 0..255)`);
  return Uint8Array.from(v);
}

function code<T extends Record<string, number>>(fields: object, key: string, table: T, dflt: keyof T): number {
  const v = (fields as Record<string, unknown>)[key] ?? dflt;
  if (typeof v !== 'string' || !(v in table))
    throw new EventInjectError('unknown-value', `fields.${key}`, v, `one of ${Object.keys(table).join(', ')}`);
  return table[v]!;
}

/**
 * The 128-byte record of a General Media or DRAM event for log `log`, every field checked (unknown
 * field names included). Length, handle and timestamp are left for MailboxState.addEvent.
 */
export function encodeMediaEvent(
  dev: EventDevice,
  log: EventLog,
  kind: MediaEventKind,
  fields: EventFields,
): Uint8Array {
  if (kind !== 'generalMedia' && kind !== 'dram')
    throw new EventInjectError('unknown-kind', 'kind', kind, 'generalMedia or dram');
  if (typeof fields !== 'object' || fields === null)
    throw new EventInjectError('bad-type', 'fields', fields, 'an object of record fields');
  const allowed = KEYS[kind];
  for (const k of Object.keys(fields)) {
    if (!allowed.includes(k))
      throw new EventInjectError(
        'unknown-field',
        `fields.${k}`,
        (fields as unknown as Record<string, unknown>)[k],
        `not a field of a ${kind === 'dram' ? 'DRAM' : 'General Media'} record`,
      );
  }
  const dpa = fields.dpa;
  if (typeof dpa !== 'number' || !Number.isInteger(dpa) || dpa < 0)
    throw new EventInjectError('bad-type', 'fields.dpa', dpa, 'a non-negative integer DPA');
  if (dpa % 64 !== 0)
    throw new EventInjectError('dpa-unaligned', 'fields.dpa', dpa, 'a multiple of 64 (the record holds DPA[63:6])');
  if (dpa >= dev.capacity)
    throw new EventInjectError(
      'dpa-beyond-capacity',
      'fields.dpa',
      dpa,
      `below the device capacity 0x${dev.capacity.toString(16)}`,
    );
  const r = new Uint8Array(EVENT_RECORD_BYTES);
  r.set(kind === 'dram' ? DRAM_UUID : GENERAL_MEDIA_UUID, 0);
  // Header.
  const sev = fields.severity === undefined ? log : EVENT_LOG_NAMES.indexOf(fields.severity);
  if (sev < 0)
    throw new EventInjectError('unknown-value', 'fields.severity', fields.severity, EVENT_LOG_NAMES.join(', '));
  r[0x11] =
    sev |
    (bool(fields, 'permanent') ? 4 : 0) |
    (bool(fields, 'maintenanceNeeded') ? 8 : 0) |
    (bool(fields, 'performanceDegraded') ? 0x10 : 0) |
    (bool(fields, 'hardwareReplacementNeeded') ? 0x20 : 0);
  put16(r, 0x16, uint(fields, 'relatedHandle', 16) ?? 0);
  r[0x20] = uint(fields, 'maintenanceOperationClass', 8) ?? 0;
  // Media header (shared by both records).
  const vol = fields.volatile === undefined ? dpa < dev.volatileBytes : bool(fields, 'volatile');
  put64(r, 0x30, dpa + (vol ? 1 : 0) + (bool(fields, 'notRepairable') ? 2 : 0));
  r[0x38] =
    (bool(fields, 'uncorrectable') ? 1 : 0) |
    (bool(fields, 'threshold') ? 2 : 0) |
    (bool(fields, 'poisonListOverflow') ? 4 : 0);
  r[0x39] = code(fields, 'memoryEventType', kind === 'dram' ? DRAM_EVENT_TYPE : GM_EVENT_TYPE, 'mediaEcc');
  r[0x3a] = code(fields, 'transactionType', TRANSACTION_TYPE, 'unknown');
  // Optional fields: written little-endian where the record keeps them, each sets its validity bit.
  let valid = 0;
  const setUint = (key: string, at: number, size: number, bit: number) => {
    const v = uint(fields, key, 8 * size);
    if (v === undefined) return;
    for (let i = 0; i < size; i++) r[at + i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
    valid |= bit;
  };
  const setBytes = (key: string, at: number, size: number, bit: number) => {
    const b = bytes(fields, key, size);
    if (!b) return;
    r.set(b, at);
    valid |= bit;
  };
  setUint('channel', 0x3d, 1, 1);
  setUint('rank', 0x3e, 1, 2);
  if (kind === 'generalMedia') {
    setUint('device', 0x3f, 3, 4);
    setBytes('componentId', 0x42, 16, 8);
  } else {
    setUint('nibbleMask', 0x3f, 3, 4);
    setUint('bankGroup', 0x42, 1, 8);
    setUint('bank', 0x43, 1, 0x10);
    setUint('row', 0x44, 3, 0x20);
    setUint('column', 0x47, 2, 0x40);
    setBytes('correctionMask', 0x49, 32, 0x80);
  }
  put16(r, 0x3b, valid);
  return r;
}
