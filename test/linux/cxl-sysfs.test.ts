// The parser of the init's `cxl-sysfs:` dump (test/linux/cxl-sysfs.ts), on transcripts written
// here the way guests/linux/init/init.c prints them for a small ACPI topology: one root with two
// host bridges, a switch under the first, two endpoints and a two-way RAM region across them,
// with kernel messages in between. No guest is booted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodersOf, dports, kindOf, list, num, parseCxlSysfs, ports, regions, targets } from './cxl-sysfs.js';

const SAMPLE = `[    1.301234] cxl_acpi ACPI0017:00: ...
cxlemu-init: started
check memdev count: ok (2)
cxlemu-init: cxl tree settled after 600 ms at 15 entries
cxl-sysfs: decoder0.0 devtype=cxl_decoder_root parent=root0 start=0x100000000 size=0x100000000 interleave_ways=2 interleave_granularity=256 target_list=0,1 target_type=expander locked=1 region= cap_type2=0 cap_type3=1 cap_ram=1 cap_pmem=1 qos_class=0
cxl-sysfs: decoder0.1 devtype=cxl_decoder_root parent=root0 start=0x200000000 size=0x100000000 interleave_ways=1 interleave_granularity=256 target_list=0 target_type=expander locked=1 region= cap_type2=0 cap_type3=1 cap_ram=1 cap_pmem=1 qos_class=0
cxl-sysfs: decoder1.0 devtype=cxl_decoder_switch parent=port1 start=0x100000000 size=0x20000000 interleave_ways=1 interleave_granularity=256 target_list=0 target_type=expander locked=0 region=region0 cap_type2=0 cap_type3=1 cap_ram=1 cap_pmem=1
cxl-sysfs: decoder2.0 devtype=cxl_decoder_switch parent=port2 start=0x100000000 size=0x20000000 interleave_ways=2 interleave_granularity=256 target_list=0,1 target_type=expander locked=0 region=region0 cap_type2=0 cap_type3=1 cap_ram=1 cap_pmem=1
[    1.402311] cxl region0: config state: 0
cxl-sysfs: decoder3.0 devtype=cxl_decoder_endpoint parent=endpoint3 start=0x100000000 size=0x20000000 interleave_ways=2 interleave_granularity=256 target_type=expander locked=0 mode=ram dpa_resource=0x0 dpa_size=0x0000000010000000 region=region0 cap_type2=0 cap_type3=1 cap_ram=1 cap_pmem=1
cxl-sysfs: decoder4.0 devtype=cxl_decoder_endpoint parent=endpoint4 start=0x100000000 size=0x20000000 interleave_ways=2 interleave_granularity=256 target_type=expander locked=0 mode=ram dpa_resource=0x0 dpa_size=0x0000000010000000 region=region0 cap_type2=0 cap_type3=1 cap_ram=1 cap_pmem=1
cxl-sysfs: endpoint3 devtype=cxl_port parent=port2 uport=mem0 parent_dport=0000:0e:00.0 decoders_committed=1
cxl-sysfs: endpoint4 devtype=cxl_port parent=port2 uport=mem1 parent_dport=0000:0e:01.0 decoders_committed=1
cxl-sysfs: mem0 parent=0000:0f:00.0 serial=0x0 numa_node=-1 ram/size=0x10000000 pmem/size=0x0 ram/qos_class=0 payload_max=2048 label_storage_size=0 firmware_version=cxlemu%200.1.0
cxl-sysfs: mem1 parent=0000:10:00.0 serial=0x1 numa_node=-1 ram/size=0x10000000 pmem/size=0x0 ram/qos_class=0 payload_max=2048 label_storage_size=0 firmware_version=cxlemu-0.1.0\r
cxl-sysfs: nvdimm-bridge0 devtype=cxl_nvdimm_bridge parent=root0
cxl-sysfs: port1 devtype=cxl_port parent=root0 uport=pci0000:0c parent_dport=ACPI0016:00 dport0=0000:0c:00.0 decoders_committed=1
cxl-sysfs: port2 devtype=cxl_port parent=port1 uport=0000:0d:00.0 parent_dport=0000:0c:00.0 dport0=0000:0e:00.0 dport1=0000:0e:01.0 decoders_committed=1
cxl-sysfs: region0 devtype=cxl_region parent=decoder0.0 size=0x20000000 resource=0x100000000 interleave_ways=2 interleave_granularity=256 mode=ram commit=1 target0=decoder3.0 target1=decoder4.0 access0.read_latency=400 access0.write_latency=400 access0.read_bandwidth=20000 access0.write_bandwidth=20000
cxl-sysfs: root0 devtype=cxl_port parent=ACPI0017:00 uport=ACPI0017:00 dport0=ACPI0016:00 dport1=ACPI0016:01 decoders_committed=0
cxl-sysfs: end count=15
cxlemu-init: all checks passed: powering off
`;

