// Linux's CXL core on the default machine through ACPI (issue: Linux's whole CXL stack). The
// kernel boots through the EFI hand-off, cxl_acpi binds ACPI0017, finds both ACPI0016 host bridges
// and both CFMWS windows, cxl_port walks the root ports, the switch and the endpoints, and the
// region driver assembles the firmware-committed regions R0 (4-way through the switch) and R1
// (XOR). Oracle: Linux itself, its /sys/bus/cxl/devices tree (the init's `cxl-sysfs:` dump, parsed
// by cxl-sysfs.ts) checked field by field against `cxlemu list -v --json` of the same machine;
// then cxlemu's audit of both regions after Linux powered off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cxlemuLinuxArgs } from './qemu-linux.js';
import { REPO } from '../diff/harness.js';
import { list, num, parseCxlSysfs, ports, regions, targets, type SysfsEntry } from './cxl-sysfs.js';
import { parseKmem, parseTiers, trailingJson } from './kmem-transcript.js';
import type { AuditReport } from '../../src/machine/index.js';
import { defaultDescription, type MachineDescription, validateDescription } from '../../src/machine/index.js';

const out = join(REPO, 'guests', 'linux', 'out');
const image = join(out, 'Image');
const initrd = join(out, 'initramfs.cpio');
const cli = join(REPO, 'dist', 'src', 'cli', 'main.js');
const skip =
  (!existsSync(image) || !existsSync(initrd)) && 'guests/linux/out/{Image,initramfs.cpio} not built: run npm run linux';

interface OurDecoder {
  decoder: string;
  resource: number;
  size: number;
  interleave_ways: number;
  interleave_granularity: number;
  targets?: (number | string)[];
  dpa_resource?: number;
  dpa_size?: number;
  mode?: string;
}
interface OurPort {
  port?: string;
  endpoint?: string;
  host: string;
  memdev?: { serial: string };
  [k: string]: unknown;
}

const decodersIn = (p: OurPort): OurDecoder[] =>
  (p[`decoders:${p.port ?? p.endpoint}`] as OurDecoder[] | undefined) ?? [];
const childPorts = (p: OurPort): OurPort[] => (p[`ports:${p.port}`] as OurPort[] | undefined) ?? [];
const endpointsOf = (p: OurPort): OurPort[] => (p[`endpoints:${p.port}`] as OurPort[] | undefined) ?? [];
const index = (decoderName: string) => Number(decoderName.split('.')[1]);

/** Linux's decoder N of `port` against ours: range, ways, granularity (and targets/DPA when given). */
function sameDecoder(linux: Map<string, SysfsEntry>, port: string, ours: OurDecoder, what: string) {
  const name = `decoder${port.replace(/^\D+/, '')}.${index(ours.decoder)}`;
  const d = linux.get(name);
  assert.ok(d, `${what}: Linux has no ${name}`);
  const got = {
    start: num(d.start),
    size: num(d.size),
    ways: Number(d.interleave_ways),
    granularity: Number(d.interleave_granularity),
  };
  const want = {
    start: BigInt(ours.resource),
    size: BigInt(ours.size),
    ways: ours.interleave_ways,
    granularity: ours.interleave_granularity,
  };
  assert.deepEqual(got, want, `${what} ${name} vs our ${ours.decoder}`);
  return d;
}

/**
 * Linux's /sys/bus/cxl (the init's dump in `transcript`) against `cxlemu list -v --json` of the
 * machine `machineArgs` names: root decoders, every port and endpoint with its committed decoders,
 * every region with its devices in position order (by serial), each handed to dax.
 */
