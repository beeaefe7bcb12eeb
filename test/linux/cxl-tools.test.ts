// The real CXL tools in the guest: ndctl's `cxl` and `daxctl` (scripts/build-ndctl.sh), run by the
// init from the tools initramfs (`cxlemu.exec`) on the default machine with ACPI. Oracles: what the
// tools read from Linux's sysfs, checked field by field against `cxlemu list -v --json` of the same
// machine (memdevs by serial, root decoders, every port and endpoint decoder, regions R0 and R1);
// for the region `cxl create-region` makes, `cxlemu region create` of the same window and devices
// (its HPA range, positions and DPA), Linux's own sysfs (the init's dump), and after power-off the
// audit of the pattern written through the node `daxctl reconfigure-device -m system-ram` onlined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cxlemuLinuxArgs } from './qemu-linux.js';
import { REPO } from '../diff/harness.js';
import { num, parseCxlSysfs } from './cxl-sysfs.js';
import { parseKmem, trailingJson } from './kmem-transcript.js';
import type { AuditReport } from '../../src/machine/index.js';
import { defaultDescription } from '../../src/machine/index.js';

const out = join(REPO, 'guests', 'linux', 'out');
const image = join(out, 'Image');
const initrd = join(out, 'initramfs-tools.cpio');
const cli = join(REPO, 'dist', 'src', 'cli', 'main.js');
const skip =
  (!existsSync(image) || !existsSync(initrd)) &&
  'guests/linux/out/{Image,initramfs-tools.cpio} not built: run npm run linux';

// The new region: window W1 (decoder0.1) has room after R1, and our mem1 (behind the switch on
// hb0) and mem3 (hb1) have 256 MiB of free DPA each after R0. Linux names memdevs in probe order,
// so the init finds them by PCI function (checked below against their serials).
const NEW_REGION = { window: 'W1', memdevs: ['mem1', 'mem3'], functions: ['0000:14:00.0', '0000:22:00.0'] };
const SEED = 5;

/** The lines of `cxlemu.exec` step `tag` on `stream`, in order (kernel messages skipped). */
function execLines(transcript: string, tag: string, stream: 'out' | 'err'): string[] {
  const prefix = `exec ${tag} ${stream}: `;
  return transcript
    .split('\n')
    .filter((l) => l.includes(prefix))
    .map((l) => l.slice(l.indexOf(prefix) + prefix.length).replace(/\r$/, ''));
}

const execJson = <T>(transcript: string, tag: string): T =>
  JSON.parse(execLines(transcript, tag, 'out').join('\n')) as T;

interface Decoder {
  decoder: string;
  resource?: number;
  size?: number;
  interleave_ways: number;
  interleave_granularity?: number;
  dpa_resource?: number;
  dpa_size?: number;
  mode?: string;
  state?: string;
  nr_targets?: number;
  targets?: ({ target: string; position: number; id: number } | string | number)[];
  [k: string]: unknown;
}
interface Mapping {
  position: number;
  memdev: string;
  decoder: string;
  dpa_resource?: number;
  dpa_size?: number;
}
interface Region {
  region: string;
  resource: number;
  size: number;
  type: string;
  interleave_ways: number;
  interleave_granularity: number;
  decode_state: string;
  mappings: Mapping[];
}
interface Memdev {
  memdev: string;
  ram_size: number;
  pmem_size?: number;
  serial: number | string;
  host: string;
}
/** A bus, port or endpoint of `cxl list` (ours or Linux's): `decoders:NAME`, `ports:NAME`, ... */
type Node = Record<string, unknown> & { port?: string; endpoint?: string; bus?: string; memdev?: Memdev };

const nameOf = (n: Node) => (n.bus ?? n.port ?? n.endpoint) as string;
const decodersOf = (n: Node) => (n[`decoders:${nameOf(n)}`] as Decoder[] | undefined) ?? [];
const childrenOf = (n: Node) => [
  ...((n[`ports:${nameOf(n)}`] as Node[] | undefined) ?? []),
  ...((n[`endpoints:${nameOf(n)}`] as Node[] | undefined) ?? []),
];
const serialsBelow = (n: Node): bigint[] =>
  [...(n.memdev ? [BigInt(n.memdev.serial)] : []), ...childrenOf(n).flatMap(serialsBelow)].sort((a, b) =>
    a < b ? -1 : 1,
  );
const allNodes = (n: Node): Node[] => [n, ...childrenOf(n).flatMap(allNodes)];
const committed = (ds: Decoder[]) => ds.filter((d) => d.state !== 'disabled' && d.size);
const index = (decoder: string) => Number(decoder.split('.')[1]);

