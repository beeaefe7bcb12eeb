// CXL type-3 interrupts by MSI-X, driven the way Linux 6.12's cxl_pci does (drivers/cxl/pci.c
// cxl_alloc_irq_vectors, cxl_pci_setup_mailbox, cxl_event_config_msgnums, cxl_event_req_irq;
// drivers/pci/msi/msi.c msix_capability_init): Bus Master, MSI-X enabled with the function masked,
// table programmed through the BAR the capability names, entries unmasked; Set Event Interrupt
// Policy all four logs = MSI/MSI-X, Get to learn the message numbers (each < the vector count), the
// mailbox Interrupt Message Number for background completion. Event records injected through the
// host API are read back with Get Event Records against CXL r3.0 Tables 8-42 (header), 8-43
// (General Media) and 8-44 (DRAM), and Linux include/cxl/event.h's packed layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import type { DeviceRegisters } from '../../src/cxl/device-registers.js';
import { EventInjectError } from '../../src/cxl/errors.js';
import { DRAM_UUID, GENERAL_MEDIA_UUID } from '../../src/cxl/mailbox/event-records.js';
import { T3_MSIX } from '../../src/cxl/mailbox/types.js';
import { MEMDEV_REGS_OFFSET, type CxlEndpointPci } from '../../src/cxl/pci-functions.js';
import { mediaOf, PartitionMediaGuard, PoisonSource } from '../../src/cxl/poison.js';
import { reportPoisonedHpa } from '../../src/cxl/translate.js';
import { CapId, findCapability } from '../../src/pci/index.js';
import { HostMailbox, rd16, rd64 } from './mailbox-driver.js';

const MiB = 2 ** 20;
/** An IMSIC-like doorbell page (QEMU virt's S-level IMSIC base); the data is the interrupt identity. */
const MSG_BASE = 0x2800_0000;

interface Rig {
  m: Machine;
  ep: CxlEndpointPci;
  regs: DeviceRegisters;
  host: HostMailbox;
  cap: number;
  table: number;
  sent: { address: number; value: number }[];
  cfg: (off: number, size: 1 | 2 | 4, v?: number) => number;
}

function rig(): Rig {
  const m = Machine.build(
    {
      version: 1,
      ram: { size: '64M' },
      cpus: 1,
      cxl: {
        hostBridges: [
          {
            id: 'hb0',
            busNr: 16,
            rootPorts: [
              {
                id: 'rp0',
                port: 0,
                child: { kind: 'type3', id: 'mem0', volatile: { size: '256M' }, persistent: { size: '256M' } },
              },
            ],
          },
        ],
        windows: [
          { id: 'W0', base: '0x1_0000_0000', size: '1G', granularity: 256, arithmetic: 'modulo', targets: ['hb0'] },
        ],
        xorMaps: [],
      },
      state: { regions: [] },
    },
    { arenaBytes: 256 * MiB },
  );
  const ep = m.cxlPci.endpoints[0]!;
  const cs = ep.fn.config;
  const cfg = (off: number, size: 1 | 2 | 4, v?: number) => {
    if (v !== undefined) cs.write(off, size, v);
    return cs.read(off, size);
  };
  const bar = (i: number) => (cfg(0x10 + 4 * i, 4) & ~0xf) >>> 0;
  const bar0 = bar(0) + cfg(0x14, 4) * 2 ** 32;
  const cap = findCapability((o, s) => cs.read(o, s), CapId.MsiX);
  assert.notEqual(cap, 0, 'the endpoint lists an MSI-X capability');
  const tbl = cfg(cap + 4, 4);
  const table = bar(tbl & 7) + (tbl & ~7);
  const sent: Rig['sent'] = [];
  m.ecam.onMemoryWrite = (address, value) => sent.push({ address, value });
  const host = new HostMailbox(m.addressSpace, bar0 + MEMDEV_REGS_OFFSET);
  return { m, ep, regs: ep.memdevRegisters as DeviceRegisters, host, cap, table, sent, cfg };
}

