// Error classes of src/cxl: user input errors name the field and the rule; BugError marks our bugs.

/** A TopologySpec that cannot be built (names the field and the rule). */
export class TopologyError extends Error {
  override name = 'TopologyError';
}

/** A create/destroy-region request that breaks a rule (code + message naming the rule). */
export class RegionError extends Error {
  override name = 'RegionError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A broken invariant inside src/cxl. */
export class CxlBugError extends Error {
  override name = 'CxlBugError';
}

/**
 * An event record injection (DeviceRegisters.injectEvent) with a bad argument: `code` names the
 * rule, `path` the argument or field (`log`, `kind`, `fields.dpa`), `value` what was given and
 * `allowed` what is accepted.
 */
export class EventInjectError extends Error {
  override name = 'EventInjectError';
  constructor(
    readonly code:
      | 'unknown-log'
      | 'unknown-kind'
      | 'unknown-field'
      | 'unknown-value'
      | 'bad-type'
      | 'out-of-range'
      | 'dpa-unaligned'
      | 'dpa-beyond-capacity',
    readonly path: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${path}: ${describe(value)} is not allowed; expected ${allowed}`);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? `0x${v.toString(16)}` : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
