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
