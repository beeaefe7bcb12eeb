// Set Partition Info takes effect on the device at the next reset (issue 7): FLR, secondary bus
// reset or Machine.resetDevice re-split the device itself (stores, locate, HDM decoder DPA checks,
// DVSEC ranges, CDAT DSMAS, route caches), unless one of its HDM decoders is committed or a
// partition is file-backed (then the old split stays, the request stays pending, the reason is kept).
// Oracles: Get Partition Info / Identify payloads (CXL r3.x §8.2.9.9.1.1, §8.2.9.9.2.1), the PCIe
// Device Control FLR bit (PCIe r6.0 §7.5.3.4) and Bridge Control SBR bit (§7.5.1.3.13), the CXL
// device DVSEC range registers (CXL 2.0 §8.1.3.8), the placement audit, docs/mailbox.md "Partitions".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { sendMailboxCommand, mediaOf } from '../../src/cxl/index.js';
import type { PciFunction } from '../../src/pci/index.js';
import { decodeCdat, type CdatEntry } from '../helpers/acpi-decoder.js';

/** DSMAS entries of a device's served CDAT as [flags, dpaBase, dpaLength] and the sequence. */
function dsmasOf(m: Machine, mem: string): { sequence: number; dsmas: number[][] } {
  const d = decodeCdat(m.cxlPci.endpoints.find((e) => e.device.name === mem)!.cdat.bytes);
  const dsmas = d.entries.filter((e) => e.type === 0) as Extract<CdatEntry, { type: 0; handle: number }>[];
  return { sequence: d.sequence, dsmas: dsmas.map((x) => [x.flags, x.dpaBase, x.dpaLength]) };
}

const MiB = 2 ** 20;
const U = 256 * MiB;
const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const rd64 = (b: Uint8Array, o: number) => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(o, true));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** The default machine without firmware regions; mem3 split 256 MiB volatile + 256 MiB persistent. */
function desc(persistent: Record<string, unknown> = { size: '256M' }): unknown {
  const d = defaultDescriptionInput() as {
    cxl: { hostBridges: { rootPorts: { child?: Record<string, unknown> }[] }[] };
    state?: unknown;
  };
  const mem3 = d.cxl.hostBridges[1]!.rootPorts[1]!.child!;
  mem3.volatile = { size: '256M' };
  mem3.persistent = persistent;
  return { ...d, state: { regions: [] } };
}

function partitionInfo(m: Machine, mem: string): number[] {
  const r = sendMailboxCommand(m.deviceRegisters(mem), 0x4100);
  assert.equal(r.rc, 0);
  return [0, 8, 16, 24].map((o) => rd64(r.out, o) * U);
}

function setPartition(m: Machine, mem: string, volatileBytes: number): number {
  return sendMailboxCommand(m.deviceRegisters(mem), 0x4101, cat(u64(volatileBytes / U), Uint8Array.of(0))).rc;
}

function endpointFn(m: Machine, mem: string): PciFunction {
  return m.cxlPci.endpoints.find((e) => e.device.name === mem)!.fn;
}

/** Config-space capability walk (standard list) for capability `id`. */
function capOffset(fn: PciFunction, id: number): number {
  let p = fn.config.read(0x34, 1) & 0xfc;
  while (p) {
    if ((fn.config.read(p, 1) & 0xff) === id) return p;
    p = fn.config.read(p + 1, 1) & 0xfc;
  }
  throw new Error(`capability ${id} not found`);
}

/** FLR through the PCIe capability: Device Control bit 15 (Initiate Function Level Reset). */
function flr(m: Machine, mem: string): void {
  const fn = endpointFn(m, mem);
  const pcie = capOffset(fn, 0x10);
  fn.config.write(pcie + 8, 2, fn.config.read(pcie + 8, 2) | 0x8000);
}

/** CXL device DVSEC range n (1, 2) size from config space, 0 when the range is not valid. */
function dvsecRange(m: Machine, mem: string, n: 1 | 2): number {
  const ep = m.cxlPci.endpoints.find((e) => e.device.name === mem)!;
  const at = ep.deviceDvsec + (n === 1 ? 0x18 : 0x28);
  const hi = ep.fn.config.read(at, 4) >>> 0;
  const lo = ep.fn.config.read(at + 4, 4) >>> 0;
  return lo & 1 ? hi * 2 ** 32 + (lo & 0xf0000000) : 0;
}