function checkAgainstList(transcript: string, machineArgs: string[], desc: MachineDescription) {
  const sysfs = parseCxlSysfs(transcript);
  assert.ok(sysfs.complete, sysfs.problems.join('\n'));
  const linux = sysfs.entries;
  const ours = JSON.parse(
    spawnSync(process.execPath, [cli, ...machineArgs, 'list', '-v', '--json'], { encoding: 'utf8' }).stdout,
  ) as {
    memdevs: { memdev: string; serial: string }[];
    buses: Record<string, unknown>[];
    regions: {
      resource: number;
      size: number;
      interleave_ways: number;
      interleave_granularity: number;
      type: string;
      mappings: { position: number; memdev: string }[];
    }[];
  };
  const uidOf = new Map(desc.cxl.hostBridges.map((h) => [h.id, h.uid]));
  const busOf = new Map(desc.cxl.hostBridges.map((h) => [h.id, h.busNr]));
  const serialOf = new Map(ours.memdevs.map((m) => [m.memdev, BigInt(m.serial)]));

  // Root: one ACPI0017, a dport per host bridge (named by _UID), a root decoder per window.
  const root = linux.get('root0');
  assert.ok(root);
  assert.equal(root.uport, 'ACPI0017:00');
  const bus = ours.buses[0]!;
  for (const w of bus['decoders:root0'] as (OurDecoder & { targets: string[]; qos_class: number })[]) {
    const d = sameDecoder(linux, 'root0', w, 'root decoder');
    assert.deepEqual(
      list(d.target_list).map(Number),
      (w.targets as string[]).map((t) => uidOf.get(t)),
      `${w.decoder} targets`,
    );
    assert.equal(Number(d.qos_class), w.qos_class);
  }

  // Ports: a Linux port per host bridge (uport pci0000:<bus>), then what hangs below it.
  const linuxPorts = ports(linux);
  const linuxEndpoints = new Map<bigint, string>(); // serial -> Linux endpoint port
  for (const [name, e] of linux)
    if (name.startsWith('endpoint')) linuxEndpoints.set(num(linux.get(e.uport!)?.serial), name);
  const serialsBelow = (p: OurPort): string[] =>
    [
      ...endpointsOf(p).map((e) => BigInt(e.memdev!.serial)),
      ...childPorts(p).flatMap((c) => serialsBelow(c).map(BigInt)),
    ]
      .sort((a, b) => (a < b ? -1 : 1))
      .map(String);
  const under = (name: string, ancestor: string): boolean => {
    for (let n = linux.get(name)?.parent; n; n = linux.get(n)?.parent) if (n === ancestor) return true;
    return false;
  };
  const linuxSerialsBelow = (port: string): string[] =>
    [...linuxEndpoints]
      .filter(([, ep]) => under(ep, port))
      .map(([serial]) => serial)
      .sort((a, b) => (a < b ? -1 : 1))
      .map(String);
  let endpointsSeen = 0;
  const walk = (p: OurPort, linuxName: string) => {
    const lp = linux.get(linuxName)!;
    const committed = decodersIn(p);
    assert.equal(Number(lp.decoders_committed), committed.length, `${linuxName} decoders_committed`);
    for (const dec of committed) {
      const d = sameDecoder(linux, linuxName, dec, `${p.host} (${linuxName})`);
      assert.deepEqual(list(d.target_list).map(Number), dec.targets, `${linuxName} ${dec.decoder} target_list`);
    }
    // Switch ports below: matched by the devices below them (serials), so any depth and fan-out works.
    const lc = linuxPorts.filter((x) => x.attrs.parent === linuxName && x.name.startsWith('port'));
    assert.equal(lc.length, childPorts(p).length, `switch ports under ${linuxName}`);
    for (const child of childPorts(p)) {
      const want = serialsBelow(child).join(',');
      const match = lc.find((x) => linuxSerialsBelow(x.name).join(',') === want);
      assert.ok(match, `a Linux port under ${linuxName} with the devices of ${child.host} (${want})`);
      walk(child, match.name);
    }
    for (const ep of endpointsOf(p)) {
      const serial = BigInt(ep.memdev!.serial);
      const le = linuxEndpoints.get(serial);
      assert.ok(le, `Linux endpoint for serial ${serial}`);
      assert.equal(linux.get(le)!.parent, linuxName, `${le} hangs below ${linuxName}`);
      const eds = decodersIn(ep);
      assert.equal(Number(linux.get(le)!.decoders_committed), eds.length);
      for (const dec of eds) {
        const d = sameDecoder(linux, le, dec, `endpoint of ${ep.host}`);
        assert.equal(num(d.dpa_resource), BigInt(dec.dpa_resource!));
        assert.equal(num(d.dpa_size), BigInt(dec.dpa_size!));
        assert.equal(d.mode, dec.mode);
      }
      endpointsSeen++;
    }
  };
  const hbPorts = bus['ports:root0'] as OurPort[];
  assert.equal(hbPorts.length, desc.cxl.hostBridges.length);
  for (const p of hbPorts) {
    const uport = `pci0000:${busOf.get(p.host)!.toString(16).padStart(2, '0')}`;
    const lp = linuxPorts.find((x) => x.attrs.uport === uport);
    assert.ok(lp, `Linux port for ${p.host} (${uport})`);
    assert.equal(lp.attrs.parent, 'root0');
    walk(p, lp.name);
  }
  assert.equal(endpointsSeen, ours.memdevs.length);

  // Regions: Linux assembled each committed region with our ways, granularity, resource and the
  // same device in every position.
  const linuxRegions = regions(linux);
  assert.equal(linuxRegions.length, ours.regions.length);
  for (const want of ours.regions) {
    const got = linuxRegions.find((x) => num(x.attrs.resource) === BigInt(want.resource));
    assert.ok(got, `Linux region at 0x${want.resource.toString(16)}`);
    assert.equal(num(got.attrs.size), BigInt(want.size));
    assert.equal(Number(got.attrs.interleave_ways), want.interleave_ways);
    assert.equal(Number(got.attrs.interleave_granularity), want.interleave_granularity);
    assert.equal(got.attrs.mode, want.type);
    assert.equal(got.attrs.commit, '1', `${got.name} committed`);
    const bySerial = targets(got.attrs).map((dec) => {
      const ep = `endpoint${dec.replace(/^decoder(\d+)\..*$/, '$1')}`;
      return num(linux.get(linux.get(ep)!.uport!)!.serial);
    });
    assert.deepEqual(
      bySerial,
      [...want.mappings].sort((a, b) => a.position - b.position).map((m) => serialOf.get(m.memdev)),
      `${got.name} positions`,
    );
    // RAM regions go to dax; persistent ones to libnvdimm (through a pmem_region).
    const handoff = `${want.type === 'pmem' ? 'pmem_region' : 'dax_region'}${got.name.replace('region', '')}`;
    assert.ok(linux.has(handoff), `${got.name} handed on (${handoff} present)`);
  }
}

