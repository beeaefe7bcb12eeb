// Building machines from descriptions through src/cxl: the default machine's regions and positions
// (issue 3 item 3), locked firmware regions, state save/reload, the QEMU 7.2 placement rule
// (SPEC-NOTES 1.6a) on a machine parsed from the 7.2 command line, and window placement after RAM.
// Oracles: SPEC-NOTES 1.3 (Linux positions) and 1.6a (observed QEMU 7.2 + Linux 6.1 placement).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine, toTopologySpec } from '../../src/machine/build.js';
import { defaultDescription } from '../../src/machine/default-machine.js';
import { parseQemuCommandLine } from '../../src/machine/qemu-parser.js';
import { validateDescription, descriptionToJson, parseDescriptionText } from '../../src/machine/description.js';
import { ConfigError } from '../../src/machine/errors.js';

const ARENA = { arenaBytes: 512 * 2 ** 20 };

test('default machine: R0 positions mem0=0, mem2=1, mem1=2, mem3=3; R1 over mem0, mem2', () => {
  const m = Machine.build(defaultDescription(), ARENA);
  try {
    const [r0, r1] = m.regions;
    assert.equal(r0!.name, 'R0');
    assert.equal(r0!.base, 0x1_0000_0000);
    assert.equal(r0!.size, 2 ** 30);
    assert.deepEqual(
      r0!.targets.map((t) => [t.memdev.name, t.position]),
      [
        ['mem0', 0],
        ['mem2', 1],
        ['mem1', 2],
        ['mem3', 3],
      ],
    );
    assert.equal(r1!.name, 'R1');
    assert.equal(r1!.base, 0x2_0000_0000);
    assert.equal(r1!.size, 512 * 2 ** 20);
    assert.deepEqual(r1!.targets.map((t) => t.memdev.name).sort(), ['mem0', 'mem2']);
    assert.equal(r0!.locked, false);
    // SPEC-NOTES 1.6(b): off 0x1234 -> pos 2 (mem1), DPA 0x434.
    const t = m.translateHpa(0x1_0000_1234);
    assert.ok(t.ok);
    assert.equal(t.value.memdev, 'mem1');
    assert.equal(t.value.dpa, 0x434);
    assert.equal(t.value.position, 2);
    // XOR window W1 with map 0x404100 routes somewhere valid and back.
    const x = m.translateHpa(0x2_0000_0100);
    assert.ok(x.ok);
    const back = m.translateDpa(x.value.memdev, x.value.dpa);
    assert.ok(back.hpas.some((h) => h.hpa === 0x2_0000_0100));
    assert.ok(m.audit({ samples: 2000 }).ok);
    // Regions destroy in reverse order (decoders reset from the highest committed).
    m.destroyRegion('R1');
    m.destroyRegion('R0');
    assert.equal(m.regions.length, 0);
  } finally {
    m.close();
  }
});

test('locked: true emulates locking firmware; destroy is refused with a clear message', () => {
  const m = Machine.build(defaultDescription({ locked: true }), ARENA);
  try {
    assert.ok(m.regions.every((r) => r.locked));
    assert.throws(
      () => m.destroyRegion('R1'),
      (e: unknown) => e instanceof ConfigError && /locked/.test(e.message) && /R1/.test(e.message),
    );
  } finally {
    m.close();
  }
});

test('describe() saves state; rebuilding from it reproduces regions and placement', () => {
  const m = Machine.build(defaultDescription(), ARENA);
  m.destroyRegion('R1');
  m.createRegion({ name: 'R2', window: 'W1', memdevs: ['mem2', 'mem0'], size: 2 ** 29, granularity: 256 });
  const text = descriptionToJson(m.describe());
  const before = m.translateHpa(0x2_0000_0300);
  m.close();
  const m2 = Machine.build(parseDescriptionText(text, 'saved.json'), ARENA);
  try {
    assert.deepEqual(
      m2.regions.map((r) => r.name),
      ['R0', 'R2'],
    );
    assert.deepEqual(m2.translateHpa(0x2_0000_0300), before);
  } finally {
    m2.close();
  }
});

test('region errors name the rule', () => {
  const m = Machine.build(defaultDescription(), ARENA);
  try {
    assert.throws(() => m.createRegion({ window: 'W0', memdevs: ['mem1', 'mem3'], size: 2 ** 28 }), ConfigError);
    assert.throws(
      () => m.createRegion({ window: 'nope', memdevs: ['mem1'], size: 2 ** 28 }),
      /window "nope" does not exist/,
    );
    assert.throws(
      () => m.translateDpa('mem9', 0),
      (e: unknown) => e instanceof ConfigError && e.issues[0]!.code === 'unknown_memdev',
    );
    assert.throws(
      () => m.audit({ region: 'R9' }),
      (e: unknown) => e instanceof ConfigError && e.issues[0]!.code === 'unknown_region',
    );
  } finally {
    m.close();
  }
});