/** pci_set_master + msix_capability_init + request_irq (unmask) for `nvec` vectors: entry v -> (MSG_BASE, 0x40 + v). */
function enableMsix(r: Rig, nvec: number): void {
  const as = r.m.addressSpace;
  r.cfg(0x04, 2, r.cfg(0x04, 2) | 0x4);
  r.cfg(r.cap + 2, 2, 0xc000); // Enable | Function Mask
  const size = (r.cfg(r.cap + 2, 2) & 0x7ff) + 1;
  for (let v = 0; v < size; v++) as.store(r.table + 16 * v + 12, 4, 1);
  for (let v = 0; v < nvec; v++) {
    as.store(r.table + 16 * v, 4, MSG_BASE);
    as.store(r.table + 16 * v + 4, 4, 0);
    as.store(r.table + 16 * v + 8, 4, 0x40 + v);
  }
  r.cfg(r.cap + 2, 2, 0x8000); // clear Function Mask
  for (let v = 0; v < nvec; v++) as.store(r.table + 16 * v + 12, 4, 0);
  assert.equal(as.fault, 0);
}

test('Linux flow: vectors allocated, Set/Get Event Interrupt Policy give msgnums < count, one message per injected record', () => {
  const r = rig();
  const size = (r.cfg(r.cap + 2, 2) & 0x7ff) + 1;
  assert.equal(size, T3_MSIX.count);
  // pci_alloc_irq_vectors(1, 16, MSIX | MSI) gets min(16, table size).
  const nvec = Math.min(16, size);
  enableMsix(r, nvec);
  // cxl_pci_setup_mailbox: the background-command vector.
  const caps = r.host.r32(r.host.mbox);
  assert.equal((caps >>> 6) & 1, 1, 'background command IRQ capable');
  const mboxMsg = (caps >>> 7) & 0xf;
  assert.ok(mboxMsg < nvec, 'mailbox message number names an allocated vector');
  r.host.w32(r.host.mbox + 4, r.host.r32(r.host.mbox + 4) | 4);
  // cxl_event_config_msgnums: Set (4 bytes, all MSI/MSI-X), then Get.
  assert.equal(r.host.send(0x0103, Uint8Array.from([1, 1, 1, 1])).rc, 0);
  const pol = r.host.send(0x0102);
  assert.equal(pol.rc, 0);
  const msgnums = [0, 1, 2, 3].map((i) => {
    assert.equal(pol.out[i]! & 3, 1, `log ${i} mode MSI/MSI-X`);
    return pol.out[i]! >>> 4;
  });
  assert.deepEqual(msgnums, [2, 3, 4, 5]);
  for (const n of msgnums) assert.ok(n < nvec);
  assert.equal(r.sent.length, 0, 'commands without the doorbell interrupt send nothing');
  // An injected failure record: exactly one message, to the failure log's entry.
  const h = r.regs.injectEvent('failure', 'generalMedia', { dpa: 0x1000, uncorrectable: true });
  assert.ok(h > 0);
  assert.deepEqual(r.sent, [{ address: MSG_BASE, value: 0x40 + msgnums[2]! }]);
  r.regs.injectEvent('info', 'dram', { dpa: 0x2000 });
  assert.deepEqual(r.sent[1], { address: MSG_BASE, value: 0x40 + msgnums[0]! });
  assert.equal(r.sent.length, 2);
  assert.equal(r.ep.fn.intxLevel, false, 'no INTx while MSI-X is enabled');
  // Device Status shows both logs; cxl_event_thread reads it and drains them.
  assert.equal(r.host.r32(r.host.devStatus) & 0xf, 0b0101);
});

test('background command completion sends the mailbox vector once (interrupt enabled)', () => {
  const r = rig();
  enableMsix(r, 8);
  const mboxMsg = (r.host.r32(r.host.mbox) >>> 7) & 0xf;
  r.host.w32(r.host.mbox + 4, r.host.r32(r.host.mbox + 4) | 4);
  // Scan Media over the first 64 MiB, no event log: background.
  const scan = new Uint8Array(0x11);
  new DataView(scan.buffer).setBigUint64(8, BigInt((64 * MiB) / 64), true);
  scan[0x10] = 1;
  assert.equal(r.host.send(0x4304, scan).rc, 1, 'Background Operation Started');
  assert.equal(r.sent.length, 0);
  let spins = 0;
  while (r.host.bgRunning()) {
    r.regs.tick();
    assert.ok(++spins < 100_000, 'scan never finished');
  }
  assert.deepEqual(r.sent, [{ address: MSG_BASE, value: 0x40 + mboxMsg }]);
  assert.equal(r.host.bgStatus().percent, 100);
  // With the interrupt disabled, the next completion sends nothing.
  r.host.w32(r.host.mbox + 4, r.host.r32(r.host.mbox + 4) & ~4);
  assert.equal(r.host.send(0x4304, scan).rc, 1);
  while (r.host.bgRunning()) r.regs.tick();
  assert.equal(r.sent.length, 1);
});

