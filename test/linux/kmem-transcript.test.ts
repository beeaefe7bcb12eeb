// The kmem transcript parser on a transcript written the way the init prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKmem, parseTiers, trailingJson } from './kmem-transcript.js';

const sample = `[    2.5] cxl region0: something
kmem: region0 dax0.0 driver=kmem
[    2.6] Built 2 zonelists
kmem: region0 blocks=6 onlined=6 node=1
fact meminfo: MemTotal:        1542268 kB
fact node meminfo: Node 1 MemTotal:         786432 kB
check kmem pattern words read back wrong: ok (0)
kmem-pattern: seed=0x7 k=0x538454127b096493 pages=3
kmem-pattern: range 0x120000000 0x120002000
kmem-pattern: range 0x120005000 0x120006000
kmem: region1 dax1.0 driver=device_dax
kmem: region1 blocks=4 onlined=4 node=2
`;

test('parseKmem: one entry per region with node, node size, seed, pages and frame ranges', () => {
  const k = parseKmem(sample);
  assert.equal(k.length, 2);
  assert.deepEqual(k[0], {
    region: 'region0',
    dax: 'dax0.0',
    node: 1,
    blocks: 6,
    nodeBytes: 786432 * 1024,
    seed: 7n,
    pages: 3,
    ranges: [
      { start: 0x120000000, end: 0x120002000 },
      { start: 0x120005000, end: 0x120006000 },
    ],
  });
  assert.equal(k[1]!.node, 2);
  assert.equal(k[1]!.pages, 0);
});

test('trailingJson: the document after the console output', () => {
  assert.deepEqual(trailingJson('[ 1.0] boot\n{ not json\n{\n  "a": 1\n}\n'), { a: 1 });
  assert.deepEqual(trailingJson('{\n  "b": [\n    {\n      "c": 2\n    }\n  ]\n}'), { b: [{ c: 2 }] });
  assert.throws(() => trailingJson('no json here'));
});

test('parseTiers: the last tiers line, nodelists with ranges and lists', () => {
  const t = parseTiers(
    'kmem: tiers memory_tier4=0\r\nkmem: tiers memory_tier4=0 memory_tier7=1-2,5 memory_tier14=3\r\n',
  );
  assert.deepEqual(
    [...t].sort((a, b) => a[0] - b[0]),
    [
      [0, 4],
      [1, 7],
      [2, 7],
      [3, 14],
      [5, 7],
    ],
  );
});
