// DOE (Data Object Exchange) extended capability and its mailbox state machine (PCIe r6.0 §6.30,
// SPEC-NOTES 2.6). Owns the registers, the request/response buffers, Busy/Error/Data Object Ready
// and the built-in Discovery protocol; never knows what other protocols mean (CDAT etc. plug in as
// handlers). Guest misuse only sets Error or discards the object: nothing here throws for it.

import { addExtendedCapability, ExtCapId } from './cap-list.js';
import { type ConfigSpace, field, writtenBits, type CfgRegister } from './config-space.js';

/** PCI-SIG vendor ID and the Discovery data object type. */
export const DOE_VENDOR_PCI_SIG = 0x0001;
export const DOE_TYPE_DISCOVERY = 0x00;
/** Largest data object: 2^18 DW (a Length field of 0 means this). */
export const DOE_MAX_DWORDS = 2 ** 18;
export const DOE_CAP_LENGTH = 0x18;

export const DOE_REGS = {
  capabilities: {
    name: 'doeCapabilities',
    offset: 0x04,
    size: 4,
    fields: { interruptSupport: field(0, 0, 'RO'), interruptMessageNumber: field(11, 1, 'RO') },
  },
  control: {
    name: 'doeControl',
    offset: 0x08,
    size: 4,
    // Abort and Go are write-1 actions that read 0; no interrupt support, so IRQ enable is RO 0.
    fields: { abort: field(0, 0, 'RO'), interruptEnable: field(1, 1, 'RO'), go: field(31, 31, 'RO') },
  },
  status: {
    name: 'doeStatus',
    offset: 0x0c,
    size: 4,
    fields: {
      busy: field(0, 0, 'RO'),
      interruptStatus: field(1, 1, 'RO'),
      error: field(2, 2, 'RO'),
      dataObjectReady: field(31, 31, 'RO'),
    },
  },
  writeMailbox: { name: 'doeWriteMailbox', offset: 0x10, size: 4, fields: { data: field(31, 0, 'RO') } },
  readMailbox: { name: 'doeReadMailbox', offset: 0x14, size: 4, fields: { data: field(31, 0, 'RO') } },
} as const satisfies Record<string, CfgRegister>;

/**
 * A protocol handler: request payload DWs (after the two header DWs) in, response payload DWs out
 * (the mailbox adds the headers with the same vendor and type), or null when the request cannot
 * be answered (the mailbox sets Error).
 */
export type DoeHandler = (vendor: number, type: number, request: Uint32Array) => ArrayLike<number> | null;

export interface DoeOptions {
  /** Status reads that see Busy = 1 after Go before the response is ready (default 0: at once). */
  busyPolls?: number;
}

/** One DOE instance in a function's config space. */
export class DoeMailbox {
  readonly offset: number;
  private readonly protocols: { vendor: number; type: number; handler: DoeHandler }[] = [];
  private request: number[] = [];
  private response: Uint32Array = new Uint32Array(0);
  private readIndex = 0;
  private busy = false;
  private error = false;
  private ready = false;
  private pendingPolls = 0;
  private pending: Uint32Array | null = null;
  private readonly busyPolls: number;

  /** Adds the DOE extended capability (use `addDoe` in capabilities.ts, or this directly). */
  constructor(
    private readonly cs: ConfigSpace,
    opts: DoeOptions = {},
  ) {
    this.busyPolls = Math.max(0, Math.floor(opts.busyPolls ?? 0));
    const off = addExtendedCapability(cs, ExtCapId.Doe, 1, DOE_CAP_LENGTH, 'DOE');
    this.offset = off;
    for (const r of Object.values(DOE_REGS)) cs.declare(off, r);
    // Discovery is protocol index 0 on every instance.
    this.protocols.push({
      vendor: DOE_VENDOR_PCI_SIG,
      type: DOE_TYPE_DISCOVERY,
      handler: (_v, _t, req) => this.discovery(req),
    });
    cs.onRead(off + DOE_REGS.status.offset, 4, () => this.refreshStatus(true));
    // The mailboxes are dword registers: a narrower read of the read mailbox sees 0 (as in QEMU).
    cs.onRead(off + DOE_REGS.readMailbox.offset, 4, (a, n) =>
      this.refreshReadMailbox(a === off + DOE_REGS.readMailbox.offset && n === 4),
    );
    cs.onWrite(off + DOE_REGS.control.offset, 4, (a, n, v) =>
      this.writeControl(writtenBits(a, n, v, off + DOE_REGS.control.offset)),
    );
    cs.onWrite(off + DOE_REGS.writeMailbox.offset, 4, (a, n, v) => {
      if (a === off + DOE_REGS.writeMailbox.offset && n === 4) this.writeData(v);
    });
    cs.onWrite(off + DOE_REGS.readMailbox.offset, 4, (a, n) => {
      if (a === off + DOE_REGS.readMailbox.offset && n === 4) this.advanceRead();
    });
    cs.onReset(() => this.abort());
    this.refreshStatus(false);
  }

