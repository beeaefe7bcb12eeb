// Mailbox vocabulary: return codes, command-effect bits, the command definition every command-set
// file exports, and little-endian payload helpers. Owns no state; never touches media.

/** Mailbox return codes (CXL r3.0 §8.2.8.4.5.1; Linux cxlmem.h; SPEC-NOTES 2.4). */
export enum RC {
  Success = 0x00,
  BackgroundStarted = 0x01,
  InvalidInput = 0x02,
  Unsupported = 0x03,
  InternalError = 0x04,
  Retry = 0x05,
  Busy = 0x06,
  MediaDisabled = 0x07,
  FwTransferInProgress = 0x08,
  FwTransferOutOfOrder = 0x09,
  FwAuthFailed = 0x0a,
  FwInvalidSlot = 0x0b,
  FwActivationFailedRolledBack = 0x0c,
  FwActivationFailedColdReset = 0x0d,
  InvalidHandle = 0x0e,
  InvalidPhysicalAddress = 0x0f,
  InjectPoisonLimit = 0x10,
  PermanentMediaFailure = 0x11,
  Aborted = 0x12,
  InvalidSecurityState = 0x13,
  IncorrectPassphrase = 0x14,
  UnsupportedMailbox = 0x15,
  InvalidPayloadLength = 0x16,
  InvalidLog = 0x17,
  Interrupted = 0x18,
}

/** Command Effects Log effect bits (CXL r3.0 Table 8-75; QEMU CXL_MBOX_*). */
export const EFFECT = {
  ConfigChangeColdReset: 1 << 0,
  ImmediateConfigChange: 1 << 1,
  ImmediateDataChange: 1 << 2,
  ImmediatePolicyChange: 1 << 3,
  ImmediateLogChange: 1 << 4,
  SecurityStateChange: 1 << 5,
  BackgroundOperation: 1 << 6,
  SecondaryMailboxSupported: 1 << 7,
  RequestAbortBackgroundOp: 1 << 8,
} as const;

/** What a handler answers: a return code and, for success, the output payload. */
export interface CommandResult {
  rc: RC;
  out?: Uint8Array;
}

export const ok = (out?: Uint8Array): CommandResult => (out ? { rc: RC.Success, out } : { rc: RC.Success });
export const fail = (rc: RC): CommandResult => ({ rc });

/** Little-endian readers/writers on payload bytes (u64 as Number: exact below 2^53; larger -> Infinity guard). */
export function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
export function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
/** u64 as a Number; values at or above 2^53 come back as Infinity so range checks reject them. */
export function u64(b: Uint8Array, o: number): number {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (hi >= 0x200000) return Infinity;
  return hi * 2 ** 32 + lo;
}
export function u64big(b: Uint8Array, o: number): bigint {
  return (BigInt(u32(b, o + 4)) << 32n) | BigInt(u32(b, o));
}
export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
export function put32(b: Uint8Array, o: number, v: number): void {
  put16(b, o, v & 0xffff);
  put16(b, o + 2, (v >>> 16) & 0xffff);
}
export function put64(b: Uint8Array, o: number, v: number | bigint): void {
  const x = BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v));
  put32(b, o, Number(x & 0xffffffffn));
  put32(b, o + 4, Number(x >> 32n));
}
/** ASCII into a fixed, zero-padded field. */
export function putAscii(b: Uint8Array, o: number, len: number, s: string): void {
  for (let i = 0; i < len; i++) b[o + i] = i < s.length ? s.charCodeAt(i) & 0x7f : 0;
}

export const CAPACITY_UNIT = 256 * 2 ** 20;

/**
 * MSI-X vectors of a type-3 endpoint, numbered as QEMU's cxl-type3 does (hw/mem/cxl_type3.c
 * CXL_T3_MSIX_*): 0 DOE (no DOE interrupt is modelled yet, so it stays unused), 1 unused, 2..6 the
 * event logs (info, warning, failure, fatal, dynamic capacity), 7 the mailbox (Mailbox Capabilities
 * Interrupt Message Number); 8 vectors, all below Linux's CXL_PCI_DEFAULT_MAX_VECTORS (16), so every
 * message number Linux reads names an allocated vector.
 */
export const T3_MSIX = { doe: 0, eventBase: 2, mailbox: 7, count: 8 } as const;

/** The vector event log `log` (0 info .. 3 fatal, 4 dynamic capacity) interrupts on in MSI/MSI-X mode. */
export function eventLogVector(log: number): number {
  return T3_MSIX.eventBase + log;
}