test('firmware region that breaks a rule names state.regions[i]', () => {
  const d = JSON.parse(descriptionToJson(defaultDescription()));
  d.state.regions[0].size = '3G'; // 4 devices x 512 MiB, but R1 also needs mem0/mem2
  assert.throws(
    () => Machine.build(validateDescription(d), ARENA),
    (e: unknown) => e instanceof ConfigError && /state\.regions\[\d\]/.test(e.message),
  );
});

const q72 = (dir: string, ram = '2G') =>
  [
    `-M q35,cxl=on -m ${ram}`,
    ...[0, 1].map((i) => `-object memory-backend-file,id=cxl-mem${i},share=on,mem-path=${dir}/m${i}.raw,size=256M`),
    ...[0, 1].map((i) => `-object memory-backend-file,id=cxl-lsa${i},share=on,mem-path=${dir}/l${i}.raw,size=1M`),
    '-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1',
    '-device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2',
    '-device cxl-rp,port=1,bus=cxl.1,id=root_port14,chassis=0,slot=3',
    '-device cxl-type3,bus=root_port13,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0',
    '-device cxl-type3,bus=root_port14,memdev=cxl-mem1,lsa=cxl-lsa1,id=cxl-pmem1',
    '-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=4k',
  ].join(' ');

test('QEMU 7.2 placement rule (SPEC-NOTES 1.6a) for every G, both memdev orders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-q72-'));
  try {
    for (const G of [256, 1024, 2048, 4096, 8192, 16384]) {
      for (const order of [
        ['cxl-pmem0', 'cxl-pmem1'],
        ['mem1', 'mem0'],
      ]) {
        const m = Machine.build(parseQemuCommandLine(q72(dir)).description, ARENA);
        try {
          const r = m.createRegion({ window: 'cxl-fmw.0', memdevs: order, size: 2 ** 29, granularity: G });
          assert.equal(r.mode, 'pmem');
          const base = r.base;
          // Device below root port TargetList[pos]: target list follows port order here (0, 1).
          const below = ['mem0', 'mem1'];
          for (const off of [
            0,
            G - 8,
            G,
            2 * G + 24,
            0x200000,
            0x201000,
            0x202000,
            0x1fff_f000,
            0x1fff_fff8,
            12345 * 8,
          ]) {
            const t = m.translateHpa(base + off);
            assert.ok(t.ok, `G ${G} off ${off}`);
            const pos = Math.floor(off / G) % 2;
            assert.equal(t.value.memdev, below[pos], `G ${G} off ${off.toString(16)}`);
            assert.equal(t.value.dpa, (off % G) + Math.floor(off / (2 * G)) * G, `G ${G} off ${off.toString(16)}`);
          }
        } finally {
          m.close();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-m 4G: the window is placed after RAM (0x1_8000_0000)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-q72-'));
  try {
    const d = parseQemuCommandLine(q72(dir, '4G')).description;
    assert.equal(d.cxl.windows[0]!.base, 0x1_8000_0000);
    const spec = toTopologySpec(d);
    assert.equal(spec.windows[0]!.base, 0x1_8000_0000);
    assert.deepEqual(
      spec.hostBridges[0]!.rootPorts.map((p) => p.child && p.child.kind === 'type3' && p.child.name),
      ['mem0', 'mem1'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docs example description (test/golden/descriptions/example.yaml) validates and builds', () => {
  const here = new URL('.', import.meta.url).pathname;
  const file = join(here, '..', '..', '..', 'test', 'golden', 'descriptions', 'example.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-example-'));
  try {
    const text = readFileSync(file, 'utf8').replaceAll('/tmp/', `${dir}/`);
    const d = parseDescriptionText(text, 'example.yaml');
    assert.deepEqual(
      d.cxl.windows.map((w) => w.base),
      [0x1_0000_0000, 0x2_0000_0000, 0x3_0000_0000],
    );
    const m = Machine.build(d, ARENA);
    try {
      assert.deepEqual(
        m.regions.map((r) => [r.name, r.ways, r.mode, r.locked]),
        [
          ['fast', 2, 'ram', false],
          ['pm', 1, 'pmem', true],
        ],
      );
      assert.equal(m.cxl.memdevs.find((x) => x.id === 'slow0')!.name, 'mem1');
    } finally {
      m.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
