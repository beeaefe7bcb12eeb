// A host-side mailbox client: sends one command through a memory device register block exactly as
// a driver does (Linux cxl_pci __cxl_pci_mbox_send_cmd; SPEC-NOTES 2.4): find the primary mailbox
// through the capabilities array, wait for Doorbell = 0, write the payload, the Command register,
// set Doorbell, poll it, then read the return code (Status) and output length (Command) and the
// output payload. Only register reads and writes: it never calls into the mailbox model. Also the
// return-code names and decoders of the common outputs (for `cxlemu mailbox`).

import { DEVREG, MBOX } from './device-registers.js';
import { MAILBOX_COMMANDS } from './mailbox/index.js';
import { put64, RC } from './mailbox/types.js';

/** What the client needs of a register block (DeviceRegisters, or MMIO through an AddressSpace). */
export interface RegisterPort {
  read(offset: number, size: 4): number;
  write(offset: number, size: 4, value: number): void;
}

export interface MailboxReply {
  opcode: number;
  /** Return code (Status [47:32]). */
  rc: number;
  rcName: string;
  /** Output payload (length from the Command register). */
  out: Uint8Array;
  /** Status bit 0: a background operation is running. */
  backgroundRunning: boolean;
}

export class MailboxClientError extends Error {
  override readonly name = 'MailboxClientError';
}

/** Return-code names (CXL r3.0 §8.2.8.4.5.1; Linux cxlmem.h), e.g. 2 -> "Invalid Input". */
export function rcName(rc: number): string {
  const key = RC[rc];
  if (key === undefined) return `Unknown (0x${rc.toString(16)})`;
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/Fw /g, 'FW ');
}

/** The command name of an opcode this mailbox implements, or undefined. */
export function commandName(opcode: number): string | undefined {
  return MAILBOX_COMMANDS.find((c) => c.opcode === opcode)?.name;
}

/** Every command this mailbox implements: opcode and name, in opcode order. */
export function mailboxCommandList(): { opcode: number; name: string }[] {
  return MAILBOX_COMMANDS.map((c) => ({ opcode: c.opcode, name: c.name })).sort((a, b) => a.opcode - b.opcode);
}

/** Parse an opcode: hex with or without 0x ("4000", "0x4000") or a command name ("identify-memory-device", "Get Partition Info"). */
export function parseOpcode(text: string): number | undefined {
  const t = text.trim();
  if (/^(0x)?[0-9a-f]{1,4}$/i.test(t)) return parseInt(t.replace(/^0x/i, ''), 16);
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const c = MAILBOX_COMMANDS.find((x) => norm(x.name) === norm(t));
  return c?.opcode;
}

/** Find the primary mailbox (capability id 2) through the capabilities array: its block offset. */
export function findPrimaryMailbox(regs: RegisterPort): number {
  const count = regs.read(DEVREG.CAP_ARRAY + 4, 4) & 0xffff;
  for (let i = 0; i < count && i < 64; i++) {
    const h = DEVREG.CAP_HDR + 16 * i;
    if ((regs.read(h, 4) & 0xffff) === 0x0002) return regs.read(h + 4, 4);
  }
  throw new MailboxClientError('the memory device registers list no primary mailbox (capability id 0x0002)');
}

/** Send one command and return the device's answer. `maxPolls` bounds each doorbell wait. */
export function sendMailboxCommand(
  regs: RegisterPort,
  opcode: number,
  payload: Uint8Array = new Uint8Array(0),
  maxPolls = 100_000,
): MailboxReply {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xffff)
    throw new MailboxClientError(`opcode ${opcode} is not a 16-bit value`);
  const mb = findPrimaryMailbox(regs);
  const payloadSize = 2 ** (regs.read(mb + MBOX.CAPS, 4) & 0x1f);
  if (payload.length > payloadSize) {
    throw new MailboxClientError(
      `payload of ${payload.length} bytes exceeds the mailbox payload size ${payloadSize} (Mailbox Capabilities [4:0])`,
    );
  }
  const waitDoorbell = (what: string) => {
    for (let i = 0; i < maxPolls; i++) if ((regs.read(mb + MBOX.CTRL, 4) & 1) === 0) return;
    throw new MailboxClientError(`mailbox doorbell still set ${what} after ${maxPolls} polls`);
  };
  waitDoorbell('before the command');
  for (let o = 0; o < payload.length; o += 4) {
    let v = 0;
    for (let k = 0; k < 4 && o + k < payload.length; k++) v |= payload[o + k]! << (8 * k);
    regs.write(mb + MBOX.PAYLOAD + o, 4, v >>> 0);
  }
  const len = payload.length;
  regs.write(mb + MBOX.CMD, 4, (opcode | ((len & 0xffff) << 16)) >>> 0);
  regs.write(mb + MBOX.CMD + 4, 4, Math.floor(len / 0x10000) & 0x1f);
  regs.write(mb + MBOX.CTRL, 4, (regs.read(mb + MBOX.CTRL, 4) | 1) >>> 0);
  waitDoorbell('after the command');
  const statusLo = regs.read(mb + MBOX.STATUS, 4);
  const rc = regs.read(mb + MBOX.STATUS + 4, 4) & 0xffff;
  const outLen = Math.min(
    payloadSize,
    (regs.read(mb + MBOX.CMD, 4) >>> 16) + (regs.read(mb + MBOX.CMD + 4, 4) & 0x1f) * 0x10000,
  );
  const out = new Uint8Array(outLen);
  for (let o = 0; o < outLen; o += 4) {
    const v = regs.read(mb + MBOX.PAYLOAD + o, 4);
    for (let k = 0; k < 4 && o + k < outLen; k++) out[o + k] = (v >>> (8 * k)) & 0xff;
  }
  return { opcode, rc, rcName: rcName(rc), out, backgroundRunning: (statusLo & 1) !== 0 };
}