test('a masked event vector pends in the PBA and fires once on unmask; MSI-X disabled keeps INTx', () => {
  const r = rig();
  enableMsix(r, 8);
  assert.equal(r.host.send(0x0103, Uint8Array.from([0, 0, 1, 0])).rc, 0);
  const as = r.m.addressSpace;
  as.store(r.table + 16 * 4 + 12, 4, 1); // mask the failure vector
  r.regs.injectEvent('failure', 'generalMedia', { dpa: 0 });
  r.regs.injectEvent('failure', 'generalMedia', { dpa: 64 });
  r.regs.injectEvent('warning', 'generalMedia', { dpa: 128 }); // mode none: no interrupt
  assert.equal(r.sent.length, 0);
  const pba = r.table + 0x800;
  assert.equal(as.load(pba, 4) >>> 0, 1 << 4);
  as.store(r.table + 16 * 4 + 12, 4, 0);
  assert.deepEqual(r.sent, [{ address: MSG_BASE, value: 0x44 }]);
  assert.equal(as.load(pba, 4), 0);
  // MSI-X disabled: today's INTx behaviour (the latch, acknowledged by reading Device Status).
  r.cfg(r.cap + 2, 2, 0);
  r.regs.injectEvent('failure', 'generalMedia', { dpa: 192 });
  assert.equal(r.sent.length, 1);
  assert.equal(r.ep.fn.intxLevel, true);
  r.host.r32(r.host.devStatus);
  assert.equal(r.ep.fn.intxLevel, false);
});

/** Get Event Records of `log`: the records' bytes. */
function records(r: Rig, log: number): Uint8Array[] {
  const g = r.host.send(0x0100, Uint8Array.from([log]));
  assert.equal(g.rc, 0);
  const n = rd16(g.out, 0x14);
  return Array.from({ length: n }, (_, i) => g.out.slice(0x20 + 0x80 * i, 0x20 + 0x80 * (i + 1)));
}

const u24 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);

test('injected General Media record read back field by field (Tables 8-42, 8-43)', () => {
  const r = rig();
  assert.equal(r.host.send(0x0301, new Uint8Array(new BigUint64Array([1_700_000_000_000_000_000n]).buffer)).rc, 0);
  const comp = Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const handle = r.regs.injectEvent('warning', 'generalMedia', {
    dpa: 256 * MiB + 0x1240, // persistent partition
    severity: 'failure',
    permanent: true,
    hardwareReplacementNeeded: true,
    relatedHandle: 0x1234,
    maintenanceOperationClass: 7,
    uncorrectable: true,
    threshold: true,
    memoryEventType: 'dataPath',
    transactionType: 'hostWrite',
    channel: 3,
    device: 0xabcdef,
    componentId: comp,
  });
  const [rec] = records(r, 1);
  assert.ok(rec);
  assert.deepEqual([...rec.subarray(0, 16)], [...GENERAL_MEDIA_UUID], 'UUID fbcd0a77-...');
  assert.equal(rec[0x10], 0x80, 'length');
  assert.equal(rec[0x11]! & 3, 2, 'severity failure');
  assert.equal(rec[0x11]! & 0x3c, 0x04 | 0x20, 'permanent + hardware replacement needed');
  assert.equal(rec[0x12], 0);
  assert.equal(rd16(rec, 0x14), handle);
  assert.equal(rd16(rec, 0x16), 0x1234);
  assert.ok(rd64(rec, 0x18) >= 1_700_000_000_000_000_000, 'timestamp from Set Timestamp');
  assert.equal(rec[0x20], 7);
  assert.equal(rd64(rec, 0x30), 256 * MiB + 0x1240, 'DPA, bit 0 clear: persistent');
  assert.equal(rec[0x38], 0b011, 'uncorrectable + threshold');
  assert.equal(rec[0x39], 2, 'data path error');
  assert.equal(rec[0x3a], 2, 'host write');
  assert.equal(rd16(rec, 0x3b), 0b1101, 'validity: channel, device, component (rank not given)');
  assert.equal(rec[0x3d], 3);
  assert.equal(rec[0x3e], 0, 'rank not given');
  assert.equal(u24(rec, 0x3f), 0xabcdef);
  assert.deepEqual([...rec.subarray(0x42, 0x52)], comp, 'component identifier');
  assert.ok(
    rec.subarray(0x52).every((b) => b === 0),
    'reserved',
  );
});

