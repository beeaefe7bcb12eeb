// `cxlemu host` on fake sysfs trees (test/helpers/fake-sysfs.ts: no CXL, one CXL node, two CXL
// nodes at different distances) and on this machine's /sys; `--save` writes a description whose
// devices are the host CXL nodes, and the tiers a guest forms from it carry the host's numbers.
// Oracles: the fake trees' files, and Linux's adistance formula worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { type FakeHost, NO_CXL, ONE_CXL, TWO_CXL, withFakeSysfs } from '../helpers/fake-sysfs.js';

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), progress: false });
  return { status, out, err };
}

/** A fake tree of `host` and a scratch folder for --save, both removed afterwards. */
function withTree<T>(host: FakeHost, fn: (root: string, dir: string) => Promise<T>): Promise<T> {
  return withFakeSysfs(host, async (root) => {
    const dir = mkdtempSync(join(tmpdir(), 'cxlemu-host-'));
    try {
      return await fn(root, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a host without CXL: says so and exits 0 (text and JSON); --save has nothing to describe (exit 1)', async () => {
  await withTree(NO_CXL, async (root, dir) => {
    const r = await run('host', '--sysfs', root);
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^no CXL memory: the host has no CXL memory node \(read from .*: no CXL devices under /m);
    assert.match(r.out, /^ {2}node 0: cpus 0-7, 16 GiB, memory_tier4$/m);
    const j = await run('--json', 'host', '--sysfs', root);
    assert.equal(j.status, 0, j.err);
    const o = JSON.parse(j.out);
    assert.equal(o.cxl, false);
    assert.deepEqual(o.cxlNodes, []);
    const s = await run('host', '--sysfs', root, '--save', join(dir, 'm.json'));
    assert.equal(s.status, 1);
    assert.match(
      s.err,
      /^cxlemu: nothing to describe: host: .*: a host with CXL memory: the host has no CXL memory node/,
    );
    assert.equal(existsSync(join(dir, 'm.json')), false);
  });
});

test('this machine: cxlemu host exits 0, and says there is no CXL memory when /sys has no CXL region', async () => {
  const r = await run('host');
  assert.equal(r.status, 0, r.err);
  const regions = existsSync('/sys/bus/cxl/devices')
    ? readdirSync('/sys/bus/cxl/devices').filter((n) => n.startsWith('region'))
    : [];
  if (regions.length === 0) assert.match(r.out, /^no CXL memory: /m);
});

test('one CXL node, found through CXLEMU_SYSFS_ROOT: node 1 with its access0 numbers, region0 and the tiers', async () => {
  await withTree(ONE_CXL, async (root) => {
    const before = process.env.CXLEMU_SYSFS_ROOT;
    process.env.CXLEMU_SYSFS_ROOT = root;
    try {
      const r = await run('host');
      assert.equal(r.status, 0, r.err);
      assert.doesNotMatch(r.out, /no CXL memory/);
      assert.match(
        r.out,
        /^ {2}node 1 \(CXL\): no cpus, 4 GiB, memory_tier22\n {4}access0 from node 0: read\/write latency 250\/270 ns, bandwidth 20000\/18000 MB\/s\n {4}distance: node 0 20$/m,
      );
      assert.match(r.out, /^ {2}region0: 0x2200000000, 4 GiB, ram, dax target node 1$/m);
      assert.match(r.out, /^ {2}node 1: 4 GiB from region0 \(dax-target-node, memory-in-cxl-region\)$/m);
      assert.match(r.out, /^ {2}memory_tier22: node 1$/m);
    } finally {
      if (before === undefined) delete process.env.CXLEMU_SYSFS_ROOT;
      else process.env.CXLEMU_SYSFS_ROOT = before;
    }
  });
});

test('two CXL nodes: --save writes one bound device per node whose guest numbers are the host access0; tiers from it match the hand computation', async () => {
  await withTree(TWO_CXL, async (root, dir) => {
    const f = join(dir, 'host.json');
    const r = await run('host', '--sysfs', root, '--save', f);
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /wrote .*host\.json: 2 type-3 devices \(one per host CXL node, bound to it\)/);
    const d = JSON.parse(readFileSync(f, 'utf8'));
    assert.deepEqual(d.ram.perf, {
      readLatencyNs: 110,
      writeLatencyNs: 110,
      readBandwidthMBs: 40000,
      writeBandwidthMBs: 40000,
    });
    const devs = d.cxl.hostBridges.map(
      (hb: { rootPorts: { child: { id: string; volatile: unknown; perf: unknown } }[] }) => hb.rootPorts[0]!.child,
    );
    assert.deepEqual(
      devs.map((x: { id: string; volatile: unknown }) => [x.id, x.volatile]),
      [
        ['cxl-node1', { size: '4G', host: { memType: 'cxlram', nodes: [1] } }],
        ['cxl-node2', { size: '2G', host: { memType: 'cxlram', nodes: [2] } }],
      ],
    );
    // DSLBIS = host latency - 2 ns (68 B over a 32 GT/s x16 link) - 1 ns (generic port).
    assert.deepEqual(devs[0].perf, {
      readLatencyNs: 247,
      writeLatencyNs: 267,
      readBandwidthMBs: 20000,
      writeBandwidthMBs: 18000,
    });
    assert.deepEqual(
      d.state.regions.map((x: { name: string; memdevs: string[] }) => [x.name, x.memdevs]),
      [
        ['R-node1', ['cxl-node1']],
        ['R-node2', ['cxl-node2']],
      ],
    );
    // The guest tiers: DRAM 110/110 ns, 40000/40000 MB/s.
    // node 1: 576 * 520 / 220 = 1361.45 -> 1361; 1361 * 80000 / 38000 = 2865.26 -> 2865, memory_tier22.
    // node 2: 576 * 880 / 220 = 2304; 2304 * 80000 / 17000 = 10842.35 -> 10842, memory_tier84.
    const t = await run('--machine', f, '--json', 'tiers');
    assert.equal(t.status, 0, t.err);
    const tiers = JSON.parse(t.out);
    assert.deepEqual(
      tiers.nodes.map((n: { node: number; access: unknown; adistance: number; tier: number }) => [
        n.node,
        n.access,
        n.adistance,
        n.tier,
      ]),
      [
        [0, { readLatencyNs: 110, writeLatencyNs: 110, readBandwidthMBs: 40000, writeBandwidthMBs: 40000 }, 576, 4],
        [1, { readLatencyNs: 250, writeLatencyNs: 270, readBandwidthMBs: 20000, writeBandwidthMBs: 18000 }, 2865, 22],
        [2, { readLatencyNs: 400, writeLatencyNs: 480, readBandwidthMBs: 9000, writeBandwidthMBs: 8000 }, 10842, 84],
      ],
    );
    const j = await run('--json', 'host', '--sysfs', root, '--save', join(dir, 'again.yaml'));
    assert.equal(j.status, 0, j.err);
    const o = JSON.parse(j.out);
    assert.equal(o.cxl, true);
    assert.deepEqual(
      o.cxlNodes.map((c: { node: number }) => c.node),
      [1, 2],
    );
    assert.equal(o.saved, join(dir, 'again.yaml'));
    assert.deepEqual(o.saveNotes, []);
  });
});
