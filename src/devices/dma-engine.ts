// cxlemu's DMA copy engine (not on QEMU; mapped at board-map DMA_BASE): copies `length` bytes
// from one physical address to another when the guest writes GO. Owns its registers and the copy
// loop; never touches backing bytes itself: every byte moves through AddressSpace.readBytes /
// writeBytes, so window routing, MMIO targets, observation and code-page invalidation
// (Arena.noteWrite) apply exactly as for any other writer.
//
// Registers (32-bit, little-endian; 64-bit accesses are split low word first by the bus):
//   0x00 SRC_LO  0x04 SRC_HI      source HPA (R/W)
//   0x08 DST_LO  0x0C DST_HI      destination HPA (R/W)
//   0x10 LEN                      bytes to copy (R/W, up to 2^32 - 1)
//   0x14 CONTROL                  bit 0 GO (write 1: copy now; reads 0), bit 1 IE (interrupt enable, R/W)
//   0x18 STATUS                   bit 0 DONE, bit 1 ERROR (write 1 to clear), bit 2 BUSY (always 0:
//                                 copies complete inside the GO write), bits 15..8 AccessFault of the
//                                 failing access, bit 16 ERROR_ON_WRITE (the fault was on the destination)
//   0x1C DONE_BYTES               bytes copied by the last GO (RO)
//   0x20 ID                       0x31414d44 ("DMA1", RO)
// The interrupt line (PLIC source DMA_IRQ = 11) is high while IE and (DONE or ERROR) are set.
//
// The copy runs synchronously inside the GO write, front to back, in pieces that never cross a
// 4 KiB page of the source or the destination: a fault stops it at a page boundary, DONE_BYTES
// says how far it got, and nothing of the faulting piece is written. Overlapping buffers behave
// like a forward copy piece by piece (a memmove only when dst <= src).

import { AccessFault, type AddressSpace, type MmioOps } from '../memory/index.js';
import { NO_IRQ, type IrqLine } from './irq.js';

export const DMA_SIZE = 0x1000;
/** PLIC source of the engine's interrupt (UART0 is 10, PCIe INTx 32..35). */
export const DMA_IRQ = 11;
export const DMA_ID = 0x31414d44;

export const DmaReg = {
  SrcLo: 0x00,
  SrcHi: 0x04,
  DstLo: 0x08,
  DstHi: 0x0c,
  Len: 0x10,
  Control: 0x14,
  Status: 0x18,
  DoneBytes: 0x1c,
  Id: 0x20,
} as const;

export const DmaControl = { Go: 1, InterruptEnable: 2 } as const;
export const DmaStatus = { Done: 1, Error: 2, Busy: 4, FaultShift: 8, ErrorOnWrite: 1 << 16 } as const;

const PIECE = 4096;
const TWO32 = 2 ** 32;

export interface DmaEngineOptions {
  /** The bus the engine masters (the board's address space). */
  bus: AddressSpace;
  irq?: IrqLine;
}

export class DmaEngine implements MmioOps {
  readonly valid = { min: 4, max: 8 } as const;
  readonly impl = { min: 4, max: 4 } as const;

  private readonly bus: AddressSpace;
  private readonly irq: IrqLine;
  private readonly buf = new Uint8Array(PIECE);
  private src = 0;
  private dst = 0;
  private len = 0;
  private ie = false;
  private status = 0;
  private doneBytes = 0;
  private line = false;
  /** Copies started (GO writes), for tests and reports. */
  copies = 0;

  constructor(opts: DmaEngineOptions) {
    this.bus = opts.bus;
    this.irq = opts.irq ?? NO_IRQ;
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    switch (offset) {
      case DmaReg.SrcLo:
        return this.src % TWO32;
      case DmaReg.SrcHi:
        return Math.floor(this.src / TWO32);
      case DmaReg.DstLo:
        return this.dst % TWO32;
      case DmaReg.DstHi:
        return Math.floor(this.dst / TWO32);
      case DmaReg.Len:
        return this.len;
      case DmaReg.Control:
        return this.ie ? DmaControl.InterruptEnable : 0;
      case DmaReg.Status:
        return this.status >>> 0;
      case DmaReg.DoneBytes:
        return this.doneBytes;
      case DmaReg.Id:
        return DMA_ID;
      default:
        return 0;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const v = value >>> 0;
    switch (offset) {
      case DmaReg.SrcLo:
        this.src = Math.floor(this.src / TWO32) * TWO32 + v;
        break;
      // Addresses are kept below 2^52 (anything above faults on the bus anyway).
      case DmaReg.SrcHi:
        this.src = (v % 2 ** 20) * TWO32 + (this.src % TWO32);
        break;
      case DmaReg.DstLo:
        this.dst = Math.floor(this.dst / TWO32) * TWO32 + v;
        break;
      case DmaReg.DstHi:
        this.dst = (v % 2 ** 20) * TWO32 + (this.dst % TWO32);
        break;
      case DmaReg.Len:
        this.len = v;
        break;
      case DmaReg.Control:
        this.ie = (v & DmaControl.InterruptEnable) !== 0;
        if ((v & DmaControl.Go) !== 0) this.go();
        else this.updateIrq();
        break;
      case DmaReg.Status:
        // RW1C: DONE and ERROR (and the fault details with ERROR).
        if ((v & DmaStatus.Done) !== 0) this.status &= ~DmaStatus.Done;
        if ((v & DmaStatus.Error) !== 0) this.status &= DmaStatus.Done;
        this.updateIrq();
        break;
      default:
        break;
    }
  }

  /** Run the programmed copy now (what a GO write does); returns the fault that stopped it (0 = none). */
  go(): AccessFault {
    this.copies++;
    this.status = 0;
    this.doneBytes = 0;
    const bus = this.bus;
    const len = this.len;
    let fault: AccessFault = AccessFault.None;
    let onWrite = false;
    while (this.doneBytes < len) {
      const s = this.src + this.doneBytes;
      const d = this.dst + this.doneBytes;
      const n = Math.min(len - this.doneBytes, PIECE - (s % PIECE), PIECE - (d % PIECE));
      const piece = n === PIECE ? this.buf : this.buf.subarray(0, n);
      fault = bus.readBytes(s, piece);
      if (fault !== AccessFault.None) break;
      fault = bus.writeBytes(d, piece);
      if (fault !== AccessFault.None) {
        onWrite = true;
        break;
      }
      this.doneBytes += n;
    }
    // The bus's `fault` belongs to the CPU access that wrote GO, not to the copy.
    bus.fault = AccessFault.None;
    this.status =
      fault === AccessFault.None
        ? DmaStatus.Done
        : DmaStatus.Error | (fault << DmaStatus.FaultShift) | (onWrite ? DmaStatus.ErrorOnWrite : 0);
    this.updateIrq();
    return fault;
  }

  private updateIrq(): void {
    const level = this.ie && (this.status & (DmaStatus.Done | DmaStatus.Error)) !== 0;
    if (level !== this.line) {
      this.line = level;
      this.irq(level);
    }
  }
}