// ---- encoders of common inputs ----

/** Inject Poison (4301h): the DPA of the 64-byte line. */
export function injectPoisonInput(dpa: number): Uint8Array {
  const b = new Uint8Array(8);
  put64(b, 0, dpa);
  return b;
}

/** Clear Poison (4302h): the DPA of the 64-byte line and the data written there (zeros by default). */
export function clearPoisonInput(dpa: number, data: Uint8Array = new Uint8Array(64)): Uint8Array {
  const b = new Uint8Array(72);
  put64(b, 0, dpa);
  b.set(data.subarray(0, 64), 8);
  return b;
}

/** Get Poison List (4300h): the DPA range to list, its length in 64-byte lines. */
export function poisonListInput(dpa: number, lines: number): Uint8Array {
  const b = new Uint8Array(16);
  put64(b, 0, dpa);
  put64(b, 8, lines);
  return b;
}

// ---- decoders of common outputs (SPEC-NOTES 2.5 "Key payloads") ----

const UNIT = 2 ** 28;
const le = (b: Uint8Array, o: number, n: number): number => {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[o + i] ?? 0);
  return v;
};
const uuidText = (b: Uint8Array, o: number): string => {
  const h = [...b.subarray(o, o + 16)].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** Decoded fields of an output payload, for Identify, Get Partition Info, Get Health Info, Get Supported Logs and Get Poison List; null otherwise. */
export function decodeMailboxOutput(opcode: number, out: Uint8Array): Record<string, unknown> | null {
  switch (opcode) {
    case 0x4000: {
      if (out.length < 0x43) return null;
      const fw = String.fromCharCode(...out.subarray(0, 16)).replace(/\0+$/, '');
      return {
        fwRevision: fw,
        totalCapacityBytes: le(out, 0x10, 8) * UNIT,
        volatileOnlyBytes: le(out, 0x18, 8) * UNIT,
        persistentOnlyBytes: le(out, 0x20, 8) * UNIT,
        partitionAlignmentBytes: le(out, 0x28, 8) * UNIT,
        eventLogSizes: {
          info: le(out, 0x30, 2),
          warning: le(out, 0x32, 2),
          failure: le(out, 0x34, 2),
          fatal: le(out, 0x36, 2),
        },
        lsaSizeBytes: le(out, 0x38, 4),
        poisonListMax: le(out, 0x3c, 3),
        injectPoisonLimit: le(out, 0x3f, 2),
        poisonCaps: out[0x41],
        qosTelemetryCaps: out[0x42],
      };
    }
    case 0x4100:
      if (out.length < 0x20) return null;
      return {
        activeVolatileBytes: le(out, 0, 8) * UNIT,
        activePersistentBytes: le(out, 8, 8) * UNIT,
        nextVolatileBytes: le(out, 0x10, 8) * UNIT,
        nextPersistentBytes: le(out, 0x18, 8) * UNIT,
      };
    case 0x4200:
      if (out.length < 0x12) return null;
      return {
        healthStatus: out[0],
        mediaStatus: out[1],
        additionalStatus: out[2],
        lifeUsedPercent: out[3],
        temperatureC: (le(out, 4, 2) << 16) >> 16,
        dirtyShutdowns: le(out, 6, 4),
        correctedVolatileErrors: le(out, 0xa, 4),
        correctedPersistentErrors: le(out, 0xe, 4),
      };
    case 0x0400: {
      if (out.length < 8) return null;
      const count = le(out, 0, 2);
      const logs: { uuid: string; size: number; name?: string }[] = [];
      for (let i = 0; i < count && 8 + 20 * (i + 1) <= out.length; i++) {
        const uuid = uuidText(out, 8 + 20 * i);
        logs.push({
          uuid,
          size: le(out, 8 + 20 * i + 16, 4),
          ...(uuid === '0da9c0b5-bf41-4b78-8f79-96b1623b3f17' ? { name: 'Command Effects Log' } : {}),
        });
      }
      return { count, logs };
    }
    case 0x4300: {
      // Media Error Records: 32-byte header, then 16-byte records (DPA[63:6] | source[2:0], length in 64 B lines).
      if (out.length < 0x20) return null;
      const count = le(out, 0xa, 2);
      const sources = ['unknown', 'internal', 'external', 'injected', 'reserved', 'reserved', 'reserved', 'vendor'];
      const records: { dpa: number; bytes: number; source: string }[] = [];
      for (let i = 0; i < count && 0x20 + 16 * (i + 1) <= out.length; i++) {
        const lo = le(out, 0x20 + 16 * i, 8);
        records.push({
          dpa: lo - (lo % 64),
          bytes: le(out, 0x20 + 16 * i + 8, 4) * 64,
          source: sources[lo % 8]!,
        });
      }
      return {
        moreRecords: (out[0]! & 1) !== 0,
        overflow: (out[0]! & 2) !== 0,
        scanMediaRunning: (out[0]! & 4) !== 0,
        count,
        records,
      };
    }
    default:
      return null;
  }
}
