// Machine description schema and rules: JSON and YAML forms, defaults, memN naming, window
// placement, and one test per error class, each naming path, value and rule.
// Oracle: docs/machine.md (the documented format) and DESIGN's board map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateDescription,
  parseDescriptionText,
  descriptionToJson,
  descriptionToYaml,
  memdevsOf,
  findMemdev,
  placeWindows,
  DEFAULT_DEVICE_PERF,
} from '../../src/machine/description.js';
import { defaultDescription, defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { ConfigError, type ConfigIssue } from '../../src/machine/errors.js';

const small = () => ({
  ram: { size: '1G' },
  cxl: {
    hostBridges: [
      {
        id: 'hb0',
        busNr: 12,
        rootPorts: [
          { id: 'rp0', port: 0, child: { kind: 'type3', id: 'dev-a', volatile: { size: '256M' } } },
          {
            id: 'rp1',
            port: 1,
            child: { kind: 'type3', id: 'dev-b', persistent: { size: '512M', file: { path: '/tmp/x' } } },
          },
        ],
      },
    ],
    windows: [{ id: 'W', size: '4G', targets: ['hb0'], granularity: '4k' }],
  },
});

function issuesOf(input: unknown): ConfigIssue[] {
  try {
    validateDescription(input);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.issues;
  }
  assert.fail('no error');
}
function expectIssue(input: unknown, code: string, path: string, value?: unknown): void {
  const issues = issuesOf(input);
  const hit = issues.find((i) => i.code === code && i.path === path);
  assert.ok(hit, `want ${code} at ${path}, got ${JSON.stringify(issues)}`);
  if (value !== undefined) assert.deepEqual(hit.value, value);
  assert.ok(hit.allowed.length > 0);
}
function mutate(f: (d: any) => void): unknown {
  const d = small();
  f(d);
  return d;
}

test('defaults: perf, decoders, uid = busNr, window placement after RAM', () => {
  const d = validateDescription(small());
  const [a, b] = memdevsOf(d);
  assert.equal(a!.name, 'mem0');
  assert.equal(b!.name, 'mem1');
  assert.deepEqual(a!.device.perf, DEFAULT_DEVICE_PERF);
  assert.deepEqual(DEFAULT_DEVICE_PERF, {
    readLatencyNs: 150,
    writeLatencyNs: 250,
    readBandwidthMBs: 16000,
    writeBandwidthMBs: 16000,
  });
  assert.equal(d.cxl.hostBridges[0]!.uid, 12);
  assert.equal(d.cxl.windows[0]!.base, 0x1_0000_0000);
  assert.equal(d.cxl.windows[0]!.granularity, 4096);
  assert.equal(findMemdev(d, 'dev-b')!.name, 'mem1');
  assert.equal(findMemdev(d, 'mem0')!.device.id, 'dev-a');
  assert.equal(findMemdev(d, 'nope'), undefined);
});

test('JSON and YAML forms read the same; canonical JSON round-trips', () => {
  const d = defaultDescription();
  const json = descriptionToJson(d);
  const yaml = descriptionToYaml(d);
  assert.deepEqual(parseDescriptionText(json, 'm.json'), d);
  assert.deepEqual(parseDescriptionText(yaml, 'm.yaml'), d);
  assert.equal(descriptionToJson(parseDescriptionText(yaml, 'm.yaml')), json);
});

test('default machine is exactly issue 3 item 3', () => {
  const d = defaultDescription();
  assert.equal(d.ram.size, 512 * 2 ** 20);
  assert.deepEqual(
    d.cxl.hostBridges.map((h) => [h.id, h.busNr]),
    [
      ['hb0', 0x10],
      ['hb1', 0x20],
    ],
  );
  const hb0 = d.cxl.hostBridges[0]!;
  assert.equal(hb0.rootPorts[0]!.id, 'rp0');
  const sw = hb0.rootPorts[0]!.child!;
  assert.equal(sw.kind, 'switch');
  assert.deepEqual(sw.kind === 'switch' && sw.downstreamPorts.map((p) => [p.id, p.port, p.child?.id]), [
    ['dsp0', 0, 'mem0'],
    ['dsp1', 1, 'mem1'],
  ]);
  assert.deepEqual(
    d.cxl.hostBridges[1]!.rootPorts.map((p) => [p.id, p.port, p.child?.id]),
    [
      ['rp1', 0, 'mem2'],
      ['rp2', 1, 'mem3'],
    ],
  );
  const mems = memdevsOf(d);
  assert.deepEqual(
    mems.map((m) => [m.name, m.device.volatile?.size, m.device.persistent]),
    [0, 1, 2, 3].map((i) => [`mem${i}`, 512 * 2 ** 20, undefined]),
  );
  assert.deepEqual(
    d.cxl.windows.map((w) => [w.id, w.base, w.size, w.targets.join(','), w.granularity, w.arithmetic]),
    [
      ['W0', 0x1_0000_0000, 4 * 2 ** 30, 'hb0,hb1', 256, 'modulo'],
      ['W1', 0x2_0000_0000, 4 * 2 ** 30, 'hb0,hb1', 256, 'xor'],
    ],
  );
  assert.deepEqual(d.cxl.xorMaps, [{ granularity: 256, maps: [0x404100] }]);
  assert.deepEqual(
    d.state.regions.map((r) => [r.name, r.window, r.ways, r.granularity, r.size, r.base, r.locked]),
    [
      ['R0', 'W0', 4, 256, 2 ** 30, 0x1_0000_0000, false],
      ['R1', 'W1', 2, 256, 512 * 2 ** 20, 0x2_0000_0000, false],
    ],
  );
  assert.ok(defaultDescription({ locked: true }).state.regions.every((r) => r.locked));
  assert.equal(defaultDescriptionInput().version, 1);
});

test('placeWindows: floor, 256 MiB alignment, 768 MiB for 3-family, skipping explicit windows', () => {
  const G = 2 ** 30;
  assert.deepEqual(placeWindows(512 * 2 ** 20, [{ size: G, targets: ['a'], ways: 1 }]), [4 * G]);
  assert.deepEqual(placeWindows(4 * G + 1, [{ size: G, targets: ['a'], ways: 1 }]), [6 * G + 256 * 2 ** 20]);
  const three = placeWindows(512 * 2 ** 20, [
    { size: 256 * 2 ** 20, targets: ['a'], ways: 1 },
    { size: 3 * G, targets: ['a', 'b', 'c'], ways: 3 },
  ]);
  assert.equal(three[1]! % (768 * 2 ** 20), 0);
  assert.equal(three[1], 0x1_2000_0000); // 6 x 768 MiB, the first multiple at or above 0x1_1000_0000
  assert.deepEqual(
    placeWindows(512 * 2 ** 20, [
      { size: G, targets: ['a'], ways: 1 },
      { base: 4 * G, size: G, targets: ['a'], ways: 1 },
    ]),
    [5 * G, 4 * G],
  );
});

test('error: unknown field names itself', () =>
  expectIssue(
    mutate((d) => (d.cxl.windows[0].granularty = 256)),
    'unknown_field',
    'cxl.windows[0].granularty',
    256,
  ));
test('error: wrong type', () =>
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].rootPorts = 'rp0')),
    'invalid_type',
    'cxl.hostBridges[0].rootPorts',
    'rp0',
  ));