/**
 * Every region Linux has is onlined as its own new NUMA node (kmem) of the region's size, and the
 * pattern the init wrote through it is, by cxlemu's read-only pattern audit after power-off, all
 * there: the same pages (as runs of HPA), each word at the device and DPA the spec's decode says.
 */
function checkKmemAndPattern(stdout: string, linuxRegions: number) {
  const kmem = parseKmem(stdout);
  const linux = parseCxlSysfs(stdout).entries;
  assert.equal(kmem.length, linuxRegions, 'every region onlined');
  const nodes = new Set<number>();
  for (const k of kmem) {
    const region = linux.get(k.region);
    assert.ok(region, `${k.region} in sysfs`);
    assert.ok(k.node >= 1 && !nodes.has(k.node), `${k.region}: a new node of its own (got ${k.node})`);
    nodes.add(k.node);
    assert.equal(BigInt(k.nodeBytes), num(region.size), `${k.region}: node ${k.node} has the region's memory`);
    assert.ok(k.pages > 0 && k.ranges.length > 0, `${k.region}: pattern written`);
    const start = Number(num(region.resource));
    for (const r of k.ranges) assert.ok(r.start >= start && r.end <= start + Number(num(region.size)));
  }
  const rep = trailingJson<{ audit: AuditReport }>(stdout).audit;
  assert.equal(rep.ok, true, JSON.stringify(rep.regions.map((r) => r.mismatches.slice(0, 3))));
  for (const k of kmem) {
    const a = rep.regions.find((r) => r.pattern && r.pattern.ranges[0]?.start === k.ranges[0]!.start);
    assert.ok(a?.pattern, `${k.region}: the audit found its pattern`);
    assert.equal(a.mode, 'pattern');
    assert.deepEqual(a.pattern.ranges, k.ranges, `${k.region}: the audit finds exactly the pages Linux wrote`);
    assert.equal(a.pattern.wholePages, k.pages);
    assert.equal(a.pattern.partialPages, 0);
    assert.equal(a.pattern.misplacedCount, 0);
    assert.equal(
      Object.values(a.pattern.perDevice).reduce((x, y) => x + y, 0),
      k.pages * 4096,
      `${k.region}: every word found in place`,
    );
    for (const [dev, bytes] of Object.entries(a.pattern.perDevice))
      assert.ok(bytes > 0, `${k.region}: ${dev} holds a share`);
  }
}