function listJson(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args, 'list', '-v', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { memdevs: Memdev[]; buses: Node[]; regions: Region[] };
}

/** `cxl list -vvv` (Linux, through libcxl) against `cxlemu list -v --json`, field by field. */
function checkList(linux: Node[], serialOfLinux: Map<string, bigint>) {
  const ours = listJson([]);
  const desc = defaultDescription();
  const uidOf = new Map(desc.cxl.hostBridges.map((h) => [h.id, h.uid]));
  const serialOfOurs = new Map(ours.memdevs.map((m) => [m.memdev, BigInt(m.serial)]));
  assert.equal(linux.length, 1, 'one CXL bus');
  const bus = linux[0]!;
  const ourBus = ours.buses[0]!;
  assert.equal(bus.bus, 'root0');
  assert.equal(bus.provider, 'ACPI.CXL');

  // Memdevs by serial: capacity.
  const linuxMemdevs = allNodes(bus).flatMap((n) => (n.memdev ? [n.memdev] : []));
  assert.deepEqual(
    linuxMemdevs.map((m) => [BigInt(m.serial), m.ram_size, m.pmem_size ?? 0]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    ours.memdevs.map((m) => [BigInt(m.serial), m.ram_size, m.pmem_size ?? 0]),
    'memdevs by serial: ram and pmem sizes',
  );

  // Root decoders: range, ways, granularity, host bridges (by _UID) in position order, regions.
  const rootDecoders = decodersOf(bus);
  for (const w of decodersOf(ourBus)) {
    const d = rootDecoders.find((x) => x.decoder === w.decoder);
    assert.ok(d, `Linux has ${w.decoder}`);
    assert.deepEqual(
      [d.resource, d.size, d.interleave_ways, d.interleave_granularity],
      [w.resource, w.size, w.interleave_ways, w.interleave_granularity],
      `${w.decoder} (${w.id as string})`,
    );
    const byPosition = (d.targets as { position: number; id: number }[]).sort((a, b) => a.position - b.position);
    assert.deepEqual(
      byPosition.map((t) => t.id),
      (w.targets as string[]).map((t) => uidOf.get(t)),
      `${w.decoder} targets`,
    );
  }

  // Every port and endpoint, matched by its depth and the serials below it (a host bridge and the
  // switch under it see the same devices): its committed decoders by index.
  const keyed = (root: Node) => {
    const out: [string, Node][] = [];
    const walk = (n: Node, depth: number) => {
      out.push([`${depth}:${serialsBelow(n).join(',')}`, n]);
      for (const c of childrenOf(n)) walk(c, depth + 1);
    };
    walk(root, 0);
    return out.slice(1);
  };
  const linuxByKey = new Map(keyed(bus));
  let decodersSeen = 0;
  for (const [key, n] of keyed(ourBus)) {
    const l = linuxByKey.get(key);
    assert.ok(l, `Linux has a port or endpoint at depth:serials ${key} (our ${nameOf(n)})`);
    const linuxDecoders = committed(decodersOf(l));
    const ourDecoders = committed(decodersOf(n));
    assert.equal(linuxDecoders.length, ourDecoders.length, `${nameOf(l)} (our ${nameOf(n)}): committed decoders`);
    for (const d of ourDecoders) {
      const ld = linuxDecoders.find((x) => index(x.decoder) === index(d.decoder));
      assert.ok(ld, `${nameOf(l)} has decoder index ${index(d.decoder)}`);
      const fields = ['resource', 'size', 'interleave_ways', 'dpa_resource', 'dpa_size', 'mode', 'nr_targets'] as const;
      // cxl-cli prints a port decoder's granularity only when it interleaves.
      const gran = d.interleave_ways > 1 ? ['interleave_granularity' as const] : [];
      assert.deepEqual(
        [...fields, ...gran].map((f) => ld[f]),
        [...fields, ...gran].map((f) => d[f]),
        `${ld.decoder} vs our ${d.decoder}`,
      );
      decodersSeen++;
    }
  }
  assert.equal(decodersSeen, 12, 'every committed decoder below the root was compared (3 ports, 4 endpoints)');

  // Regions R0 and R1: range, ways, granularity, state, and the memdevs in position order by serial.
  const linuxRegions = rootDecoders.flatMap((d) => (d[`regions:${d.decoder}`] as Region[] | undefined) ?? []);
  assert.equal(linuxRegions.length, ours.regions.length);
  for (const r of ours.regions) {
    const l = linuxRegions.find((x) => x.resource === r.resource);
    assert.ok(l, `Linux has a region at ${r.resource.toString(16)} (our ${r.region})`);
    assert.deepEqual(
      [l.size, l.type, l.interleave_ways, l.interleave_granularity, l.decode_state],
      [r.size, r.type, r.interleave_ways, r.interleave_granularity, r.decode_state],
      `${l.region} vs our ${r.region}`,
    );
    const positions = (ms: Mapping[], serial: (m: string) => bigint | undefined) =>
      [...ms].sort((a, b) => a.position - b.position).map((m) => serial(m.memdev));
    assert.deepEqual(
      positions(l.mappings, (m) => serialOfLinux.get(m)),
      positions(r.mappings, (m) => serialOfOurs.get(m)),
      `${l.region}: memdevs (serials) in position order`,
    );
  }
}

test('the real tools in the guest: `cxl list -vvv` shows the default machine as `cxlemu list -v` does; `cxl create-region` makes a 2-way region in W1 as `cxlemu region create` predicts; `daxctl reconfigure-device` takes it to devdax and back to system-ram, a NUMA node of its size, and the pattern written through it is where the spec says', {
  skip,
}, () => {
  const append = [
    'console=ttyS0 cxlemu.memdevs=4',
    'cxlemu.exec=list:/bin/cxl,list,-vvv',
    `cxlemu.let=A:/sys/bus/pci/devices/${NEW_REGION.functions[0]}/mem*`,
    `cxlemu.let=B:/sys/bus/pci/devices/${NEW_REGION.functions[1]}/mem*`,
    'cxlemu.let=R:/sys/bus/cxl/devices/decoder0.1/create_ram_region',
    'cxlemu.exec=create:/bin/cxl,create-region,-m,-d,decoder0.1,-t,ram,-w,2,-g,256,-s,512M,$A,$B',
    'cxlemu.exec=regions:/bin/cxl,list,-R',
    'cxlemu.exec=devdax:/bin/daxctl,reconfigure-device,-m,devdax,-r,$R,all',
    'cxlemu.exec=ram:/bin/daxctl,reconfigure-device,-m,system-ram,-r,$R,all',
    `cxlemu.kmem=$R:${SEED}:16`,
    'cxlemu.dump=cxl',
  ].join(' ');
  const r = spawnSync(
    process.execPath,
    cxlemuLinuxArgs({ image, initrd, append }, ['--timeout', '600', '--audit', '--pattern', String(SEED), '--json']),
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  const transcript = r.stdout.replace(/^\[\s*\d+\.\d+\] /gm, '');
  mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
  writeFileSync(join(REPO, 'test-artifacts', 'linux-cxl-tools.txt'), `${transcript}\n--- stderr ---\n${r.stderr}`);
  assert.equal(r.status, 0, `the init's checks pass (transcript in test-artifacts/linux-cxl-tools.txt)\n${r.stderr}`);
  for (const tag of ['list', 'create', 'regions', 'devdax', 'ram'])
    assert.match(transcript, new RegExp(`^check exec ${tag} exit status: ok \\(0\\)$`, 'm'));

  // cxl list -vvv: Linux's memdev names to serials, then the whole tree against ours.
  const listed = execJson<Node[]>(transcript, 'list');
  const serialOfLinux = new Map(
    listed.flatMap(allNodes).flatMap((n) => (n.memdev ? [[n.memdev.memdev, BigInt(n.memdev.serial)] as const] : [])),
  );
  const hostOfSerial = new Map(
    listed.flatMap(allNodes).flatMap((n) => (n.memdev ? [[BigInt(n.memdev.serial), n.memdev.host] as const] : [])),
  );
  checkList(listed, serialOfLinux);
  // The --media-errors part of -vvv needs libtracefs: the build says so once.
  assert.deepEqual(execLines(transcript, 'list', 'err'), [
    'cxl: --media-errors needs libtracefs, which this build lacks',
  ]);

  // The PCI functions the init named the memdevs by are our mem1 and mem3.
  const want = listJson([]);
  const ourSerial = (m: string) => BigInt(want.memdevs.find((d) => d.memdev === m)!.serial);
  assert.deepEqual(
    NEW_REGION.functions,
    NEW_REGION.memdevs.map((m) => hostOfSerial.get(ourSerial(m))),
    'PCI functions of our mem1 and mem3',
  );

  // What cxlemu's own region create makes of the same request.
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-tools-'));
  let predicted: Region;
  try {
    const saved = join(dir, 'm.json');
    const c = spawnSync(
      process.execPath,
      [cli, 'region', 'create', '--window', NEW_REGION.window, '--memdevs', ...NEW_REGION.memdevs].concat([
        '--size',
        '512M',
        '--name',
        'RN',
        '--save',
        saved,
      ]),
      { encoding: 'utf8' },
    );
    assert.equal(c.status, 0, c.stderr);
    predicted = listJson(['--machine', saved]).regions.find((x) => x.region === 'RN')!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // cxl create-region's own report of the region it made.
  const name = /^let R=(region\d+)$/m.exec(transcript)?.[1];
  assert.ok(name, 'the region seed was read');
  const created = execJson<Region>(transcript, 'create');
  assert.deepEqual(execLines(transcript, 'create', 'err'), ['cxl region: cmd_create_region: created 1 region']);
  const regionFields = (x: Region) => [
    x.resource,
    x.size,
    x.type,
    x.interleave_ways,
    x.interleave_granularity,
    x.decode_state,
  ];
  assert.equal(created.region, name);
  assert.deepEqual(regionFields(created), regionFields(predicted), `${name} vs cxlemu region create`);
  const bySerial = (ms: Mapping[], serial: (m: string) => bigint | undefined) =>
    [...ms].sort((a, b) => a.position - b.position).map((m) => serial(m.memdev));
  assert.deepEqual(
    bySerial(created.mappings, (m) => serialOfLinux.get(m)),
    bySerial(predicted.mappings, ourSerial),
    `${name}: memdevs in position order`,
  );

  // cxl list -R afterwards lists it with R0 and R1.
  const regions = execJson<Region[]>(transcript, 'regions');
  assert.deepEqual(
    regions.map((x) => x.resource).sort((a, b) => a - b),
    [...want.regions.map((x) => x.resource), predicted.resource].sort((a, b) => a - b),
  );
  assert.deepEqual(regionFields(regions.find((x) => x.region === name)!), regionFields(predicted));

  // Linux's sysfs: the region, and each endpoint decoder's DPA as ours.
  const sysfs = parseCxlSysfs(transcript);
  assert.ok(sysfs.complete, sysfs.problems.join('\n'));
  const s = sysfs.entries.get(name)!;
  assert.ok(s, `sysfs has ${name}`);
  assert.deepEqual(
    [num(s.resource), num(s.size), Number(s.interleave_ways), Number(s.interleave_granularity), s.mode, s.commit],
    [BigInt(predicted.resource), BigInt(predicted.size), 2, 256, 'ram', '1'],
  );
  for (const m of predicted.mappings) {
    const target = sysfs.entries.get(s[`target${m.position}`]!)!;
    assert.deepEqual(
      [num(target.dpa_resource), num(target.dpa_size), target.mode, target.region],
      [BigInt(m.dpa_resource!), BigInt(m.dpa_size!), 'ram', name],
      `${name} target${m.position} (our ${m.memdev})`,
    );
  }

  // daxctl: to devdax (unbinds kmem, binds device_dax through libkmod), then back to system-ram,
  // every memory block online and movable.
  const dax = `dax${name.slice('region'.length)}.0`;
  for (const tag of ['devdax', 'ram'])
    assert.deepEqual(execLines(transcript, tag, 'err'), ['reconfigured 1 device'], `daxctl ${tag}`);
  const [devdax] = execJson<Record<string, unknown>[]>(transcript, 'devdax');
  assert.deepEqual([devdax!.chardev, devdax!.mode, devdax!.size], [dax, 'devdax', predicted.size]);
  const [ram] = execJson<Record<string, unknown>[]>(transcript, 'ram');
  assert.deepEqual(
    [ram!.chardev, ram!.mode, ram!.online_memblocks, ram!.total_memblocks, ram!.movable],
    [dax, 'system-ram', 4, 4, true],
  );

  // The init's kmem step on the same region: already kmem and online; its node has the region's
  // size, and the pattern through that node is where the spec says.
  const [k] = parseKmem(transcript);
  assert.ok(k && k.region === name && k.dax === dax, 'the kmem step found the region');
  assert.equal(k.node, ram!.target_node);
  assert.equal(k.nodeBytes, predicted.size, 'the new node holds the region');
  assert.match(transcript, new RegExp(`^kmem: ${name} blocks=4 onlined=0 node=${k.node}$`, 'm'), 'daxctl onlined it');
  const audit = trailingJson<{ audit: AuditReport }>(r.stdout).audit;
  const a = audit.regions.find((x) => x.pattern?.ranges.length);
  assert.ok(a?.pattern, 'the audit found the pattern');
  assert.deepEqual(a.pattern.ranges, k.ranges, 'the audit finds exactly the pages Linux wrote');
  assert.equal(a.pattern.misplacedCount, 0);
  assert.equal(a.pattern.partialPages, 0);
});
