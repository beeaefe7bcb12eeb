// `run --stats`: functional-mode traffic counters per target, window and region, from the harts'
// slow paths. Oracles: the default machine's decode (R0 is 4-way 256 B over mem0..mem3 in W0) and,
// in timing mode where every access takes the slow path, the timing model's own count of accesses
// (L1 hits + misses of memory accesses) for the same run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO } from '../diff/harness.js';
import { defaultDescription, Machine } from '../../src/machine/index.js';
import { runMachine } from '../../src/machine/run.js';
import { DEFAULT_TIMING } from '../../src/perf/timing-model.js';

const ELF = (n: string) => join(REPO, 'guests', 'bin', n);

async function run(kernel: string, timing: boolean) {
  const m = Machine.build(defaultDescription());
  try {
    const r = await runMachine(m, {
      kernel,
      stats: true,
      ...(timing ? { timing: DEFAULT_TIMING } : {}),
      output: () => {},
      maxInstructions: 50_000_000,
    });
    if (r.kind !== 'program') throw new Error('no program result');
    return r.result;
  } finally {
    m.close();
  }
}

test('a guest running out of R0: every device of the 4-way region, its window and the region are counted; nothing in DRAM it never touched', async () => {
  const r = await run(ELF('bench-small-cxl.elf'), false);
  assert.equal(r.exit.kind, 'pass');
  const s = r.stats!;
  assert.equal(s.counted, 'slow-path accesses');
  for (const t of s.targets) assert.ok(['dram', 'mem0', 'mem1', 'mem2', 'mem3'].includes(t.target), t.target);
  for (const d of ['mem0', 'mem1', 'mem2', 'mem3']) {
    const t = s.targets.find((x) => x.target === d);
    assert.ok(t && t.reads + t.writes > 0, `${d} counted`);
  }
  const sum = (xs: { reads: number; writes: number }[]) => xs.reduce((a, x) => a + x.reads + x.writes, 0);
  const devices = s.targets.filter((t) => t.target !== 'dram');
  assert.deepEqual(
    s.windows.map((w) => w.window),
    ['W0'],
  );
  assert.deepEqual(
    s.regions.map((x) => x.region),
    ['R0'],
  );
  assert.equal(sum(s.windows), sum(devices), 'every device access falls in W0');
  assert.equal(sum(s.regions), sum(devices), 'and in R0');
});

test('in timing mode every access takes the slow path: the counters see exactly the accesses the caches saw', async () => {
  const r = await run(ELF('bench-small.elf'), true);
  assert.equal(r.exit.kind, 'pass');
  const counted = r.stats!.targets.reduce((a, t) => a + t.reads + t.writes, 0);
  const l1 = r.timing!.harts[0]!.l1;
  // A line-crossing access is one slow-path access but two L1 lookups: the guest's are aligned.
  assert.equal(counted, l1.hits + l1.misses);
});
