// PLIC (platform-level interrupt controller) in QEMU `virt`'s layout (hw/intc/sifive_plic.c):
// 96 sources (1..95 usable), 3 priority bits, two contexts per hart: 2i = hart i M-mode, 2i+1 =
// hart i S-mode. Owns priorities, the gateway (pending/in-service) state, enables, thresholds and
// claim/complete; drives each hart's MEIP (even contexts) and SEIP (odd contexts). Never talks to
// a device: devices drive `setIrq`.
//
// Gateway model (level-triggered, as QEMU wires its devices): pending follows the source's level
// while the source is not in service; claim clears pending and marks it in service; complete ends
// service and, if the line is still high, makes it pending again (the spec's gateway re-forward).
// Source 0 does not exist: its priority, pending and enable bits read 0.

import type { MmioOps } from '../memory/index.js';
import { NO_IRQ, type IrqLine } from './irq.js';

export const PLIC_NUM_SOURCES = 96;
export const PLIC_NUM_PRIORITIES = 7;
/** QEMU virt maps room for 512 harts x 2 contexts: 0x20_0000 + 1024 * 0x1000. */
export const PLIC_SIZE = 0x60_0000;
export const PLIC_PRIORITY_BASE = 0x0;
export const PLIC_PENDING_BASE = 0x1000;
export const PLIC_ENABLE_BASE = 0x2000;
export const PLIC_ENABLE_STRIDE = 0x80;
export const PLIC_CONTEXT_BASE = 0x20_0000;
export const PLIC_CONTEXT_STRIDE = 0x1000;
/** Contexts of a one-hart board (hart 0 M and S). */
export const PLIC_CONTEXTS = 2;

/** The context of hart `hart`'s M-mode or S-mode external interrupt (2i and 2i+1). */
export function plicContextOf(hart: number, mode: 'M' | 'S'): number {
  return 2 * hart + (mode === 'S' ? 1 : 0);
}

const WORDS = PLIC_NUM_SOURCES / 32;

export interface PlicOptions {
  /**
   * One output line per context, two per hart: [2i] = MEIP of hart i, [2i+1] = SEIP of hart i. The
   * number of contexts is this array's length (default 2).
   */
  contextLines?: IrqLine[];
}

export class Plic implements MmioOps {
  readonly valid = { min: 4, max: 4 } as const;
  readonly impl = { min: 4, max: 4 } as const;

  private readonly priority = new Uint32Array(PLIC_NUM_SOURCES);
  private readonly level = new Uint8Array(PLIC_NUM_SOURCES);
  private readonly pending = new Uint32Array(WORDS);
  private readonly inService = new Uint32Array(WORDS);
  readonly contexts: number;
  private readonly enable: Uint32Array;
  private readonly threshold: Uint32Array;
  private readonly outLevel: boolean[];
  private readonly lines: IrqLine[];

  constructor(opts: PlicOptions = {}) {
    this.contexts = Math.max(PLIC_CONTEXTS, opts.contextLines?.length ?? 0);
    this.lines = Array.from({ length: this.contexts }, (_, i) => opts.contextLines?.[i] ?? NO_IRQ);
    this.enable = new Uint32Array(WORDS * this.contexts);
    this.threshold = new Uint32Array(this.contexts);
    this.outLevel = new Array<boolean>(this.contexts).fill(false);
  }

  /** A device's interrupt line changed level. */
  setIrq(source: number, level: boolean): void {
    if (source <= 0 || source >= PLIC_NUM_SOURCES) return;
    this.level[source] = level ? 1 : 0;
    const w = source >>> 5;
    const m = 1 << (source & 31);
    if (level) this.pending[w]! |= m;
    else this.pending[w]! &= ~m;
    this.update();
  }

  /** An IrqLine bound to one source (what the board hands a device). */
  line(source: number): IrqLine {
    return (level) => this.setIrq(source, level);
  }

  /** The output level of a context (MEIP for even, SEIP for odd). */
  contextLevel(context: number): boolean {
    return this.outLevel[context] ?? false;
  }

  /** Highest-priority pending, enabled, not-in-service source above the threshold (ties: lowest id). */
  private best(context: number): number {
    let bestIrq = 0;
    let bestPrio = this.threshold[context]!;
    for (let w = 0; w < WORDS; w++) {
      const cand = this.pending[w]! & ~this.inService[w]! & this.enable[context * WORDS + w]!;
      if (cand === 0) continue;
      for (let b = 0; b < 32; b++) {
        if (cand & (1 << b)) {
          const irq = w * 32 + b;
          const p = this.priority[irq]!;
          if (p > bestPrio) {
            bestPrio = p;
            bestIrq = irq;
          }
        }
      }
    }
    return bestIrq;
  }

  private update(): void {
    for (let c = 0; c < this.contexts; c++) {
      const level = this.best(c) !== 0;
      if (level !== this.outLevel[c]) {
        this.outLevel[c] = level;
        this.lines[c]!(level);
      }
    }
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    if (offset < PLIC_PENDING_BASE) {
      const irq = offset >>> 2;
      return irq < PLIC_NUM_SOURCES ? this.priority[irq]! : 0;
    }
    if (offset < PLIC_ENABLE_BASE) {
      const w = (offset - PLIC_PENDING_BASE) >>> 2;
      return w < WORDS ? this.pending[w]! >>> 0 : 0;
    }
    if (offset < PLIC_CONTEXT_BASE) {
      const ctx = Math.floor((offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE);
      const w = ((offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE) >>> 2;
      return ctx < this.contexts && w < WORDS ? this.enable[ctx * WORDS + w]! >>> 0 : 0;
    }
    const ctx = Math.floor((offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
    const reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
    if (ctx >= this.contexts) return 0;
    if (reg === 0) return this.threshold[ctx]!;
    if (reg === 4) return this.claim(ctx);
    return 0;
  }

  /** Claim: return the best source, clear its pending bit and mark it in service. */
  claim(context: number): number {
    const irq = this.best(context);
    if (irq !== 0) {
      const m = 1 << (irq & 31);
      this.pending[irq >>> 5]! &= ~m;
      this.inService[irq >>> 5]! |= m;
    }
    this.update();
    return irq;
  }

  /** Complete: end service of `irq`; a still-asserted level source becomes pending again. */
  complete(context: number, irq: number): void {
    if (irq <= 0 || irq >= PLIC_NUM_SOURCES || context >= this.contexts) return;
    const w = irq >>> 5;
    const m = 1 << (irq & 31);
    this.inService[w]! &= ~m;
    if (this.level[irq]) this.pending[w]! |= m;
    this.update();
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const v = value >>> 0;
    if (offset < PLIC_PENDING_BASE) {
      const irq = offset >>> 2;
      // Priority bits are WARL: 3 bits, as QEMU virt masks them.
      if (irq > 0 && irq < PLIC_NUM_SOURCES) this.priority[irq] = v & PLIC_NUM_PRIORITIES;
      this.update();
      return;
    }
    if (offset < PLIC_ENABLE_BASE) return; // pending bits are read-only
    if (offset < PLIC_CONTEXT_BASE) {
      const ctx = Math.floor((offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE);
      const w = ((offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE) >>> 2;
      if (ctx < this.contexts && w < WORDS) {
        this.enable[ctx * WORDS + w] = w === 0 ? v & ~1 : v;
        this.update();
      }
      return;
    }
    const ctx = Math.floor((offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
    const reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
    if (ctx >= this.contexts) return;
    if (reg === 0) {
      this.threshold[ctx] = v & PLIC_NUM_PRIORITIES;
      this.update();
    } else if (reg === 4) {
      this.complete(ctx, v);
    }
  }
}
