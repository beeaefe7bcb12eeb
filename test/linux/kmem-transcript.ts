// Parser for the init's cxlemu.kmem lines (guests/linux/init/init.c, "the region as a NUMA node"):
//   kmem: <region> <dax> driver=<driver>
//   kmem: <region> blocks=<n> onlined=<n> node=<node>
//   fact node meminfo: Node <node> MemTotal:  <kB> kB
//   kmem-pattern: seed=<hex> k=<hex> pages=<n>
//   kmem-pattern: range <start hex> <end hex>
//   kmem: tiers memory_tier<N>=<nodelist> ...      (after each region; the last one counts)
// and for the JSON document `cxlemu run --json` prints after the guest's console.

export interface KmemRegion {
  region: string;
  dax: string;
  node: number;
  blocks: number;
  /** MemTotal of the node in bytes, as Linux reports it after onlining. */
  nodeBytes: number;
  seed: bigint;
  pages: number;
  ranges: { start: number; end: number }[];
}

/** The regions the init onlined, in the order it did them. */
export function parseKmem(transcript: string): KmemRegion[] {
  const out: KmemRegion[] = [];
  let cur: KmemRegion | undefined;
  for (const raw of transcript.split('\n')) {
    const line = raw.replace(/^\[\s*\d+\.\d+\] /, '').trimEnd();
    let m: RegExpExecArray | null;
    if ((m = /^kmem: (\S+) (dax\S+) driver=\S+$/.exec(line))) {
      cur = { region: m[1]!, dax: m[2]!, node: -1, blocks: 0, nodeBytes: 0, seed: -1n, pages: 0, ranges: [] };
      out.push(cur);
    } else if ((m = /^kmem: (\S+) blocks=(\d+) onlined=\d+ node=(\d+)$/.exec(line)) && cur && cur.region === m[1]) {
      cur.blocks = Number(m[2]);
      cur.node = Number(m[3]);
    } else if ((m = /^fact node meminfo: Node (\d+) MemTotal:\s+(\d+) kB$/.exec(line)) && cur?.node === Number(m[1])) {
      cur.nodeBytes = Number(m[2]) * 1024;
    } else if ((m = /^kmem-pattern: seed=(0x[0-9a-f]+) k=0x[0-9a-f]+ pages=(\d+)$/.exec(line)) && cur) {
      cur.seed = BigInt(m[1]!);
      cur.pages = Number(m[2]);
    } else if ((m = /^kmem-pattern: range (0x[0-9a-f]+) (0x[0-9a-f]+)$/.exec(line)) && cur) {
      cur.ranges.push({ start: Number(m[1]), end: Number(m[2]) });
    }
  }
  return out;
}

/** Node -> memory tier number, from the last `kmem: tiers` line (nodelists such as 0, 1-2, 1,3). */
export function parseTiers(transcript: string): Map<number, number> {
  const lines = transcript
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.startsWith('kmem: tiers'));
  const out = new Map<number, number>();
  for (const pair of (lines[lines.length - 1] ?? '').split(' ').slice(2)) {
    const m = /^memory_tier(\d+)=(.*)$/.exec(pair);
    if (!m) continue;
    for (const part of m[2]!.split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let n = a!; n <= (b ?? a!); n++) out.set(n, Number(m[1]));
    }
  }
  return out;
}

/** The pretty-printed JSON document at the end of `cxlemu run --json` output (after the console). */
export function trailingJson<T>(stdout: string): T {
  const at = stdout.lastIndexOf('\n{\n');
  if (at < 0 && !stdout.startsWith('{\n')) throw new Error('no JSON document at the end of the output');
  return JSON.parse(stdout.slice(at + 1)) as T;
}