  /** Register a protocol (discovery index = registration order, after Discovery at 0). */
  register(vendor: number, type: number, handler: DoeHandler): void {
    this.protocols.push({ vendor: vendor & 0xffff, type: type & 0xff, handler });
  }

  /** The (vendor, type) pairs Discovery reports, index order. */
  get protocolList(): readonly { vendor: number; type: number }[] {
    return this.protocols.map(({ vendor, type }) => ({ vendor, type }));
  }

  /** State for tests and `cxlemu` introspection. */
  get state(): { busy: boolean; error: boolean; ready: boolean; requestDwords: number } {
    return { busy: this.busy, error: this.error, ready: this.ready, requestDwords: this.request.length };
  }

  private writeControl(bits: number): void {
    if ((bits & 1) !== 0) {
      this.abort();
      return;
    }
    if (bits >= 0x80000000) this.go();
  }

  /** Abort: drop every buffer and clear Busy, Error and Data Object Ready (completes at once). */
  private abort(): void {
    this.request = [];
    this.response = new Uint32Array(0);
    this.readIndex = 0;
    this.pending = null;
    this.pendingPolls = 0;
    this.busy = false;
    this.error = false;
    this.ready = false;
    this.refreshStatus(false);
  }

  private writeData(v: number): void {
    if (this.busy || this.error) return; // undefined by the spec while Busy; held off while Error
    if (this.request.length >= DOE_MAX_DWORDS) {
      this.error = true;
      this.request = [];
    } else {
      this.request.push(v >>> 0);
    }
    this.refreshStatus(false);
  }

  private go(): void {
    if (this.busy || this.error) return;
    const req = this.request;
    this.request = [];
    // PCIe r6.0 §6.30.1: an object whose DW count differs from its Length is silently discarded.
    if (req.length < 2) return;
    const len = req[1]! % DOE_MAX_DWORDS || DOE_MAX_DWORDS;
    if (len !== req.length) return;
    const vendor = req[0]! & 0xffff;
    const type = (req[0]! >>> 16) & 0xff;
    const proto = this.protocols.find((p) => p.vendor === vendor && p.type === type);
    const payload = proto ? proto.handler(vendor, type, Uint32Array.from(req.slice(2))) : null;
    if (payload === null || payload.length + 2 > DOE_MAX_DWORDS) {
      this.error = true; // unsupported protocol, or the handler cannot answer
      this.refreshStatus(false);
      return;
    }
    const rsp = new Uint32Array(payload.length + 2);
    rsp[0] = (vendor | (type << 16)) >>> 0;
    rsp[1] = (payload.length + 2) % DOE_MAX_DWORDS;
    for (let i = 0; i < payload.length; i++) rsp[i + 2] = payload[i]! >>> 0;
    if (this.busyPolls > 0) {
      this.busy = true;
      this.pending = rsp;
      this.pendingPolls = this.busyPolls;
    } else {
      this.deliver(rsp);
    }
    this.refreshStatus(false);
  }

  private deliver(rsp: Uint32Array): void {
    this.response = rsp;
    this.readIndex = 0;
    this.ready = true;
    this.busy = false;
    this.pending = null;
  }

  private advanceRead(): void {
    if (!this.ready || this.error) return;
    this.readIndex++;
    if (this.readIndex >= this.response.length) {
      this.ready = false;
      this.response = new Uint32Array(0);
      this.readIndex = 0;
    }
    this.refreshStatus(false);
  }

  private refreshStatus(isGuestRead: boolean): void {
    if (isGuestRead && this.busy && this.pending !== null) {
      if (--this.pendingPolls <= 0) this.deliver(this.pending);
    }
    const v = (this.busy ? 1 : 0) | (this.error ? 4 : 0) | (this.ready ? 0x80000000 : 0);
    this.cs.setRaw(this.offset + DOE_REGS.status.offset, 4, v >>> 0);
    this.refreshReadMailbox();
  }

  private refreshReadMailbox(dwordAccess = true): void {
    const v = dwordAccess && this.ready && !this.error ? (this.response[this.readIndex] ?? 0) : 0;
    this.cs.setRaw(this.offset + DOE_REGS.readMailbox.offset, 4, v);
  }

  /**
   * Discovery (PCIe r6.0 §6.30.1.1): request DW index [7:0]; response vendor [15:0], type [23:16],
   * next index [31:24] (0 after the last). An index past the list answers vendor 0xFFFF, type 0xFF,
   * next 0 (QEMU's choice).
   */
  private discovery(req: Uint32Array): number[] | null {
    if (req.length < 1) return null;
    const index = req[0]! & 0xff;
    const n = this.protocols.length;
    if (index >= n) return [(0xffff | (0xff << 16)) >>> 0];
    const p = this.protocols[index]!;
    const next = index + 1 < n ? index + 1 : 0;
    return [(p.vendor | (p.type << 16) | (next << 24)) >>> 0];
  }
}
