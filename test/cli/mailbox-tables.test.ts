// `cxlemu mailbox` and `cxlemu tables`. Oracles: for mailbox, the machine description (capacity,
// partition split) against the Identify / Get Partition Info fields of SPEC-NOTES 2.5, the return
// codes of SPEC-NOTES 2.4 (Unsupported 3, Invalid Payload Length 0x16) and the exit-status rule of
// docs/machine.md; for tables, the independent decoder test/helpers/acpi-decoder.ts (written from
// the spec layouts, shares no code with the builders): checksums, CEDT host bridges and windows,
// CDAT DSMAS lengths and DSLBIS latencies against the description's perf values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { decodeCdat, decodeCedt, decodeHmat, decodeRsdp, decodeSrat, sum8 } from '../helpers/acpi-decoder.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const bin = join(repo, 'dist', 'src', 'cli', 'main.js');
const MiB = 2 ** 20;

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), progress: false });
  return { status, out, err };
}

test('mailbox: Identify over the registers, text and --json, exit 0', async () => {
  const t = await run('mailbox', 'mem0', '4000');
  assert.equal(t.status, 0, t.err);
  assert.match(t.out, /^mem0 0x4000 Identify Memory Device: return code 0x00 \(Success\)/);
  assert.match(t.out, /output: 69 bytes/);
  assert.match(t.out, /totalCapacityBytes: 536870912 \(512 MiB\)/);
  const j = await run('--json', 'mailbox', 'mem2', 'identify-memory-device');
  assert.equal(j.status, 0);
  const o = JSON.parse(j.out);
  assert.equal(o.rc, 0);
  assert.equal(o.opcode, '0x4000');
  assert.equal(o.outputLength, 0x45);
  assert.equal(o.output.length, 0x45 * 2);
  assert.equal(o.decoded.totalCapacityBytes, 512 * MiB);
  assert.equal(o.decoded.partitionAlignmentBytes, 256 * MiB);
});

test('mailbox: Get Partition Info, Get Health Info and Get Supported Logs are decoded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-mbox-'));
  try {
    // A device with 256M volatile + 512M persistent.
    const d = defaultDescriptionInput() as {
      cxl: { hostBridges: { rootPorts: { child?: Record<string, unknown> }[] }[] };
      state?: unknown;
    };
    d.cxl.hostBridges[1]!.rootPorts[1]!.child = {
      kind: 'type3',
      id: 'mem3',
      volatile: { size: '256M' },
      persistent: { size: '512M' },
    };
    d.state = { regions: [] };
    const f = join(dir, 'm.json');
    writeFileSync(f, JSON.stringify(d));
    const p = JSON.parse((await run('--machine', f, '--json', 'mailbox', 'mem3', '0x4100')).out);
    assert.deepEqual(p.decoded, {
      activeVolatileBytes: 256 * MiB,
      activePersistentBytes: 512 * MiB,
      nextVolatileBytes: 0,
      nextPersistentBytes: 0,
    });
    const h = JSON.parse((await run('--json', 'mailbox', 'mem0', 'get-health-info')).out);
    assert.equal(h.outputLength, 0x12);
    assert.equal(h.decoded.temperatureC, 35);
    const l = await run('mailbox', 'mem0', '0400');
    assert.equal(l.status, 0);
    assert.match(l.out, /uuid 0da9c0b5-bf41-4b78-8f79-96b1623b3f17, size \d+, name Command Effects Log/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mailbox: a payload is sent in byte order; non-zero return codes exit 1', async () => {
  // Set Partition Info: 1 x 256 MiB volatile, flags 0 -> Success.
  const s = await run('mailbox', 'mem1', '4101', '01 00 00 00 00 00 00 00 00');
  assert.equal(s.status, 0, s.out + s.err);
  // Reserved flag bits -> Invalid Input (2).
  const r = await run('--json', 'mailbox', 'mem1', '4101', '0x010000000000000002');
  assert.equal(r.status, 1);
  assert.equal(JSON.parse(r.out).rc, 2);
  // An input to a command that takes none -> Invalid Payload Length (0x16).
  const x = await run('mailbox', 'mem0', '4000', '00');
  assert.equal(x.status, 1);
  assert.match(x.out, /return code 0x16 \(Invalid Payload Length\)/);
  // An opcode the device does not implement -> Unsupported (3).
  const u = await run('mailbox', 'mem0', '0x1234');
  assert.equal(u.status, 1);
  assert.match(u.out, /0x1234 \(not implemented by this device\): return code 0x03 \(Unsupported\)/);
});

