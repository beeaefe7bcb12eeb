// Reads what Linux shows in /sys/bus/cxl/devices out of a boot transcript: the `cxl-sysfs:` lines
// the project's init prints for `cxlemu.dump=cxl` (guests/linux/init/init.c). Owns that line format
// and nothing else: it never boots a guest and never knows what cxlemu built.
//
// The format, one line per entry, sorted by name, then one end line:
//   cxl-sysfs: <name> <key>=<value> <key>=<value> ...
//   cxl-sysfs: end count=<entries>
// A value is the attribute's text without its trailing newline; space, control bytes, '%' and bytes
// >= 0x7f are written as %xx and decoded here, so `target_list=0,1` reads back as Linux printed it.
// Keys are sysfs file names (`ram/size`, `dpa_size`), the region's access0/access1 files as
// `access0.read_latency`; `parent`, `uport`, `parent_dport` and `dportN` are the basenames of
// symlink targets. Only attributes that exist and read without error are on a line.
//
// A line that does not parse (no name, a token without '=', a bad %xx, a repeated key or name, or
// `truncated=1`, which the init adds when a line outgrew its buffer) is not stored: it is reported in
// `problems`, and the dump is not `complete`. Kernel messages can land on the console between the
// init's lines; a `cxl-sysfs: ` anywhere in a line starts a dump line, so a timestamp or message
// before it is skipped.

export const CXL_SYSFS_PREFIX = 'cxl-sysfs: ';

/** One /sys/bus/cxl/devices entry: attribute (or link) name to decoded value. */
export type SysfsEntry = Record<string, string>;

export interface NamedEntry {
  name: string;
  attrs: SysfsEntry;
}

export interface CxlSysfs {
  /** Every well-formed entry line, by device name, in the order the init printed them. */
  entries: Map<string, SysfsEntry>;
  /** The end line was seen, its count matches `entries`, and no line had a problem. */
  complete: boolean;
  /** The count on the end line; -1 when there was none. */
  count: number;
  /** What was wrong with each rejected line, quoting it. */
  problems: string[];
}

export function parseCxlSysfs(transcript: string): CxlSysfs {
  const entries = new Map<string, SysfsEntry>();
  const problems: string[] = [];
  let count = -1;
  for (const raw of transcript.split('\n')) {
    const at = raw.indexOf(CXL_SYSFS_PREFIX);
    if (at < 0) continue;
    const line = raw.slice(at + CXL_SYSFS_PREFIX.length).replace(/\r$/, '');
    const [name, ...tokens] = line.split(' ').filter((t) => t !== '');
    const reject = (why: string) => problems.push(`${why}: '${raw}'`);
    if (count >= 0) {
      reject('line after the end line');
      continue;
    }
    if (name === 'end') {
      const m = tokens.length === 1 ? /^count=(\d+)$/.exec(tokens[0]!) : null;
      if (m) count = Number(m[1]);
      else reject('malformed end line');
      continue;
    }
    if (name === undefined || name.includes('=')) {
      reject('no entry name');
      continue;
    }
    if (tokens.length === 0) {
      // The init prints at least `parent` for every entry (each is a symlink to its device).
      reject('no key=value pairs');
      continue;
    }
    const attrs: SysfsEntry = {};
    let why: string | undefined;
    for (const token of tokens) {
      const eq = token.indexOf('=');
      const key = token.slice(0, eq);
      const value = eq > 0 ? decodeValue(token.slice(eq + 1)) : undefined;
      if (eq <= 0) why = `token '${token}' is not key=value`;
      else if (value === undefined) why = `bad %xx escape in '${token}'`;
      else if (Object.hasOwn(attrs, key)) why = `repeated key '${key}'`;
      else if (key === 'truncated') why = 'the init truncated the line';
      if (why) break;
      attrs[key] = value!;
    }
    if (why) reject(why);
    else if (entries.has(name)) reject(`repeated entry '${name}'`);
    else entries.set(name, attrs);
  }
  if (count < 0) problems.push('no end line: the dump is missing or cut short');
  else if (count !== entries.size) problems.push(`end line counts ${count} entries, parsed ${entries.size}`);
  return { entries, complete: problems.length === 0, count, problems };
}