test('error: missing field', () =>
  expectIssue(
    mutate((d) => delete d.cxl.windows[0].targets),
    'invalid_type',
    'cxl.windows[0].targets',
  ));
test('error: bad size text', () =>
  expectIssue(
    mutate((d) => (d.ram.size = 'lots')),
    'bad_size',
    'ram.size',
    'lots',
  ));
test('error: bad kind', () =>
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].rootPorts[0].child.kind = 'type2')),
    'invalid_value',
    'cxl.hostBridges[0].rootPorts[0].child.kind',
    'type2',
  ));
test('error: bad enum', () =>
  expectIssue(
    mutate((d) => (d.cxl.windows[0].arithmetic = 'parity')),
    'invalid_value',
    'cxl.windows[0].arithmetic',
    'parity',
  ));
test('error: granularity', () =>
  expectIssue(
    mutate((d) => (d.cxl.windows[1] = { size: '4G', targets: ['hb0'], granularity: 300 })),
    'bad_granularity',
    'cxl.windows[1].granularity',
    300,
  ));
test('error: window ways', () =>
  expectIssue(
    mutate((d) => {
      d.cxl.hostBridges.push(...['x', 'y', 'z', 'w'].map((id, i) => ({ id, busNr: 20 + i, rootPorts: [] })));
      d.cxl.windows[0].targets = ['hb0', 'x', 'y', 'z', 'w'];
    }),
    'bad_ways',
    'cxl.windows[0].targets',
  ));
