// Host discovery (src/host/sysfs.ts) against fake sysfs trees laid out as Linux 6.12 lays them out
// (test/helpers/fake-sysfs.ts): a host without CXL, one CXL node, two CXL nodes at different
// distances. Oracle: the trees themselves (what each file says) and the rules in the module header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverHostMemory, parseIdList, sysfsRootFromEnv } from '../../src/host/sysfs.js';
import { withFakeSysfs, NO_CXL, ONE_CXL, TWO_CXL, type FakeHost } from '../helpers/fake-sysfs.js';

const withTree = withFakeSysfs;

test('node and cpu lists in Linux format', () => {
  assert.deepEqual(parseIdList('0-2,5,7-8\n'), [0, 1, 2, 5, 7, 8]);
  assert.deepEqual(parseIdList(''), []);
  assert.equal(sysfsRootFromEnv({ CXLEMU_SYSFS_ROOT: '/tmp/x' }), '/tmp/x');
  assert.equal(sysfsRootFromEnv({}), '/sys');
});

test('a host without CXL: node 0 read, no CXL node, and the note says why', () => {
  withTree(NO_CXL, (root) => {
    const h = discoverHostMemory(root);
    assert.equal(h.nodes.length, 1);
    assert.deepEqual(h.nodes[0], {
      node: 0,
      cpus: '0-7',
      memBytes: 16 * 2 ** 30,
      distances: { 0: 10 },
      access0: { readLatencyNs: 110, writeLatencyNs: 110, readBandwidthMBs: 40000, writeBandwidthMBs: 40000 },
      access0Initiators: [0],
      memoryTier: 4,
    });
    assert.deepEqual(h.cxlNodes, []);
    assert.deepEqual(h.tiers, [{ tier: 4, nodes: [0] }]);
    assert.match(h.notes.join('\n'), /no CXL devices under .*bus\/cxl\/devices/);
  });
});

test('one CXL node: region0 -> dax0.0 -> target_node 1, its memory blocks inside region0; access0 and tier read', () => {
  withTree(ONE_CXL, (root) => {
    const h = discoverHostMemory(root);
    assert.deepEqual(h.regions, [
      { name: 'region0', resource: 0x22_0000_0000, size: 4 * 2 ** 30, mode: 'ram', targetNodes: [1] },
    ]);
    assert.deepEqual(h.windows, [{ name: 'decoder0.0', start: 0x22_0000_0000, size: 16 * 2 ** 30 }]);
    assert.deepEqual(h.cxlNodes, [
      { node: 1, evidence: ['dax-target-node', 'memory-in-cxl-region'], regions: ['region0'], sizeBytes: 4 * 2 ** 30 },
    ]);
    const n1 = h.nodes.find((n) => n.node === 1)!;
    assert.equal(n1.cpus, '');
    assert.deepEqual(n1.distances, { 0: 20, 1: 10 });
    assert.deepEqual(n1.access0, {
      readLatencyNs: 250,
      writeLatencyNs: 270,
      readBandwidthMBs: 20000,
      writeBandwidthMBs: 18000,
    });
    assert.equal(n1.memoryTier, 22);
    assert.deepEqual(h.tiers, [
      { tier: 4, nodes: [0] },
      { tier: 22, nodes: [1] },
    ]);
  });
});

test('two CXL nodes at distances 20 and 30: one by its dax target_node, one by memory blocks in a region without dax; pmem is not CXL RAM', () => {
  withTree(TWO_CXL, (root) => {
    const h = discoverHostMemory(root);
    assert.deepEqual(h.cxlNodes, [
      { node: 1, evidence: ['dax-target-node'], regions: ['region0'], sizeBytes: 4 * 2 ** 30 },
      { node: 2, evidence: ['memory-in-cxl-region'], regions: ['region1'], sizeBytes: 2 * 2 ** 30 },
    ]);
    assert.equal(h.nodes[0]!.distances[1], 20);
    assert.equal(h.nodes[0]!.distances[2], 30);
    assert.deepEqual(h.tiers, [
      { tier: 4, nodes: [0] },
      { tier: 22, nodes: [1, 2] },
    ]);
  });
});

test('a CPU-less node whose memory lies in a CXL window but no region is CXL; a node with CPUs there is not', () => {
  const host: FakeHost = {
    nodes: [
      { node: 0, cpus: '0-3', memKiB: 1024 * 1024, distances: [10, 20, 20], blocks: [72] },
      { node: 1, memKiB: 2 * 1024 * 1024, distances: [20, 10, 20], blocks: [73] },
      { node: 2, memKiB: 1024 * 1024, distances: [20, 20, 10], blocks: [1] },
    ],
    windows: [{ name: 'decoder0.0', start: 72 * 2 ** 31, size: 2 ** 33 }],
    blockSize: 2 ** 31,
  };
  withTree(host, (root) => {
    const h = discoverHostMemory(root);
    assert.deepEqual(h.cxlNodes, [
      { node: 1, evidence: ['memory-in-cxl-window'], regions: [], sizeBytes: 2 * 2 ** 30 },
    ]);
    // No access numbers anywhere: absent, not zero.
    assert.equal(h.nodes[1]!.access0, undefined);
  });
});