test('mailbox: clear errors for a bad memdev, opcode, hex and an oversized payload', async () => {
  const m = await run('mailbox', 'mem9', '4000');
  assert.equal(m.status, 1);
  assert.match(m.err, /memdev: "mem9": one of mem0, mem1, mem2, mem3/);
  const o = await run('mailbox', 'mem0', 'frobnicate');
  assert.equal(o.status, 1);
  assert.match(o.err, /opcode: "frobnicate": a 16-bit hex opcode/);
  const o2 = await run('mailbox', 'mem0', '0x12345');
  assert.equal(o2.status, 1);
  const h = await run('mailbox', 'mem0', '4000', 'abc');
  assert.equal(h.status, 1);
  assert.match(h.err, /payload-hex: "abc": hex digits, two per byte/);
  const big = await run('mailbox', 'mem0', '4304', '00'.repeat(4096));
  assert.equal(big.status, 1);
  assert.match(big.err, /payload of 4096 bytes exceeds the mailbox payload size 2048/);
  const usage = await run('mailbox', 'mem0');
  assert.equal(usage.status, 2);
});

test('tables --out writes every ACPI table and CDAT; the files decode independently', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-tables-'));
  try {
    const r = await run('tables', '--out', dir);
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(readdirSync(dir).sort(), [
      'APIC.dat',
      'CEDT.dat',
      'DSDT.dat',
      'FACP.dat',
      'HMAT.dat',
      'MCFG.dat',
      'RHCT.dat',
      'RSDP.dat',
      'SLIT.dat',
      'SPCR.dat',
      'SRAT.dat',
      'XSDT.dat',
      'cdat-mem0.dat',
      'cdat-mem1.dat',
      'cdat-mem2.dat',
      'cdat-mem3.dat',
      'cdat-usp0.dat',
    ]);
    assert.match(r.out, /^wrote 17 tables to /);
    assert.match(r.out, /ACPI0016 uid 16 {2}segment 0 buses 0x10\.\.0x1f/);
    assert.match(r.out, /CEDT\n {2}CHBS {2}uid 16/);
    const rsdp = decodeRsdp(readFileSync(join(dir, 'RSDP.dat')));
    assert.ok(rsdp.xsdtAddress > 0);
    for (const n of ['XSDT', 'DSDT', 'FACP', 'APIC', 'RHCT', 'SPCR', 'MCFG', 'CEDT', 'SRAT', 'SLIT', 'HMAT'])
      assert.equal(sum8(readFileSync(join(dir, `${n}.dat`))), 0, `${n} checksum`);
    // The description's perf as Linux reads it: a generic port per host bridge, past the domains
    // Linux gives the two windows (1, 2), and CPU -> DRAM / generic port read latency in the HMAT.
    const gps = decodeSrat(readFileSync(join(dir, 'SRAT.dat'))).entries.filter((e) => e.type === 6) as {
      proximityDomain: number;
      hid: string;
      uid: number;
    }[];
    assert.deepEqual(
      gps.map((g) => [g.proximityDomain, g.hid, g.uid]),
      [
        [3, 'ACPI0016', 16],
        [4, 'ACPI0016', 32],
      ],
    );
    const readLat = decodeHmat(readFileSync(join(dir, 'HMAT.dat'))).entries.find(
      (e) => e.type === 1 && (e as { dataType: number }).dataType === 1,
    ) as { initiators: number[]; targets: number[]; baseUnit: number; entries: number[][] };
    assert.deepEqual(readLat.initiators, [0]);
    assert.deepEqual(readLat.targets, [0, 3, 4]);
    assert.deepEqual(
      readLat.entries[0]!.map((v) => (v * readLat.baseUnit) / 1000),
      [100, 50, 50],
      'ns: ram.perf, hostBridges[].perf',
    );
    const cedt = decodeCedt(readFileSync(join(dir, 'CEDT.dat')));
    assert.equal(cedt.entries.filter((e) => e.type === 0).length, 2, 'two CHBS');
    assert.equal(cedt.entries.filter((e) => e.type === 1).length, 2, 'two CFMWS');
    const cdat = decodeCdat(readFileSync(join(dir, 'cdat-mem2.dat')));
    const dsmas = cdat.entries.find((e) => e.type === 0) as { dpaLength: number };
    assert.equal(dsmas.dpaLength, 512 * MiB);
    const lat = cdat.entries.filter((e) => e.type === 1) as { dataType: number; baseUnit: number; entries: number[] }[];
    assert.equal(
      lat.find((e) => e.dataType === 1)!.entries[0]! * lat.find((e) => e.dataType === 1)!.baseUnit,
      150_000,
      'read latency 150 ns in ps',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tables with a NUMA description writes HMAT; --json lists the files; a bad --out is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-tables-'));
  try {
    const ex = join(repo, 'test', 'golden', 'descriptions', 'example.yaml');
    const j = await run('--machine', ex, '--json', 'tables', '--out', dir);
    assert.equal(j.status, 0, j.err);
    const o = JSON.parse(j.out);
    assert.ok(o.files.some((f: { file: string }) => f.file === 'HMAT.dat'));
    assert.equal(sum8(readFileSync(join(dir, 'HMAT.dat'))), 0);
    assert.equal(typeof o.decoded, 'string');
    const noOut = await run('tables');
    assert.equal(noOut.status, 0);
    assert.match(noOut.out, /tables \(use --out DIR to write them\)/);
    writeFileSync(join(dir, 'file'), 'x');
    const bad = await run('tables', '--out', join(dir, 'file', 'sub'));
    assert.equal(bad.status, 1);
    assert.match(bad.err, /--out: ".*sub": a writable directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the real bin: mailbox exit statuses', () => {
  const ok = spawnSync(process.execPath, [bin, 'mailbox', 'mem0', '4100'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /Get Partition Info: return code 0x00/);
  const bad = spawnSync(process.execPath, [bin, 'mailbox', 'mem0', '4000', '00'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
});

test('run --acpi-dump writes the same files, byte for byte, as tables --out; then the guest runs', async () => {
  const a = mkdtempSync(join(tmpdir(), 'cxlemu-tables-'));
  const b = mkdtempSync(join(tmpdir(), 'cxlemu-acpi-dump-'));
  try {
    assert.equal((await run('tables', '--out', a)).status, 0);
    const r = await run('run', '--acpi-dump', b, '--kernel', join(repo, 'guests', 'bin', 'hello-cxl.elf'));
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(readdirSync(b).sort(), readdirSync(a).sort());
    for (const f of readdirSync(a)) assert.deepEqual(readFileSync(join(b, f)), readFileSync(join(a, f)), f);
    writeFileSync(join(b, 'file'), 'x');
    const bad = await run(
      'run',
      '--acpi-dump',
      join(b, 'file', 'sub'),
      '--kernel',
      join(repo, 'guests', 'bin', 'hello-cxl.elf'),
    );
    assert.equal(bad.status, 1);
    assert.match(bad.err, /--acpi-dump: ".*sub": a writable directory/);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