test('Set Partition Info -> FLR: the device re-splits (mailbox, Identify, DVSEC, CDAT, locate), a region uses the new volatile capacity and audits clean', () => {
  const m = Machine.build(desc(), { arenaBytes: 512 * MiB });
  try {
    const dev = m.cxl.memdevs[3]!;
    const region = { name: 'R', window: 'W0', ways: 2, granularity: 256, size: 1024 * MiB, memdevs: ['mem0', 'mem3'] };
    // 256 MiB volatile: a 1 GiB 2-way region (512 MiB per device) does not fit yet.
    assert.throws(() => m.createRegion(region), /mem3/);
    assert.deepEqual(partitionInfo(m, 'mem3'), [U, U, 0, 0]);
    assert.equal(setPartition(m, 'mem3', 2 * U), 0);
    assert.deepEqual(partitionInfo(m, 'mem3'), [U, U, 2 * U, 0]);
    assert.equal(dev.volatileBytes, U, 'pending only until the reset');
    assert.deepEqual(dsmasOf(m, 'mem3'), {
      sequence: 0,
      dsmas: [
        [0, 0, U],
        [4, U, U],
      ],
    });
    const seen: string[] = [];
    mediaOf(dev).onMediaChange((_d, c) => seen.push(c.kind));
    const calls: number[] = [];
    const orig = m.addressSpace.invalidateRoutes.bind(m.addressSpace);
    m.addressSpace.invalidateRoutes = (base: number, size: number) => {
      calls.push(base);
      return orig(base, size);
    };
    flr(m, 'mem3');
    assert.deepEqual(partitionInfo(m, 'mem3'), [2 * U, 0, 0, 0]);
    assert.equal(m.deviceRegisters('mem3').state.partitionRefusal, null);
    assert.ok(seen.includes('partition'));
    assert.ok(
      calls.includes(0x1_0000_0000) && calls.includes(0x2_0000_0000),
      'routes of the windows reaching mem3 invalidated',
    );
    // The device itself: sizes, stores, locate, decoder owner.
    assert.deepEqual([dev.volatileBytes, dev.persistentBytes, dev.capacity], [2 * U, 0, 2 * U]);
    assert.equal(dev.persistentStore, null);
    assert.equal(dev.volatileStore!.size, 2 * U);
    assert.equal(dev.locate(U + 64)!.partition, 'volatile');
    assert.equal(dev.locate(U + 64)!.offset, U + 64);
    assert.equal(dev.locate(2 * U), null);
    assert.deepEqual([dev.hdm.owner.volatileBytes, dev.hdm.owner.persistentBytes], [2 * U, 0]);
    // Identify: total capacity unchanged, partition alignment 256 MiB, nothing volatile/persistent-only.
    const id = sendMailboxCommand(m.deviceRegisters('mem3'), 0x4000);
    assert.equal(id.rc, 0);
    assert.deepEqual(
      [0x10, 0x18, 0x20, 0x28].map((o) => rd64(id.out, o)),
      [2, 0, 0, 1],
    );
    // DVSEC ranges and CDAT follow the live split.
    assert.deepEqual([dvsecRange(m, 'mem3', 1), dvsecRange(m, 'mem3', 2)], [2 * U, 0]);
    assert.deepEqual(
      dsmasOf(m, 'mem3'),
      { sequence: 1, dsmas: [[0, 0, 2 * U]] },
      'CDAT DSMAS rebuilt, sequence bumped',
    );
    const listed = (m.list().memdevs as { memdev: string; ram_size: number; pmem_size: number }[]).find(
      (x) => x.memdev === 'mem3',
    )!;
    assert.deepEqual([listed.ram_size, listed.pmem_size], [2 * U, 0]);
    // A region over the new volatile capacity commits, routes to the new store and audits clean.
    const r = m.createRegion(region);
    assert.equal(r.size, 1024 * MiB);
    const rep = m.audit({ region: 'R' });
    assert.equal(rep.ok, true, JSON.stringify(rep).slice(0, 400));
    // mem3's share extends past its old 256 MiB volatile partition.
    const dpaHigh = 0x1800_0000; // 384 MiB
    const hpas = m.translateDpa('mem3', dpaHigh).hpas;
    assert.equal(hpas.length, 1);
    m.addressSpace.store(hpas[0]!.hpa, 4, 0xcafef00d);
    const got = new Uint8Array(4);
    mediaOf(dev).read(dpaHigh, got);
    assert.deepEqual([...got], [0x0d, 0xf0, 0xfe, 0xca]);
    // A rebuild from the saved description keeps the split (the description says so now).
    const m2 = Machine.build(m.describe(), { arenaBytes: 512 * MiB });
    try {
      assert.deepEqual([m2.cxl.memdevs[3]!.volatileBytes, m2.cxl.memdevs[3]!.persistentBytes], [2 * U, 0]);
      assert.equal(m2.audit().ok, true);
    } finally {
      m2.close();
    }
  } finally {
    m.close();
  }
});

