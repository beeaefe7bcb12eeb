// Input errors of the machine layer: one ConfigError holding every issue found, each naming the
// field (a description path such as `cxl.windows[1].granularity`, or QEMU option text), the value
// given and what is allowed. Owns the error shapes only; never decides what is valid.

export interface ConfigIssue {
  /** Stable machine-readable reason, e.g. 'invalid_type', 'bad_size', 'unknown_target'. */
  code: string;
  /** Description path (`cxl.windows[1].granularity`) or option name (`-device cxl-type3`). */
  path: string;
  /** The value given (undefined when the field is missing). */
  value: unknown;
  /** What is allowed, in words (`one of 256, 512, ..., 16384`). */
  allowed: string;
  /** QEMU option text the field came from, when the description was parsed from a command line. */
  option?: string;
  /** A complete sentence from a lower layer (e.g. a region rule); printed instead of path/value. */
  message?: string;
}

function showValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number')
    return Number.isInteger(v) && Math.abs(v) >= 4096 ? `${v} (0x${v.toString(16)})` : String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/** One line per issue: `path: value: rule` (and the option it came from). */
export function formatIssue(i: ConfigIssue): string {
  if (i.message !== undefined) return `${i.message} [${i.code}]`;
  const where = i.option !== undefined && i.option !== i.path ? `${i.option}: ${i.path}` : i.path;
  // A missing value is worth saying only when a value was required.
  if (i.value === undefined && !/^missing|^invalid_type$/.test(i.code)) return `${where}: ${i.allowed}`;
  return `${where}: ${showValue(i.value)}: ${i.allowed}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[], heading = 'invalid machine description') {
    const lines = issues.map((i) => `  ${formatIssue(i)}`);
    super(
      issues.length === 1
        ? `${heading}: ${formatIssue(issues[0]!)}`
        : `${heading} (${issues.length} issues):\n${lines.join('\n')}`,
    );
    this.issues = issues;
  }
}

/** A broken invariant of ours (not the user's): the CLI exits 70 on these. */
export class MachineBugError extends Error {
  override readonly name = 'BugError';
}

/** Collects issues; throws them all at once. */
export class IssueList {
  readonly issues: ConfigIssue[] = [];
  add(code: string, path: string, value: unknown, allowed: string): void {
    this.issues.push({ code, path, value, allowed });
  }
  throwIfAny(heading?: string): void {
    if (this.issues.length > 0) throw new ConfigError(this.issues, heading);
  }
}