test('error: unknown window target', () =>
  expectIssue(
    mutate((d) => (d.cxl.windows[0].targets = ['hb9'])),
    'unknown_target',
    'cxl.windows[0].targets[0]',
    'hb9',
  ));
test('error: two stores on one backing file (also written differently: relative, with ..)', () => {
  const d = mutate((x) => {
    x.cxl.hostBridges[0].rootPorts[0].child.lsa = { size: '128K', file: { path: '/tmp/../tmp/x' } };
  });
  expectIssue(d, 'duplicate_backing_file', 'cxl.hostBridges[0].rootPorts[1].child.persistent.file.path', '/tmp/x');
  const hit = issuesOf(d).find((i) => i.code === 'duplicate_backing_file')!;
  assert.match(hit.allowed, /cxl\.hostBridges\[0\]\.rootPorts\[0\]\.child\.lsa\.file\.path uses it/);
});
test('error: a host bridge _UID of 0 (Linux would match it to DRAM, not the generic port)', () => {
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].uid = 0)),
    'bad_uid',
    'cxl.hostBridges[0].uid',
    0,
  );
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].busNr = 0)),
    'bad_uid',
    'cxl.hostBridges[0].busNr',
    0,
  );
});
test('error: duplicate target', () =>
  expectIssue(
    mutate((d) => (d.cxl.windows[0].targets = ['hb0', 'hb0'])),
    'duplicate_target',
    'cxl.windows[0].targets[1]',
  ));
test('error: window size', () =>
  expectIssue(
    mutate((d) => (d.cxl.windows[0].size = '100M')),
    'bad_window_size',
    'cxl.windows[0].size',
    100 * 2 ** 20,
  ));
test('error: window base alignment and floor', () => {
  expectIssue(
    mutate((d) => (d.cxl.windows[0].base = '0x1_0800_0000')),
    'bad_window_base',
    'cxl.windows[0].base',
    0x1_0800_0000,
  );
  expectIssue(
    mutate((d) => (d.cxl.windows[0].base = '0xc000_0000')),
    'bad_window_base',
    'cxl.windows[0].base',
    0xc000_0000,
  );
});
test('error: 3-way window base not a multiple of 768 MiB', () =>
  expectIssue(
    mutate((d) => {
      d.cxl.hostBridges.push({ id: 'x', busNr: 30, rootPorts: [] }, { id: 'y', busNr: 40, rootPorts: [] });
      d.cxl.windows[0] = { base: '0x1_0000_0000', size: '3G', targets: ['hb0', 'x', 'y'] };
    }),
    'bad_window_base',
    'cxl.windows[0].base',
  ));
test('error: overlapping windows', () =>
  expectIssue(
    mutate((d) =>
      d.cxl.windows.push(
        { id: 'V', base: '0x1_4000_0000', size: '1G', targets: ['hb0'] },
        { id: 'U', base: '0x1_0000_0000', size: '2G', targets: ['hb0'] },
      ),
    ),
    'window_overlap',
    'cxl.windows[2].base',
  ));
test('error: XOR window without maps', () =>
  expectIssue(
    mutate((d) => {
      d.cxl.hostBridges.push({ id: 'x', busNr: 30, rootPorts: [] });
      d.cxl.windows[0] = { size: '4G', targets: ['hb0', 'x'], arithmetic: 'xor' };
    }),
    'missing_xor_maps',
    'cxl.windows[0].arithmetic',
  ));