test('secondary bus reset and Machine.resetDevice also apply it; media is not preserved (zeroed), poison dropped', () => {
  const m = Machine.build(desc(), { arenaBytes: 512 * MiB });
  try {
    const dev = m.cxl.memdevs[3]!;
    const media = mediaOf(dev);
    media.write(0x100, Uint8Array.of(1, 2, 3, 4));
    assert.equal(sendMailboxCommand(m.deviceRegisters('mem3'), 0x4301, u64(0x1000)).rc, 0); // Inject Poison
    assert.equal(media.poisonCount, 1);
    assert.equal(setPartition(m, 'mem3', 0), 0);
    // Secondary bus reset from root port rp2 (Bridge Control bit 6 set, then cleared).
    const rp = m.cxlPci.ports.get(dev.parentPort)!.fn;
    rp.config.write(0x3e, 2, rp.config.read(0x3e, 2) | 0x40);
    rp.config.write(0x3e, 2, rp.config.read(0x3e, 2) & ~0x40);
    assert.deepEqual(partitionInfo(m, 'mem3'), [0, 2 * U, 0, 0]);
    assert.deepEqual([dev.volatileBytes, dev.persistentBytes], [0, 2 * U]);
    assert.equal(dev.volatileStore, null);
    assert.equal(dev.locate(0x100)!.partition, 'persistent');
    const b = new Uint8Array(4);
    media.read(0x100, b);
    assert.deepEqual([...b], [0, 0, 0, 0], 'partitionable media is zeroed by a repartition');
    assert.equal(media.poisonCount, 0);
    assert.deepEqual([dvsecRange(m, 'mem3', 1), dvsecRange(m, 'mem3', 2)], [2 * U, 0]);
    // Back to 1:1 through the host-side reset.
    assert.equal(setPartition(m, 'mem3', U), 0);
    m.resetDevice('mem3');
    assert.deepEqual(partitionInfo(m, 'mem3'), [U, U, 0, 0]);
    assert.deepEqual([dev.volatileBytes, dev.persistentBytes], [U, U]);
    assert.deepEqual([dvsecRange(m, 'mem3', 1), dvsecRange(m, 'mem3', 2)], [U, U]);
    // A decoder may not cross the new boundary (the HDM DPA checks use the live split).
    assert.throws(
      () =>
        m.createRegion({
          name: 'X',
          window: 'W0',
          ways: 2,
          granularity: 256,
          size: 1024 * MiB,
          memdevs: ['mem0', 'mem3'],
        }),
      /mem3/,
    );
  } finally {
    m.close();
  }
});

test('refused while an HDM decoder of the device is committed: old split kept, request pending, reason recorded; applies once decoders are gone', () => {
  const m = Machine.build(desc(), { arenaBytes: 512 * MiB });
  try {
    const dev = m.cxl.memdevs[3]!;
    m.createRegion({ name: 'R', window: 'W0', ways: 2, granularity: 256, size: 512 * MiB, memdevs: ['mem0', 'mem3'] });
    const hpa = m.translateDpa('mem3', 0x40).hpas[0]!.hpa;
    m.addressSpace.store(hpa, 4, 0x12345678);
    const storeBefore = dev.volatileStore;
    assert.equal(setPartition(m, 'mem3', 2 * U), 0);
    flr(m, 'mem3');
    assert.deepEqual(partitionInfo(m, 'mem3'), [U, U, 2 * U, 0], 'old split active, new one still pending');
    assert.match(m.deviceRegisters('mem3').state.partitionRefusal ?? '', /HDM decoder 0 is committed/);
    assert.deepEqual([dev.volatileBytes, dev.persistentBytes], [U, U]);
    assert.equal(dev.volatileStore, storeBefore);
    assert.equal(m.addressSpace.load(hpa, 4) >>> 0, 0x12345678, 'data behind the committed decoder intact');
    assert.equal(m.audit().ok, true);
    assert.deepEqual([dvsecRange(m, 'mem3', 1), dvsecRange(m, 'mem3', 2)], [U, U]);
    m.destroyRegion('R');
    m.resetDevice('mem3');
    assert.deepEqual(partitionInfo(m, 'mem3'), [2 * U, 0, 0, 0]);
    assert.equal(m.deviceRegisters('mem3').state.partitionRefusal, null);
    assert.equal(dev.volatileBytes, 2 * U);
  } finally {
    m.close();
  }
});

test('refused for a file-backed partition (the file keeps its size and contents)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-repart-'));
  try {
    const path = join(dir, 'pmem.img');
    writeFileSync(path, '');
    truncateSync(path, U);
    const m = Machine.build(desc({ size: '256M', file: { path } }), { arenaBytes: 512 * MiB });
    try {
      const dev = m.cxl.memdevs[3]!;
      assert.equal(setPartition(m, 'mem3', 2 * U), 0);
      m.resetDevice('mem3');
      assert.deepEqual(partitionInfo(m, 'mem3'), [U, U, 2 * U, 0]);
      assert.match(m.deviceRegisters('mem3').state.partitionRefusal ?? '', /file-backed/);
      assert.deepEqual([dev.volatileBytes, dev.persistentBytes], [U, U]);
    } finally {
      m.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