/** Undoes the init's %xx escapes (bytes, read back as UTF-8); undefined for a malformed one. */
function decodeValue(v: string): string | undefined {
  if (!v.includes('%')) return v;
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== '%') {
      bytes.push(v.charCodeAt(i));
      continue;
    }
    const hex = v.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    bytes.push(Number.parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

export type EntryKind = 'root' | 'port' | 'endpoint' | 'decoder' | 'region' | 'memdev' | 'other';

/** What an entry is, from its name as Linux gives it (root0, port1, endpoint2, decoder1.0, region0, mem3). */
export function kindOf(name: string): EntryKind {
  if (/^root\d+$/.test(name)) return 'root';
  if (/^port\d+$/.test(name)) return 'port';
  if (/^endpoint\d+$/.test(name)) return 'endpoint';
  if (/^decoder\d+\.\d+$/.test(name)) return 'decoder';
  if (/^region\d+$/.test(name)) return 'region';
  if (/^mem\d+$/.test(name)) return 'memdev';
  return 'other';
}

const byName = (a: NamedEntry, b: NamedEntry) => a.name.localeCompare(b.name, 'en', { numeric: true });

function select(entries: Map<string, SysfsEntry>, keep: (name: string) => boolean): NamedEntry[] {
  return [...entries]
    .filter(([name]) => keep(name))
    .map(([name, attrs]) => ({ name, attrs }))
    .sort(byName);
}

/**
 * The ports (root, port and endpoint entries) by port id, the number in their names: Linux takes the
 * ids from one counter as it finds the ports, so this is root0, the host bridges, switches, endpoints.
 */
export function ports(entries: Map<string, SysfsEntry>): NamedEntry[] {
  const id = (n: string) => Number(/\d+$/.exec(n)![0]);
  return select(entries, (n) => ['root', 'port', 'endpoint'].includes(kindOf(n))).sort(
    (a, b) => id(a.name) - id(b.name),
  );
}

/**
 * The decoders of one port (root0, port2, endpoint5): Linux names them decoder<port id>.<index>, the
 * port id being the number in the port's name. Sorted by index.
 */
export function decodersOf(entries: Map<string, SysfsEntry>, portName: string): NamedEntry[] {
  const id = /^(?:root|port|endpoint)(\d+)$/.exec(portName)?.[1];
  if (id === undefined) throw new Error(`decodersOf: '${portName}' is not a CXL port name`);
  return select(entries, (n) => n.startsWith(`decoder${id}.`) && kindOf(n) === 'decoder');
}

/** The regions, by name. */
export function regions(entries: Map<string, SysfsEntry>): NamedEntry[] {
  return select(entries, (n) => kindOf(n) === 'region');
}

/** A region's targets in position order (target0, target1, ...), the unset ones left out. */
export function targets(region: SysfsEntry): string[] {
  const out: string[] = [];
  for (let i = 0; i < 16; i++) {
    const t = region[`target${i}`];
    if (t) out.push(t);
  }
  return out;
}

/** A port's downstream ports: dport id (the N of dportN) to the device it links to. */
export function dports(port: SysfsEntry): Map<number, string> {
  const out = new Map<number, string>();
  for (const [key, value] of Object.entries(port)) {
    const m = /^dport(\d+)$/.exec(key);
    if (m) out.set(Number(m[1]), value);
  }
  return new Map([...out].sort(([a], [b]) => a - b));
}

/** A comma list as Linux prints target_list ("0,1"); [] for the empty one. */
export function list(value: string | undefined): string[] {
  return value ? value.split(',') : [];
}

/**
 * A sysfs number: hex with 0x (`%#llx`, `%pa`'s zero-padded 0x0000000010000000) or decimal, possibly
 * negative (numa_node -1, qos_class -1). Throws on a missing or non-numeric value, naming it.
 */
export function num(value: string | undefined): bigint {
  if (value === undefined) throw new Error('num: attribute is missing');
  const m = /^(-?)(0x[0-9a-fA-F]+|\d+)$/.exec(value);
  if (!m) throw new Error(`num: '${value}' is not a number`);
  const v = BigInt(m[2]!);
  return m[1] ? -v : v;
}
