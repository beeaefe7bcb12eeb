// Errors of the PCI layer. Owns only the two classes: a broken invariant inside src/pci (our bug)
// and a host-side construction mistake (the caller's input). Guest config accesses never throw.

/** A broken invariant inside the PCI layer (our bug, never the guest's). */
export class PciBugError extends Error {
  override readonly name = 'BugError';
}

/** A topology or capability built wrongly by host code; the message names the item and the rule. */
export class PciConfigError extends Error {
  override readonly name = 'PciConfigError';
  constructor(
    /** What was being built, e.g. "mem0 BAR2" or "host bridge hb1". */
    readonly what: string,
    readonly rule: string,
  ) {
    super(`${what}: ${rule}`);
  }
}