test('injected DRAM record read back field by field (Table 8-44); volatile bit from the partition', () => {
  const r = rig();
  const mask = Array.from({ length: 32 }, (_, i) => i);
  r.regs.injectEvent('fatal', 'dram', {
    dpa: 0x40,
    notRepairable: true,
    poisonListOverflow: true,
    memoryEventType: 'scrubMediaEcc',
    transactionType: 'internalMediaScrub',
    channel: 1,
    rank: 2,
    nibbleMask: 0x123456,
    bankGroup: 5,
    bank: 6,
    row: 0x3ffff,
    column: 0x1ff,
    correctionMask: mask,
  });
  const [rec] = records(r, 3);
  assert.ok(rec);
  assert.deepEqual([...rec.subarray(0, 16)], [...DRAM_UUID], 'UUID 601dcbb3-...');
  assert.equal(rec[0x11]! & 3, 3, 'severity follows the log: fatal');
  assert.equal(rd64(rec, 0x30), 0x40 | 1 | 2, 'DPA | volatile | not repairable');
  assert.equal(rec[0x38], 4, 'poison list overflow');
  assert.equal(rec[0x39], 1, 'scrub media ECC error');
  assert.equal(rec[0x3a], 5, 'internal media scrub');
  assert.equal(rd16(rec, 0x3b), 0xff, 'every DRAM validity flag');
  assert.equal(rec[0x3d], 1);
  assert.equal(rec[0x3e], 2);
  assert.equal(u24(rec, 0x3f), 0x123456);
  assert.equal(rec[0x42], 5);
  assert.equal(rec[0x43], 6);
  assert.equal(u24(rec, 0x44), 0x3ffff);
  assert.equal(rd16(rec, 0x47), 0x1ff);
  assert.deepEqual([...rec.subarray(0x49, 0x69)], mask);
  assert.ok(
    rec.subarray(0x69).every((b) => b === 0),
    'reserved',
  );
});

