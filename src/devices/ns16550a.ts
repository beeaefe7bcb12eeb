// NS16550A UART as QEMU's `virt` board has it (hw/char/serial.c, reg-shift 0, 8 byte registers at
// 0x1000_0000, PLIC source 10). Owns the register file, the 16-byte receive FIFO and the interrupt
// identification; never touches guest memory and never blocks: output goes to a sink callback,
// input arrives through `pushInput` (the board feeds it from stdin between slices).
//
// Deliberate choices (docs/board.md): transmission is instantaneous (THRE/TEMT always set after a
// THR write, as in QEMU with a ready chardev); host input waits in an unbounded host queue and
// enters the FIFO only as room frees (flow control, so no overrun); in FIFO mode the character
// timeout (CTI) counts as expired as soon as data sits below the trigger level (QEMU uses a timer
// of 4 character times; expiring at once keeps runs deterministic).

import type { MmioOps } from '../memory/index.js';
import { NO_IRQ, type IrqLine } from './irq.js';

export const NS16550A_SIZE = 0x100;
/** QEMU virt's UART0 PLIC source. */
export const UART0_IRQ = 10;
/** QEMU virt's UART clock-frequency property (3.6864 MHz). */
export const UART_CLOCK_HZ = 3_686_400;

// Register offsets (DLAB selects DLL/DLM at 0/1).
const RBR_THR_DLL = 0;
const IER_DLM = 1;
const IIR_FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCR = 7;

export const IER_RDI = 0x01;
export const IER_THRI = 0x02;
export const IER_RLSI = 0x04;
export const IER_MSI = 0x08;

export const IIR_NO_INT = 0x01;
export const IIR_MSI = 0x00;
export const IIR_THRI = 0x02;
export const IIR_RDI = 0x04;
export const IIR_RLSI = 0x06;
export const IIR_CTI = 0x0c;
const IIR_ID = 0x0e;
const IIR_FIFO_BITS = 0xc0;

export const FCR_FE = 0x01;
export const FCR_RFR = 0x02;
export const FCR_XFR = 0x04;

export const LCR_DLAB = 0x80;

export const MCR_LOOP = 0x10;
const MCR_OUT2 = 0x08;

export const LSR_DR = 0x01;
export const LSR_OE = 0x02;
export const LSR_BI = 0x10;
export const LSR_THRE = 0x20;
export const LSR_TEMT = 0x40;
const LSR_INT_ANY = 0x1e;

export const MSR_DCTS = 0x01;
export const MSR_DDSR = 0x02;
export const MSR_TERI = 0x04;
export const MSR_DDCD = 0x08;
const MSR_ANY_DELTA = 0x0f;
export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_DCD = 0x80;

const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14] as const;

export interface Ns16550aOptions {
  /** Receives every transmitted byte (not called in loopback mode). */
  sink?: (byte: number) => void;
  /** The interrupt line (the board wires it to PLIC source 10). */
  irq?: IrqLine;
}

export class Ns16550a implements MmioOps {
  /** MmioOps: the bus may use 1..8 byte accesses; registers are bytes (QEMU serial_mm). */
  readonly valid = { min: 1, max: 8, unaligned: true } as const;
  readonly impl = { min: 1, max: 1 } as const;

  private sink: (byte: number) => void;
  private readonly irq: IrqLine;

  private ier = 0;
  private iir = IIR_NO_INT;
  private fcr = 0;
  private lcr = 0;
  private mcr = MCR_OUT2;
  private lsr = LSR_TEMT | LSR_THRE;
  private msr = MSR_DCD | MSR_DSR | MSR_CTS;
  private scr = 0;
  private divisor = 0;
  /** Receive holding register (non-FIFO mode). */
  private rbr = 0;
  private thrIpending = false;
  private readonly fifo: number[] = [];
  private triggerLevel = 1;
  /** Bytes from the host not yet in the FIFO (flow control instead of overrun). */
  private readonly hostQueue: number[] = [];
  private hostHead = 0;
  private lastLevel = false;
  /** Count of bytes transmitted (for tests and the run summary). */
  txCount = 0;

  constructor(opts: Ns16550aOptions = {}) {
    this.sink = opts.sink ?? (() => {});
    this.irq = opts.irq ?? NO_IRQ;
  }

  setSink(sink: (byte: number) => void): void {
    this.sink = sink;
  }

  /** Host input (stdin bytes); moved into the receiver as room frees. */
  pushInput(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.hostQueue.push(bytes[i]! & 0xff);
    this.pump();
    this.update();
  }

  /** Bytes waiting in the host queue or the receiver (the board's WFI logic asks this). */
  get inputPending(): number {
    return (
      this.hostQueue.length - this.hostHead + this.fifo.length + (this.lsr & LSR_DR && !(this.fcr & FCR_FE) ? 1 : 0)
    );
  }