test('a complete dump parses into one entry per device, values as Linux prints them', () => {
  const d = parseCxlSysfs(SAMPLE);
  assert.deepEqual(d.problems, []);
  assert.equal(d.complete, true);
  assert.equal(d.count, 15);
  assert.equal(d.entries.size, 15);
  assert.deepEqual(
    [...d.entries.keys()].slice(0, 3),
    ['decoder0.0', 'decoder0.1', 'decoder1.0'],
    'in the order printed',
  );
  const root = d.entries.get('root0')!;
  assert.deepEqual(root, {
    devtype: 'cxl_port',
    parent: 'ACPI0017:00',
    uport: 'ACPI0017:00',
    dport0: 'ACPI0016:00',
    dport1: 'ACPI0016:01',
    decoders_committed: '0',
  });
  const d00 = d.entries.get('decoder0.0')!;
  assert.equal(d00['target_list'], '0,1');
  assert.deepEqual(list(d00['target_list']), ['0', '1']);
  assert.equal(d00['region'], '', 'an empty attribute is kept as the empty string');
  assert.equal(d.entries.get('mem0')!['firmware_version'], 'cxlemu 0.1.0', '%20 decodes to a space');
  assert.equal(d.entries.get('mem1')!['firmware_version'], 'cxlemu-0.1.0', 'a CR before the newline is dropped');
  assert.equal(d.entries.get('mem1')!['ram/size'], '0x10000000');
  assert.equal(d.entries.get('nvdimm-bridge0')!['parent'], 'root0');
  assert.equal(d.entries.get('region0')!['access0.read_latency'], '400');
});

test('ports, decodersOf, regions, targets and dports pick the entries a comparison needs', () => {
  const { entries } = parseCxlSysfs(SAMPLE);
  assert.deepEqual(
    ports(entries).map((p) => p.name),
    ['root0', 'port1', 'port2', 'endpoint3', 'endpoint4'],
  );
  assert.deepEqual(
    decodersOf(entries, 'root0').map((x) => x.name),
    ['decoder0.0', 'decoder0.1'],
  );
  assert.deepEqual(
    decodersOf(entries, 'endpoint4').map((x) => x.name),
    ['decoder4.0'],
  );
  assert.deepEqual(decodersOf(entries, 'port9'), []);
  for (const p of ports(entries))
    for (const dec of decodersOf(entries, p.name)) assert.equal(dec.attrs['parent'], p.name);
  assert.throws(() => decodersOf(entries, 'mem0'), /not a CXL port name/);
  const [r, ...rest] = regions(entries);
  assert.equal(rest.length, 0);
  assert.equal(r!.name, 'region0');
  assert.deepEqual(targets(r!.attrs), ['decoder3.0', 'decoder4.0']);
  assert.equal(num(r!.attrs['size']), 0x20000000n);
  assert.deepEqual(
    [...dports(entries.get('port2')!)],
    [
      [0, '0000:0e:00.0'],
      [1, '0000:0e:01.0'],
    ],
  );
  assert.deepEqual([...dports(entries.get('endpoint3')!)], []);
});

test('the helpers order names numerically: decoder1.10 after decoder1.2, region10 after region2', () => {
  const e = new Map<string, Record<string, string>>([
    ['decoder1.10', {}],
    ['decoder1.2', {}],
    ['decoder11.0', {}],
    ['region10', {}],
    ['region2', {}],
    ['dax_region0', {}],
  ]);
  assert.deepEqual(
    decodersOf(e, 'port1').map((x) => x.name),
    ['decoder1.2', 'decoder1.10'],
  );
  assert.deepEqual(
    regions(e).map((x) => x.name),
    ['region2', 'region10'],
  );
  const t: Record<string, string> = { target1: 'decoder5.0', target0: 'decoder4.0', target2: '' };
  assert.deepEqual(targets(t), ['decoder4.0', 'decoder5.0']);
});

test('kindOf tells entries apart by the names Linux gives them', () => {
  const kinds = ['root0', 'port12', 'endpoint3', 'decoder2.1', 'region0', 'mem10', 'pmem0', 'dax_region0', 'memx'].map(
    kindOf,
  );
  assert.deepEqual(kinds, ['root', 'port', 'endpoint', 'decoder', 'region', 'memdev', 'other', 'other', 'other']);
});