test('error: bad XOR map', () =>
  expectIssue(
    mutate((d) => (d.cxl.xorMaps = [{ granularity: 256, maps: [0] }])),
    'bad_xor_map',
    'cxl.xorMaps[0].maps[0]',
    0,
  ));
test('error: duplicate ids', () =>
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].rootPorts[1].id = 'rp0')),
    'duplicate_id',
    'cxl.hostBridges[0].rootPorts[1].id',
    'rp0',
  ));
test('error: duplicate port numbers', () =>
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].rootPorts[1].port = 0)),
    'duplicate_port',
    'cxl.hostBridges[0].rootPorts[1].port',
    0,
  ));
test('error: duplicate bus numbers', () =>
  expectIssue(
    mutate((d) => d.cxl.hostBridges.push({ id: 'x', busNr: 12, uid: 99, rootPorts: [] })),
    'duplicate_bus_nr',
    'cxl.hostBridges[1].busNr',
    12,
  ));
test('error: bus number range', () =>
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].busNr = 256)),
    'too_big',
    'cxl.hostBridges[0].busNr',
    256,
  ));
test('error: device without capacity', () =>
  expectIssue(
    mutate((d) => delete d.cxl.hostBridges[0].rootPorts[0].child.volatile),
    'no_capacity',
    'cxl.hostBridges[0].rootPorts[0].child',
  ));
test('error: capacity not a multiple of 256 MiB', () =>
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].rootPorts[0].child.volatile.size = '100M')),
    'bad_capacity',
    'cxl.hostBridges[0].rootPorts[0].child.volatile.size',
  ));
test('error: decoder count', () =>
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].decoders = { count: 3 })),
    'bad_decoder_count',
    'cxl.hostBridges[0].decoders.count',
    3,
  ));
test('error: memN id that names another device', () =>
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].rootPorts[0].child.id = 'mem1')),
    'memdev_name_clash',
    'cxl.hostBridges[0].rootPorts[0].child.id',
    'mem1',
  ));
test('error: region references', () => {
  const withRegion = (r: object) =>
    mutate(
      (d) =>
        (d.state = { regions: [{ window: 'W', granularity: 4096, size: '512M', memdevs: ['mem0', 'dev-b'], ...r }] }),
    );
  assert.doesNotThrow(() => validateDescription(withRegion({})));
  expectIssue(withRegion({ window: 'Q' }), 'unknown_window', 'state.regions[0].window', 'Q');
  expectIssue(withRegion({ memdevs: ['mem0', 'mem9'] }), 'unknown_memdev', 'state.regions[0].memdevs[1]', 'mem9');
  expectIssue(withRegion({ memdevs: ['mem0', 'dev-a'] }), 'duplicate_memdev', 'state.regions[0].memdevs[1]', 'dev-a');
  expectIssue(withRegion({ ways: 4 }), 'ways_mismatch', 'state.regions[0].ways', 4);
  expectIssue(withRegion({ granularity: 100 }), 'bad_granularity', 'state.regions[0].granularity', 100);
});
test('error: YAML syntax names the file', () => {
  assert.throws(
    () => parseDescriptionText('ram: [1, 2', 'bad.yaml'),
    (e: unknown) => e instanceof ConfigError && e.issues[0]!.code === 'syntax' && e.issues[0]!.path === 'bad.yaml',
  );
});
test('ConfigError message names path, value and rule', () => {
  try {
    validateDescription(mutate((d) => (d.cxl.windows[0].granularity = 300)));
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /cxl\.windows\[0\]\.granularity: 300: one of 256, 512, 1024, 2048, 4096, 8192, 16384/);
  }
});

test('error: host bridge NUMA node that does not exist', () => {
  expectIssue(
    mutate((d) => (d.cxl.hostBridges[0].numaNode = 1)),
    'unknown_numa_node',
    'cxl.hostBridges[0].numaNode',
    1,
  );
  expectIssue(
    mutate((d) => {
      d.cxl.hostBridges[0].numaNode = 3;
      d.numa = { nodes: [{ nodeId: 0 }] };
    }),
    'unknown_numa_node',
    'cxl.hostBridges[0].numaNode',
    3,
  );
});