  /** Current level of the interrupt output. */
  get irqLevel(): boolean {
    return this.lastLevel;
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    switch (offset) {
      case RBR_THR_DLL: {
        if (this.lcr & LCR_DLAB) return this.divisor & 0xff;
        let v = 0;
        if (this.fcr & FCR_FE) {
          if (this.fifo.length > 0) v = this.fifo.shift()!;
          if (this.fifo.length === 0) this.lsr &= ~(LSR_DR | LSR_BI);
        } else {
          v = this.rbr;
          this.lsr &= ~(LSR_DR | LSR_BI);
        }
        this.pump();
        this.update();
        return v;
      }
      case IER_DLM:
        return this.lcr & LCR_DLAB ? (this.divisor >>> 8) & 0xff : this.ier;
      case IIR_FCR: {
        const v = this.iir;
        if ((v & IIR_ID) === IIR_THRI) {
          this.thrIpending = false;
          this.update();
        }
        return v;
      }
      case LCR:
        return this.lcr;
      case MCR:
        return this.mcr;
      case LSR: {
        const v = this.lsr;
        if (this.lsr & (LSR_BI | LSR_OE)) {
          this.lsr &= ~(LSR_BI | LSR_OE);
          this.update();
        }
        return v;
      }
      case MSR: {
        if (this.mcr & MCR_LOOP) {
          // Loopback: OUT2->DCD, OUT1->RI, RTS->CTS, DTR->DSR.
          return ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x02) << 3) | ((this.mcr & 0x01) << 5);
        }
        const v = this.msr;
        if (this.msr & MSR_ANY_DELTA) {
          this.msr &= ~MSR_ANY_DELTA;
          this.update();
        }
        return v;
      }
      case SCR:
        return this.scr;
      default:
        return 0;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const v = value & 0xff;
    switch (offset) {
      case RBR_THR_DLL:
        if (this.lcr & LCR_DLAB) {
          this.divisor = (this.divisor & 0xff00) | v;
          return;
        }
        this.thrIpending = false;
        if (this.mcr & MCR_LOOP) this.receive(v);
        else {
          this.txCount++;
          this.sink(v);
        }
        // Transmission completes at once: the holding register is empty again.
        this.lsr |= LSR_THRE | LSR_TEMT;
        this.thrIpending = true;
        this.update();
        return;
      case IER_DLM: {
        if (this.lcr & LCR_DLAB) {
          this.divisor = (this.divisor & 0x00ff) | (v << 8);
          return;
        }
        const changed = (this.ier ^ v) & 0x0f;
        this.ier = v & 0x0f;
        if (changed & IER_THRI) this.thrIpending = (this.ier & IER_THRI) !== 0 && (this.lsr & LSR_THRE) !== 0;
        if (changed) this.update();
        return;
      }
      case IIR_FCR: {
        let f = v;
        // Changing FIFO enable resets both FIFOs (16550 datasheet; QEMU does the same).
        if ((f ^ this.fcr) & FCR_FE) f |= FCR_RFR | FCR_XFR;
        if (f & FCR_RFR) {
          this.fifo.length = 0;
          this.lsr &= ~(LSR_DR | LSR_BI);
        }
        if (f & FCR_XFR) {
          this.lsr |= LSR_THRE;
          this.thrIpending = true;
        }
        this.fcr = f & 0xc9;
        if (this.fcr & FCR_FE) {
          this.iir |= IIR_FIFO_BITS;
          this.triggerLevel = TRIGGER_LEVELS[(this.fcr >>> 6) & 3]!;
        } else {
          this.iir &= ~IIR_FIFO_BITS;
        }
        this.pump();
        this.update();
        return;
      }
      case LCR:
        this.lcr = v;
        return;
      case MCR: {
        const wasLoop = (this.mcr & MCR_LOOP) !== 0;
        this.mcr = v & 0x1f;
        if (wasLoop !== ((this.mcr & MCR_LOOP) !== 0)) this.pump();
        this.update();
        return;
      }
      case SCR:
        this.scr = v;
        return;
      default:
        // LSR and MSR are read-only here (QEMU ignores writes too).
        return;
    }
  }

  /** Put one byte into the receiver (loopback or host queue). */
  private receive(b: number): void {
    if (this.fcr & FCR_FE) {
      if (this.fifo.length >= FIFO_SIZE) {
        this.lsr |= LSR_OE;
        return;
      }
      this.fifo.push(b);
    } else {
      if (this.lsr & LSR_DR) this.lsr |= LSR_OE;
      this.rbr = b;
    }
    this.lsr |= LSR_DR;
  }

  /** Move host bytes into the receiver while it has room (never in loopback: the line is cut). */
  private pump(): void {
    if (this.mcr & MCR_LOOP) return;
    while (this.hostHead < this.hostQueue.length) {
      if (this.fcr & FCR_FE) {
        if (this.fifo.length >= FIFO_SIZE) break;
      } else if (this.lsr & LSR_DR) break;
      this.receive(this.hostQueue[this.hostHead++]!);
    }
    if (this.hostHead > 4096 && this.hostHead * 2 > this.hostQueue.length) {
      this.hostQueue.splice(0, this.hostHead);
      this.hostHead = 0;
    }
  }

  /** Recompute IIR and the interrupt line (QEMU serial_update_irq priority order). */
  private update(): void {
    let id = IIR_NO_INT;
    const fifoMode = (this.fcr & FCR_FE) !== 0;
    if (this.ier & IER_RLSI && this.lsr & LSR_INT_ANY) id = IIR_RLSI;
    else if (this.ier & IER_RDI && this.lsr & LSR_DR && (!fifoMode || this.fifo.length >= this.triggerLevel))
      id = IIR_RDI;
    else if (this.ier & IER_RDI && fifoMode && this.fifo.length > 0) id = IIR_CTI;
    else if (this.ier & IER_THRI && this.thrIpending) id = IIR_THRI;
    else if (this.ier & IER_MSI && this.msr & MSR_ANY_DELTA) id = IIR_MSI;
    this.iir = id | (this.iir & 0xf0);
    const level = id !== IIR_NO_INT;
    if (level !== this.lastLevel) {
      this.lastLevel = level;
      this.irq(level);
    }
  }
}
