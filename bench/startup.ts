// Start-up time of the `cxlemu` command: wall time of whole processes, each command spawned
// --runs times (default 15) in turn with the others so load on the machine hits all alike, against
// bare `node -e 0` as the baseline. The commands run the package's bin (the bundle, dist/bin/), and
// `list` also runs through the bundle without the start-up snapshot (node dist/bin/cxlemu.js) and
// tsc's unbundled output (dist/src/cli/main.js), to show what each buys.
// The bars: list and translate <= 150 ms, run of a ~1,000-instruction guest (hello.elf, 928
// instructions) <= 250 ms; this prints them, it asserts nothing. Prints JSON: per command min and
// median wall ms, and each over the baseline's (docs/development.md "Start-up").
// Run: npm run build && node dist/bench/startup.js [--runs N] [--cli path/to/cli.js (another build;
// then no unbundled row)]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 15);
const BIN = (JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8')) as { bin: { cxlemu: string } }).bin.cxlemu;
const CLI = resolve(repo, arg('--cli') ?? BIN);
const UNBUNDLED = resolve(repo, 'dist', 'src', 'cli', 'main.js');
const HELLO = resolve(repo, 'guests', 'bin', 'hello.elf');

interface Case {
  name: string;
  /** The program and its arguments (the bin runs as a shell runs it; .js files through node). */
  argv: string[];
  /** The bar in wall ms (reported, never asserted). */
  targetMs?: number;
}

const node = (...a: string[]) => [process.execPath, ...a];
const cli = (...a: string[]) => (CLI.endsWith('.js') ? node(CLI, ...a) : [CLI, ...a]);
const BUNDLE = resolve(repo, 'dist', 'bin', 'cxlemu.js');
const CASES: Case[] = [
  { name: 'node -e 0', argv: node('-e', '0') },
  { name: 'list', argv: cli('list'), targetMs: 150 },
  // README's example: the path of one HPA through the default machine.
  { name: 'translate', argv: cli('translate', '0x100001234'), targetMs: 150 },
  { name: 'run hello.elf', argv: cli('run', '--kernel', HELLO), targetMs: 250 },
  ...(arg('--cli') === undefined
    ? [
        // The same code without the start-up snapshot, and without the bundle.
        { name: 'list (bundle, no snapshot)', argv: node(BUNDLE, 'list') },
        { name: 'list (unbundled)', argv: node(UNBUNDLED, 'list') },
      ]
    : []),
];

/** Wall ms of one process; throws when it fails, since a failing command's time means nothing. */
function timeOnce(c: Case): number {
  const t0 = performance.now();
  const r = spawnSync(c.argv[0]!, c.argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.name}: exit ${r.status}: ${r.stderr.slice(-500)}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

const times = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
for (const c of CASES) timeOnce(c); // warm the page cache; not counted
for (let i = 0; i < RUNS; i++) for (const c of CASES) times.get(c.name)!.push(timeOnce(c));

const base = times.get('node -e 0')!;
const baseMin = Math.min(...base);
const baseMedian = median(base);
console.log(
  JSON.stringify(
    {
      bench: 'startup',
      runs: RUNS,
      node: process.version,
      cli: CLI,
      commands: CASES.map((c) => {
        const t = times.get(c.name)!;
        const med = median(t);
        return {
          command: c.name,
          argv: c.argv
            .map((a) =>
              a === HELLO ? 'guests/bin/hello.elf' : a === process.execPath ? 'node' : a.replace(`${repo}/`, ''),
            )
            .join(' '),
          minMs: round(Math.min(...t)),
          medianMs: round(med),
          minOverNode: round(Math.min(...t) / baseMin, 2),
          medianOverNode: round(med / baseMedian, 2),
          ...(c.targetMs !== undefined ? { targetMs: c.targetMs, medianWithinTarget: med <= c.targetMs } : {}),
        };
      }),
    },
    null,
    2,
  ),
);