test('num reads hex (with or without zero padding), decimal and negative values, and refuses the rest', () => {
  assert.equal(num('0x0000000010000000'), 0x10000000n);
  assert.equal(num('0x100000000'), 0x100000000n);
  assert.equal(num('0xFFFFFFFFFFFFFFFF'), 2n ** 64n - 1n);
  assert.equal(num('256'), 256n);
  assert.equal(num('0'), 0n);
  assert.equal(num('-1'), -1n);
  assert.throws(() => num(undefined), /missing/);
  assert.throws(() => num(''), /not a number/);
  assert.throws(() => num('ram'), /not a number/);
  assert.throws(() => num('0x'), /not a number/);
});

test('a dump cut short (no end line) keeps its entries but is not complete', () => {
  const cut = SAMPLE.slice(0, SAMPLE.indexOf('cxl-sysfs: decoder3.0'));
  const d = parseCxlSysfs(cut);
  assert.equal(d.complete, false);
  assert.equal(d.count, -1);
  assert.equal(d.entries.size, 4);
  assert.deepEqual(d.problems, ['no end line: the dump is missing or cut short']);
  assert.equal(parseCxlSysfs('no dump here\n').complete, false);
  assert.equal(parseCxlSysfs('cxl-sysfs: end count=0\n').complete, true, 'an empty tree is a complete dump');
});

test('malformed lines are left out and reported, and make the dump incomplete', () => {
  const t = [
    'cxl-sysfs: mem0 parent=0000:0f:00.0 serial=0x0',
    'cxl-sysfs: mem1 parent=0000:10:00.0 seri[    1.5] cxl_mem mem1: probe',
    'cxl-sysfs: mem2',
    'cxl-sysfs: parent=0000:11:00.0 serial=0x2',
    'cxl-sysfs: mem3 firmware_version=bad%2',
    'cxl-sysfs: mem4 serial=0x4 serial=0x5',
    'cxl-sysfs: mem5 serial=0x5 truncated=1',
    'cxl-sysfs: mem0 parent=0000:0f:00.0 serial=0x9',
    'cxl-sysfs: end count=1',
    'cxl-sysfs: mem6 serial=0x6',
  ].join('\n');
  const d = parseCxlSysfs(t);
  assert.equal(d.complete, false);
  assert.equal(d.count, 1);
  assert.deepEqual([...d.entries.keys()], ['mem0']);
  assert.equal(d.entries.get('mem0')!['serial'], '0x0', 'the first of two lines for one name is kept');
  const why = d.problems.map((p) => p.replace(/:.*/, ''));
  assert.deepEqual(why, [
    "token 'seri[' is not key=value",
    'no key=value pairs',
    'no entry name',
    "bad %xx escape in 'firmware_version=bad%2'",
    "repeated key 'serial'",
    'the init truncated the line',
    "repeated entry 'mem0'",
    'line after the end line',
  ]);
  assert.match(d.problems[0]!, /seri\[ {4}1\.5\] cxl_mem/, 'a problem quotes its line');
  const mismatch = parseCxlSysfs('cxl-sysfs: mem0 parent=x\ncxl-sysfs: end count=2\n');
  assert.equal(mismatch.complete, false);
  assert.deepEqual(mismatch.problems, ['end line counts 2 entries, parsed 1']);
  assert.equal(parseCxlSysfs('cxl-sysfs: end count=two\n').problems[0]?.startsWith('malformed end line'), true);
});

test('a kernel message or timestamp in front of a dump line on the same console line is skipped', () => {
  const d = parseCxlSysfs('[    2.0] cxl_port port1: xcxl-sysfs: mem0 parent=p serial=0x7\ncxl-sysfs: end count=1\n');
  assert.equal(d.complete, true);
  assert.equal(d.entries.get('mem0')!['serial'], '0x7');
});

/** init.c's put_escaped, on bytes: space, control bytes, '%' and bytes >= 0x7f become %xx. */
function escapeLikeInit(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((c) => (c > 0x20 && c < 0x7f && c !== 0x25 ? String.fromCharCode(c) : `%${c.toString(16).padStart(2, '0')}`))
    .join('');
}

test('values escaped as the init escapes them read back exactly', () => {
  const values = ['0,1', 'a b', 'line1\nline2', '100%', 'tab\there', 'é €', '=x=', '', '%20'];
  const line = values.map((v, i) => `k${i}=${escapeLikeInit(v)}`).join(' ');
  const d = parseCxlSysfs(`cxl-sysfs: x0 ${line}\ncxl-sysfs: end count=1\n`);
  assert.deepEqual(d.problems, []);
  assert.deepEqual(Object.values(d.entries.get('x0')!), values);
});