test('bad injections are rejected with a code naming the argument and nothing is logged', () => {
  const r = rig();
  const cases: [() => unknown, string, string][] = [
    [() => r.regs.injectEvent('debug' as never, 'dram', { dpa: 0 }), 'unknown-log', 'log'],
    [() => r.regs.injectEvent(4 as never, 'dram', { dpa: 0 }), 'unknown-log', 'log'],
    [() => r.regs.injectEvent('info', 'memoryModule' as never, { dpa: 0 }), 'unknown-kind', 'kind'],
    [() => r.regs.injectEvent('info', 'dram', { dpa: 512 * MiB }), 'dpa-beyond-capacity', 'fields.dpa'],
    [() => r.regs.injectEvent('info', 'dram', { dpa: 0x41 }), 'dpa-unaligned', 'fields.dpa'],
    [() => r.regs.injectEvent('info', 'dram', { dpa: -64 }), 'bad-type', 'fields.dpa'],
    [() => r.regs.injectEvent('info', 'generalMedia', { dpa: 0, bank: 1 } as never), 'unknown-field', 'fields.bank'],
    [() => r.regs.injectEvent('info', 'dram', { dpa: 0, row: 2 ** 24 }), 'out-of-range', 'fields.row'],
    [() => r.regs.injectEvent('info', 'dram', { dpa: 0, channel: 256 }), 'out-of-range', 'fields.channel'],
    [
      () => r.regs.injectEvent('info', 'generalMedia', { dpa: 0, memoryEventType: 'scrubMediaEcc' }),
      'unknown-value',
      'fields.memoryEventType',
    ],
    [
      () => r.regs.injectEvent('info', 'dram', { dpa: 0, transactionType: 'hostPeek' as never }),
      'unknown-value',
      'fields.transactionType',
    ],
    [
      () => r.regs.injectEvent('info', 'dram', { dpa: 0, severity: 'bad' as never }),
      'unknown-value',
      'fields.severity',
    ],
    [() => r.regs.injectEvent('info', 'dram', { dpa: 0, correctionMask: [1, 2] }), 'bad-type', 'fields.correctionMask'],
    [() => r.regs.injectEvent('info', 'dram', { dpa: 0, permanent: 1 as never }), 'bad-type', 'fields.permanent'],
  ];
  for (const [fn, code, path] of cases) {
    assert.throws(
      fn,
      (e: unknown) => e instanceof EventInjectError && e.code === code && e.path === path && e.message.startsWith(path),
      `${code} at ${path}`,
    );
  }
  const msg = (() => {
    try {
      r.regs.injectEvent('info', 'dram', { dpa: 512 * MiB });
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  })();
  assert.match(msg, /fields\.dpa: 0x20000000 .*below the device capacity 0x20000000/);
  for (let log = 0; log < 4; log++) assert.equal(records(r, log).length, 0);
});

test('a poisoned read logs one General Media record (host read, uncorrectable ECC) per line per poisoning', () => {
  const r = rig();
  const media = mediaOf(r.ep.device);
  assert.equal(r.host.send(0x0103, Uint8Array.from([0, 0, 1, 0])).rc, 0);
  enableMsix(r, 8);
  media.inject(0x1000, PoisonSource.Injected);
  assert.equal(media.reportPoisonedRead(0x1010), true);
  assert.equal(media.reportPoisonedRead(0x1000), false, 'once per line');
  assert.equal(media.reportPoisonedRead(0x2000), false, 'clean line: nothing');
  // The memory side reports through the partition guard with store offsets (persistent: DPA base 256 MiB).
  media.inject(256 * MiB + 0x80, PoisonSource.Injected);
  new PartitionMediaGuard(media, 256 * MiB).poisonedLoad(0x40, 0x80); // lines 0x40 (clean) and 0x80
  let recs = records(r, 2);
  assert.equal(recs.length, 2);
  const [a, b] = recs as [Uint8Array, Uint8Array];
  assert.deepEqual([...a.subarray(0, 16)], [...GENERAL_MEDIA_UUID]);
  assert.equal(a[0x11]! & 3, 2, 'failure');
  assert.equal(rd64(a, 0x30), 0x1000 | 1, 'the line, volatile');
  assert.equal(a[0x38], 1, 'uncorrectable');
  assert.equal(a[0x39], 0, 'media ECC error');
  assert.equal(a[0x3a], 1, 'host read');
  assert.equal(rd64(b, 0x30), 256 * MiB + 0x80, 'persistent line');
  assert.equal(r.sent.length, 2, 'each record interrupts the failure vector');
  // Cleared and poisoned again: a new poisoning reports again.
  media.clearLine(0x1000);
  media.inject(0x1000, PoisonSource.Injected);
  assert.equal(media.reportPoisonedRead(0x1000), true);
  recs = records(r, 2);
  assert.equal(recs.length, 3);
});

test('reportPoisonedHpa: a faulting HPA in a committed region routes to the device line once', () => {
  const r = rig();
  const base = 0x1_0000_0000;
  r.m.createRegion({ window: 'W0', memdevs: ['mem0'], size: 256 * MiB, mode: 'ram' });
  const media = mediaOf(r.ep.device);
  media.inject(0x3000, PoisonSource.Injected);
  assert.equal(r.m.addressSpace.load(base + 0x3008, 8), 0);
  assert.notEqual(r.m.addressSpace.fault, 0, 'the load faults on poison');
  // The faulting load already reported the line (the address space calls the guard's poisonedLoad).
  assert.equal(reportPoisonedHpa(r.m.cxl, base + 0x3008), false, 'reported by the load itself');
  assert.equal(reportPoisonedHpa(r.m.cxl, base + 0x3010), false, 'same line again');
  media.inject(0x5000, PoisonSource.Injected);
  assert.equal(reportPoisonedHpa(r.m.cxl, base + 0x5000), true, 'a poisoned line no load touched yet');
  assert.equal(reportPoisonedHpa(r.m.cxl, base + 0x4000), false, 'clean line');
  assert.equal(reportPoisonedHpa(r.m.cxl, 0x9000_0000), false, 'not a window');
  const recs = records(r, 2);
  assert.deepEqual(
    recs.map((x) => rd64(x, 0x30)),
    [0x3000 | 1, 0x5000 | 1],
  );
});