/**
 * Each region's access0/access1 in Linux's sysfs equal what `cxlemu list -v --json` computes from
 * the description (src/machine/linux-perf.ts, itself checked against hand-worked examples), and
 * the node each region became sits in the memory tier list predicts; DRAM (node 0) in tier 4.
 * Returns region name -> Linux's tier.
 */
function checkAccessAndTiers(stdout: string, machineArgs: string[]): Map<string, number> {
  const linux = parseCxlSysfs(stdout).entries;
  const ours = JSON.parse(
    spawnSync(process.execPath, [cli, ...machineArgs, 'list', '-v', '--json'], { encoding: 'utf8' }).stdout,
  ) as { regions: { region: string; resource: number; memory_tier: number; [k: string]: unknown }[] };
  const tiers = parseTiers(stdout);
  assert.equal(tiers.get(0), 4, 'DRAM in memory_tier4');
  // `cxlemu tiers` predicts the same tiers per region (the same calculator, checked against Linux here).
  const predicted = JSON.parse(
    spawnSync(process.execPath, [cli, ...machineArgs, 'tiers', '--json'], { encoding: 'utf8' }).stdout,
  ) as { nodes: { memory: 'dram' | { regions: string[] }; tier: number }[] };
  const predictedTier = (region: string) =>
    predicted.nodes.find((n) => n.memory !== 'dram' && n.memory.regions.includes(region))?.tier;
  const kmem = parseKmem(stdout);
  const out = new Map<string, number>();
  for (const r of regions(linux)) {
    const mine = ours.regions.find((o) => BigInt(o.resource) === num(r.attrs.resource));
    assert.ok(mine, `${r.name}: a region of ours at ${r.attrs.resource}`);
    for (const cls of ['access0', 'access1'])
      for (const f of ['read_latency', 'write_latency', 'read_bandwidth', 'write_bandwidth']) {
        const got = r.attrs[`${cls}.${f}`];
        assert.ok(got !== undefined, `${r.name}: Linux shows ${cls}/${f}`);
        assert.equal(
          Number(got),
          (mine[cls] as Record<string, number>)[f],
          `${r.name} ${cls}/${f} (ours: ${mine.region})`,
        );
      }
    const node = kmem.find((k) => k.region === r.name)?.node;
    assert.ok(node !== undefined, `${r.name} onlined`);
    assert.equal(tiers.get(node), mine.memory_tier, `${r.name} (node ${node}): memory tier`);
    assert.equal(predictedTier(mine.region), tiers.get(node), `${mine.region}: cxlemu tiers agrees with Linux`);
    out.set(mine.region, mine.memory_tier);
  }
  return out;
}

