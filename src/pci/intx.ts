// INTx routing: a function's pin, swizzled through every bridge up to its root bus (the PCI-to-PCI
// bridge rule Linux applies in pci_common_swizzle), then QEMU virt's map onto the PLIC: INTA..INTD
// of root-bus slot s, pin p (0-based) -> PLIC source irqBase + (s + p) mod 4 (irqBase 32).
// Lines are wired-OR: a PLIC source is high while any function routed to it drives its pin.
// Owns the mapping and the shared-line levels; never imports the PLIC (the board passes `lineFor`).

import type { Ecam } from './ecam.js';
import type { PciFunction, PciHostBridge } from './topology.js';

/** A level-triggered line (same shape as src/devices/irq.ts IrqLine). */
export type IntxLine = (level: boolean) => void;
/** Gives the line of a PLIC source; the board passes `(n) => plic.line(n)`. */
export type IntxLineFactory = (plicSource: number) => IntxLine;

/** QEMU virt: PCIE_IRQ = 32, four sources for INTA..INTD. */
export const PCIE_INTX_IRQ_BASE = 32;
export const PCIE_INTX_LINES = 4;

/** pci_swizzle_interrupt_pin: the pin (1..4) a bridge presents upstream for pin (1..4) of a device in `slot`. */
export function swizzlePin(slot: number, pin: number): number {
  return ((pin - 1 + slot) % 4) + 1;
}

export class IntxRouter {
  readonly irqBase: number;
  private readonly lines: IntxLine[] = [];
  private readonly count = new Int32Array(PCIE_INTX_LINES);
  private readonly driving = new Map<PciFunction, number>();

  constructor(lineFor: IntxLineFactory, irqBase = PCIE_INTX_IRQ_BASE) {
    this.irqBase = irqBase;
    for (let i = 0; i < PCIE_INTX_LINES; i++) this.lines.push(lineFor(irqBase + i));
  }

  /**
   * Route INTx of every function below `target`: one host bridge, or an ECAM (every host bridge,
   * including those added later). Pins already asserted are driven at once.
   */
  connect(target: PciHostBridge | Ecam): void {
    const drive = (f: PciFunction, level: boolean) => this.drive(f, level);
    target.onIntx = drive;
    const fns = 'hostBridges' in target ? target.functions() : target.allFunctions();
    for (const f of fns) if (f.intxLevel) this.drive(f, true);
  }

  /** The PLIC source `f`'s pin reaches, or -1 (no pin, or detached). */
  plicSourceOf(f: PciFunction): number {
    let pin = f.interruptPin;
    if (pin < 1 || pin > 4 || f.parentBus === null) return -1;
    let dev: PciFunction = f;
    // Swizzle at each bridge until the function sits on a root bus.
    while (dev.parentBus !== null && dev.parentBus.bridge !== null) {
      pin = swizzlePin(dev.device, pin);
      dev = dev.parentBus.bridge;
    }
    if (!dev.parentBus?.host) return -1;
    // Every host bridge's root bus maps like pcie.0: QEMU's pxb_map_irq_fn subtracts the pxb's
    // own slot so that the swizzle through bus 0 cancels, giving (slot + pin) mod 4 here too.
    return this.irqBase + ((dev.device + pin - 1) % 4);
  }

  private drive(f: PciFunction, level: boolean): void {
    const was = this.driving.get(f);
    if (was !== undefined) {
      this.driving.delete(f);
      if (--this.count[was - this.irqBase]! === 0) this.lines[was - this.irqBase]!(false);
    }
    if (!level) return;
    const src = this.plicSourceOf(f);
    if (src < 0) return;
    this.driving.set(f, src);
    if (this.count[src - this.irqBase]!++ === 0) this.lines[src - this.irqBase]!(true);
  }

  /** Current level of PLIC source `n` as driven by PCI functions. */
  level(n: number): boolean {
    const i = n - this.irqBase;
    return i >= 0 && i < PCIE_INTX_LINES && this.count[i]! > 0;
  }
}