test('Linux through ACPI: root0, a port per host bridge, the switch, four endpoints and their decoders match `cxlemu list -v --json`; R0 and R1 are assembled as committed, onlined as NUMA nodes, and the pattern Linux wrote through them is where the spec says', {
  skip,
}, () => {
  const r = spawnSync(
    process.execPath,
    cxlemuLinuxArgs({ image, initrd, append: 'console=ttyS0 cxlemu.memdevs=4 cxlemu.kmem=all:7:16 cxlemu.dump=cxl' }, [
      '--timeout',
      '600',
      '--audit',
      '--pattern',
      '7',
      '--json',
    ]),
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
  writeFileSync(join(REPO, 'test-artifacts', 'linux-cxl-acpi.txt'), `${r.stdout}\n--- stderr ---\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /efi: ACPI 2\.0=0x/);
  assert.match(r.stdout, /ACPI: PCI Root Bridge \[HB00\] \(domain 0000 \[bus 10-1f\]\)/);
  assert.match(r.stdout, /pci0000:10: host supports CXL/);
  assert.match(r.stdout, /pci0000:20: host supports CXL/);
  assert.match(r.stdout, /efi=noruntime/);
  checkAgainstList(r.stdout, [], defaultDescription());
  checkKmemAndPattern(r.stdout, 2);
  checkAccessAndTiers(r.stdout, []);
});

/**
 * Boots the project's kernel on `machine` with the init options `append` (plus the sysfs dump),
 * audits afterwards (`extra` adds --pattern, --save ...) with JSON output; the transcript goes to
 * test-artifacts/`artifact`.txt.
 */
function bootMachine(machine: string, append: string, extra: string[], artifact: string) {
  const r = spawnSync(
    process.execPath,
    [
      cli,
      '--machine',
      machine,
      ...cxlemuLinuxArgs({ image, initrd, append: `console=ttyS0 ${append} cxlemu.dump=cxl` }).slice(1),
      ...['--timeout', '600', '--audit', '--json', ...extra],
    ],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
  writeFileSync(join(REPO, 'test-artifacts', `${artifact}.txt`), `${r.stdout}\n--- stderr ---\n${r.stderr}`);
  return r;
}

/**
 * The init's cxlemu.poison run: Linux's debugfs inject_poison on the DPA of a page of the region's
 * node, a user-space read of it killed by SIGSEGV, trigger_poison_list, clear_poison, a read that
 * works again; the cxl_poison trace events (Inject, List with source Injected, Clear) carry the
 * HPA and DPA our translation gives for that page, and the device's serial.
 */
function checkPoison(stdout: string, machine: string) {
  const text = stdout.replace(/\r/g, '');
  assert.match(text, /^check poison read of the injected line: ok \(SIGSEGV\)$/m);
  assert.match(text, /^check read after clear_poison \(zeros\): ok \(read\)$/m);
  const p = /^poison: (\S+) hpa=(0x[0-9a-f]+) memdev=(\S+) dpa=(0x[0-9a-f]+)$/m.exec(text);
  assert.ok(p, 'the init named the poisoned page');
  const [, region, hpa, mem, dpa] = p;
  const ours = JSON.parse(
    spawnSync(process.execPath, [cli, '--machine', machine, '--json', 'translate', hpa!], { encoding: 'utf8' }).stdout,
  ) as { memdev: string; dpa: string };
  assert.equal(ours.dpa, dpa, 'Linux and cxlemu agree on the DPA of the HPA');
  const linux = parseCxlSysfs(stdout).entries;
  const list = JSON.parse(
    spawnSync(process.execPath, [cli, '--machine', machine, 'list', '--json'], { encoding: 'utf8' }).stdout,
  ) as { memdevs: { memdev: string; serial: string }[] };
  assert.equal(
    num(linux.get(mem!)!.serial),
    BigInt(list.memdevs.find((m) => m.memdev === ours.memdev)!.serial),
    `Linux's ${mem} is our ${ours.memdev}`,
  );
  const events = [...text.matchAll(/^poison-trace: .*cxl_poison: (.*)$/gm)].map((m) =>
    Object.fromEntries(m[1]!.split(' ').map((kv) => kv.split('=') as [string, string])),
  );
  assert.deepEqual(
    events.map((e) => [e.trace_type, e.memdev, e.region, e.hpa, e.dpa, e.dpa_length]),
    [
      ['Inject', mem, region, hpa, dpa, '0x40'],
      ['List', mem, region, hpa, dpa, '0x40'],
      ['Clear', mem, region, hpa, dpa, '0x40'],
    ],
  );
  assert.equal(events[1]!.source, 'Injected');
}

// Machines in guests/linux/machines/ with no region: Linux creates one through sysfs as cxl-cli
// does (endpoints by serial in position order), programs every HDM decoder on the way, and onlines
// it as a NUMA node; the machine saved after the run (description + the registers Linux wrote)
// lists what Linux shows, and the pattern Linux wrote is where the spec's decode says.
const created = [
  {
    machine: '3way',
    what: 'a 3-way region over three host bridges',
    memdevs: 3,
    create: 'decoder0.0:3:256:0x30000000:0x0,0x1,0x2',
    ways: 3,
    seed: 11,
  },
  {
    machine: 'xor4',
    what: 'a 4-way XOR region over four host bridges',
    memdevs: 4,
    create: 'decoder0.0:4:256:0x40000000:0x0,0x1,0x2,0x3',
    ways: 4,
    seed: 12,
  },
  {
    // hb0 -> sw0 -> {sw1 -> mem0, mem1; sw2 -> mem2, mem3}: sw0 picks the lower switch by the
    // position's low bit, so positions 0..3 are mem0, mem2, mem1, mem3.
    machine: 'switch2',
    what: 'a 4-way region through switches two levels deep',
    memdevs: 4,
    create: 'decoder0.0:4:256:0x40000000:0x0,0x2,0x1,0x3',
    ways: 4,
    seed: 13,
  },
];

for (const c of created) {
  test(`Linux creates ${c.what} (${c.machine}.json) through sysfs as cxl-cli does, programming every HDM decoder, and onlines it as a NUMA node; list shows the same region and the pattern Linux wrote is where the spec says`, {
    skip,
  }, (t) => {
    const machine = join(REPO, 'guests', 'linux', 'machines', `${c.machine}.json`);
    const savedDir = mkdtempSync(join(tmpdir(), 'cxlemu-linux-'));
    t.after(() => rmSync(savedDir, { recursive: true, force: true }));
    const saved = join(savedDir, 'after.json');
    const r = bootMachine(
      machine,
      `cxlemu.memdevs=${c.memdevs} cxlemu.create=${c.create} cxlemu.kmem=region0:${c.seed}:16`,
      ['--pattern', String(c.seed), '--save', saved],
      `linux-cxl-create-${c.machine}`,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cxl-create: region0 committed/);
    // Our audit found the region in the registers Linux wrote and the pattern Linux wrote through it.
    const audited = trailingJson<{ audit: AuditReport }>(r.stdout).audit.regions;
    assert.deepEqual(
      audited.map((a) => [a.ways, a.granularity]),
      [[c.ways, 256]],
    );
    checkKmemAndPattern(r.stdout, 1);
    checkAgainstList(r.stdout, ['--machine', saved], validateDescription(JSON.parse(readFileSync(machine, 'utf8'))));
  });
}

test('two tiers from the description: a fast device on a Gen5 x16 root port and two slow ones behind a switch on a Gen4 x4 link (tiers.json); Linux shows the access0/access1 and memory tiers list -v computes, and the slow node lands in a lower tier; poison injected, listed and cleared through the kernel, a poisoned read is SIGSEGV', {
  skip,
}, () => {
  const machine = join(REPO, 'guests', 'linux', 'machines', 'tiers.json');
  const r = bootMachine(
    machine,
    'cxlemu.memdevs=3 cxlemu.kmem=all:3:8 cxlemu.poison=region0',
    ['--pattern', '3'],
    'linux-cxl-tiers',
  );
  assert.equal(r.status, 0, r.stderr);
  checkAgainstList(r.stdout, ['--machine', machine], validateDescription(JSON.parse(readFileSync(machine, 'utf8'))));
  checkKmemAndPattern(r.stdout, 2);
  const tiers = checkAccessAndTiers(r.stdout, ['--machine', machine]);
  const fast = tiers.get('Rfast')!;
  const slow = tiers.get('Rslow')!;
  assert.ok(fast > 4 && slow > fast, `DRAM (4) above the fast node (${fast}) above the slow node (${slow})`);
  checkPoison(r.stdout, machine);
});

test('a persistent region with a label area (pmem.json, file-backed): Linux creates it as cxl-cli does (create_pmem_region, uuid), a namespace on it as ndctl does (labels written to our label areas), writes a pattern through /dev/pmem0; after a reboot from the saved machine Linux assembles the region from the decoders, finds the namespace from the labels, and the pattern reads back', {
  skip,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-pmem-'));
  const desc = JSON.parse(readFileSync(join(REPO, 'guests', 'linux', 'machines', 'pmem.json'), 'utf8'));
  desc.cxl.hostBridges[0].rootPorts.forEach((rp: { child: Record<string, { file?: object }> }, i: number) => {
    rp.child.persistent!.file = { path: join(dir, `pmem${i}.img`) };
    rp.child.lsa!.file = { path: join(dir, `lsa${i}.img`) };
  });
  const machine = join(dir, 'machine.json');
  const saved = join(dir, 'after.json');
  writeFileSync(machine, JSON.stringify(desc));
  const first = bootMachine(
    machine,
    'cxlemu.memdevs=2 cxlemu.create=decoder0.0:2:256:0x20000000:0x0,0x1:pmem cxlemu.pmem=region0:9:8:write',
    ['--pattern', '9', '--save', saved],
    'linux-cxl-pmem-create',
  );
  assert.equal(first.status, 0, first.stderr);
  const pmemLine = (t: string) => /^pmem: .*$/m.exec(t.replace(/\r/g, ''))?.[0];
  const made = pmemLine(first.stdout);
  assert.equal(
    made,
    'pmem: region0 nd=region0 namespace=namespace0.0 uuid=c0ffee00-cafe-4000-8000-00000000beef size=536870912 dev=pmem0 resource=0x100000000',
  );
  assert.match(first.stdout, /^pmem-pattern: written seed=0x9 words=1048576 bad=0/m);
  // Linux wrote its namespace labels through Set LSA: each label area starts with an index block.
  for (const i of [0, 1])
    assert.equal(
      readFileSync(join(dir, `lsa${i}.img`))
        .subarray(0, 15)
        .toString('latin1'),
      'NAMESPACE_INDEX',
    );
  // The pattern went through the pmem driver into the region, every word where the decode says.
  const audited = trailingJson<{ audit: AuditReport }>(first.stdout).audit.regions;
  assert.equal(audited.length, 1);
  assert.deepEqual(audited[0]!.pattern!.ranges, [{ start: 0x1_0000_0000, end: 0x1_0080_0000 }]);
  assert.equal(audited[0]!.pattern!.misplacedCount, 0);
  checkAgainstList(first.stdout, ['--machine', saved], validateDescription(desc));

  const again = bootMachine(saved, 'cxlemu.memdevs=2 cxlemu.pmem=region0:9:8:check', [], 'linux-cxl-pmem-reboot');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(pmemLine(again.stdout), made, 'the same namespace, found from the labels');
  assert.match(again.stdout, /^pmem-pattern: checked seed=0x9 words=1048576 bad=0/m);
  rmSync(dir, { recursive: true, force: true });
});
