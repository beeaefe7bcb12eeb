// Mailbox commands, happy paths with payload contents checked, driven through the register block
// as Linux does. Oracles: SPEC-NOTES 2.4/2.5 payload layouts (CXL r3.x §8.2.9; Linux cxlmem.h
// structs), the device's own stores (LSA, media) and its TopologySpec sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAILBOX_COMMANDS, CEL_UUID, EventLog } from '../../src/cxl/mailbox/index.js';
import { mediaOf } from '../../src/cxl/poison.js';
import { rig, le64, cat, rd16, rd32, rd64 } from './mailbox-driver.js';
import { SZ_256M } from './fixtures.js';

const U = SZ_256M;

test('Identify Memory Device: sizes, LSA size, poison limits match the device', () => {
  const { host, topo } = rig();
  const r = host.send(0x4000);
  assert.equal(r.rc, 0);
  const m = topo.memdevs[0]!;
  assert.equal(new TextDecoder().decode(r.out.subarray(0, 12)), 'cxlemu-0.1.0');
  assert.equal(rd64(r.out, 0x10), m.capacity / U);
  assert.equal(rd64(r.out, 0x18), 0);
  assert.equal(rd64(r.out, 0x20), 0);
  assert.equal(rd64(r.out, 0x28), 1);
  assert.equal(rd32(r.out, 0x38), 128 * 1024);
  assert.equal(r.out[0x3c]! | (r.out[0x3d]! << 8) | (r.out[0x3e]! << 16), 256);
  assert.equal(rd16(r.out, 0x3f), 256);
  assert.equal(r.out[0x41]! & 2, 2);
});

test('Get Supported Logs and Get Log: the CEL lists exactly the implemented opcodes', () => {
  const { host } = rig();
  const s = host.send(0x0400);
  assert.equal(s.rc, 0);
  assert.equal(rd16(s.out, 0), 1);
  assert.deepEqual([...s.out.subarray(8, 24)], [...CEL_UUID]);
  const size = rd32(s.out, 24);
  assert.equal(size, 4 * MAILBOX_COMMANDS.length);
  const chunks: Uint8Array[] = [];
  for (let off = 0; off < size; off += 16) {
    const g = host.send(0x0401, cat(CEL_UUID, new Uint8Array(new Uint32Array([off, Math.min(16, size - off)]).buffer)));
    assert.equal(g.rc, 0);
    chunks.push(g.out);
  }
  const cel = cat(...chunks);
  const ops = [];
  for (let i = 0; i < cel.length; i += 4) ops.push(rd16(cel, i));
  const expected = [
    0x0005, 0x0100, 0x0101, 0x0102, 0x0103, 0x0200, 0x0300, 0x0301, 0x0400, 0x0401, 0x4000, 0x4100, 0x4101, 0x4102,
    0x4103, 0x4200, 0x4201, 0x4202, 0x4300, 0x4301, 0x4302, 0x4303, 0x4304, 0x4305, 0x4400, 0x4401,
  ];
  assert.deepEqual(ops, expected);
  // Every listed opcode answers something other than Unsupported; a sample of others are Unsupported.
  for (const op of [0x0001, 0x0002, 0x0201, 0x0500, 0x4500, 0x4800])
    assert.equal(host.send(op).rc, 3, `0x${op.toString(16)}`);
  // Background commands carry effect bit 6.
  for (let i = 0; i < cel.length; i += 4) {
    const bg = [0x4304, 0x4400, 0x4401].includes(rd16(cel, i));
    assert.equal((rd16(cel, i + 2) >> 6) & 1, bg ? 1 : 0);
  }
});

test('Get/Set LSA round trip persists to the LSA store', () => {
  const { host, topo } = rig();
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff);
  const set = host.send(0x4103, cat(new Uint8Array(new Uint32Array([0x1000, 0]).buffer), data));
  assert.equal(set.rc, 0);
  const back = new Uint8Array(300);
  topo.memdevs[0]!.lsaStore!.read(0x1000, back);
  assert.deepEqual(back, data);
  const get = host.send(0x4102, new Uint8Array(new Uint32Array([0x1000, 300]).buffer));
  assert.equal(get.rc, 0);
  assert.deepEqual(get.out, data);
  // The last bytes of the LSA are reachable; one past is not.
  assert.equal(host.send(0x4102, new Uint8Array(new Uint32Array([128 * 1024 - 4, 4]).buffer)).rc, 0);
  assert.equal(host.send(0x4102, new Uint8Array(new Uint32Array([128 * 1024 - 4, 5]).buffer)).rc, 2);
});

test('poison: inject -> list -> load check -> clear (writes the data) -> list empty', () => {
  const { host, topo } = rig();
  const dev = topo.memdevs[0]!;
  const media = mediaOf(dev);
  const changes: string[] = [];
  media.onMediaChange((_d, c) => changes.push(`${c.kind}@${c.dpa}`));
  const dpa = U + 0x4040; // in the persistent partition
  assert.equal(host.send(0x4301, le64(dpa)).rc, 0);
  assert.equal(host.send(0x4301, le64(dpa + 64)).rc, 0);
  assert.equal(host.send(0x4301, le64(dpa)).rc, 0); // already poisoned: success
  assert.ok(media.isPoisoned(dpa + 63));
  assert.ok(media.isPoisoned(dpa + 64));
  assert.ok(!media.isPoisoned(dpa + 128));
  assert.ok(media.pageHasPoison(dpa - 0x40));
  const list = host.send(0x4300, le64(0, dev.capacity / 64));
  assert.equal(list.rc, 0);
  assert.equal(rd16(list.out, 0xa), 1); // adjacent lines of one source merge
  assert.equal(rd64(list.out, 0x20), dpa + 3); // source 3 = injected
  assert.equal(rd32(list.out, 0x28), 2);
  const data = Uint8Array.from({ length: 64 }, (_, i) => 0xa0 + i);
  assert.equal(host.send(0x4302, cat(le64(dpa), data)).rc, 0);
  assert.ok(!media.isPoisoned(dpa));
  const back = new Uint8Array(64);
  dev.persistentStore!.read(0x4040, back);
  assert.deepEqual(back, data);
  const l2 = host.send(0x4300, le64(0, dev.capacity / 64));
  assert.equal(rd16(l2.out, 0xa), 1);
  // An empty range (Linux asks for the unmapped rest of a fully mapped partition): no records.
  const empty = host.send(0x4300, le64(dev.capacity, 0));
  assert.equal(empty.rc, 0);
  assert.equal(rd16(empty.out, 0xa), 0);
  assert.equal(host.send(0x4300, le64(dev.capacity + 64, 0)).rc, 0xf, 'past the end: Invalid Physical Address');
  assert.equal(rd64(l2.out, 0x20), dpa + 64 + 3);
  assert.deepEqual(changes.slice(0, 3), [`poison@${dpa}`, `poison@${dpa + 64}`, `data@${dpa}`]);
});

test('poison list longer than one payload: More flag and continuation', () => {
  const { host } = rig();
  for (let i = 0; i < 200; i++) assert.equal(host.send(0x4301, le64(i * 128)).rc, 0);
  const q = le64(0, 1 << 20);
  const a = host.send(0x4300, q);
  assert.equal(a.out[0]! & 1, 1);
  const n1 = rd16(a.out, 0xa);
  assert.equal(n1, (2048 - 32) / 16);
  const b = host.send(0x4300, q);
  assert.equal(b.out[0]! & 1, 0);
  assert.equal(n1 + rd16(b.out, 0xa), 200);
  assert.equal(rd64(b.out, 0x20), n1 * 128 + 3);
  for (let i = 200; i < 256; i++) host.send(0x4301, le64(i * 128));
  assert.equal(host.send(0x4301, le64(256 * 128)).rc, 0x10);
});

test('sanitize: media disabled with progress, then zeroed, poison and events cleared', () => {
  const { host, topo, clock, regs } = rig({ manualClock: true });
  const dev = topo.memdevs[0]!;
  const other = topo.memdevs[1]!;
  dev.volatileStore!.writeU32(0x1000, 0xdeadbeef);
  dev.persistentStore!.writeU32(0x2000, 0xcafef00d);
  dev.lsaStore!.writeU32(0, 0x12345678);
  other.persistentStore!.writeU32(0x1000, 0x55aa55aa);
  host.send(0x4301, le64(0x40));
  regs.state.addEvent(EventLog.Info, new Uint8Array(0x80));
  assert.equal(host.send(0x4400).rc, 1);
  assert.equal(host.mediaStatus(), 3);
  assert.equal(host.send(0x4300, le64(0, 1)).rc, 7);
  assert.equal(host.send(0x4102, new Uint8Array(8)).rc, 7);
  assert.equal(host.send(0x4400).rc, 6);
  assert.equal(host.send(0x4000).rc, 0); // identify still answers
  clock.ns = 67_108_864n; // half of 512 MiB at 4 B/ns (134 ms)
  assert.equal(host.bgStatus().percent, 50);
  assert.equal(dev.volatileStore!.readU32(0x1000), 0xdeadbeef);
  clock.ns = 1n << 40n;
  assert.deepEqual(host.bgStatus(), { opcode: 0x4400, percent: 100, rc: 0 });
  assert.equal(host.mediaStatus(), 1);
  assert.equal(dev.volatileStore!.readU32(0x1000), 0);
  assert.equal(dev.persistentStore!.readU32(0x2000), 0);
  assert.equal(dev.lsaStore!.readU32(0), 0);
  assert.equal(other.persistentStore!.readU32(0x1000), 0x55aa55aa);
  assert.equal(mediaOf(dev).poisonCount, 0);
  assert.equal(host.r32(host.devStatus) & 0xf, 0);
});

test('secure erase zeroes media but keeps the LSA; a reset mid-sanitize keeps media disabled until a sanitize completes', () => {
  const { host, topo, clock, regs } = rig({ manualClock: true });
  const dev = topo.memdevs[0]!;
  dev.volatileStore!.writeU32(0, 7);
  dev.lsaStore!.writeU32(0, 9);
  assert.equal(host.send(0x4401).rc, 1);
  clock.ns = 1n << 40n;
  assert.equal(host.bgStatus().percent, 100);
  assert.equal(dev.volatileStore!.readU32(0), 0);
  assert.equal(dev.lsaStore!.readU32(0), 9);
  assert.equal(host.send(0x4400).rc, 1);
  regs.reset();
  assert.equal(host.mediaStatus(), 3);
  assert.equal(host.send(0x4102, new Uint8Array(8)).rc, 7);
  assert.equal(host.send(0x4400).rc, 1);
  clock.ns = 1n << 41n;
  assert.equal(host.mediaStatus(), 1);
  assert.equal(host.send(0x4102, new Uint8Array(8)).rc, 0);
});

test('partition change shows in the next-state fields and applies on reset', () => {
  const { host, regs } = rig();
  const info = () => {
    const r = host.send(0x4100);
    assert.equal(r.rc, 0);
    return [0, 8, 16, 24].map((o) => rd64(r.out, o));
  };
  assert.deepEqual(info(), [1, 1, 0, 0]);
  assert.equal(host.send(0x4101, cat(le64(2), [0])).rc, 0);
  assert.deepEqual(info(), [1, 1, 2, 0]);
  const seen: string[] = [];
  regs.media.onMediaChange((_d, c) => seen.push(c.kind));
  regs.reset();
  assert.deepEqual(info(), [2, 0, 0, 0]);
  assert.deepEqual(seen, ['partition']);
  assert.equal(regs.state.activeVolatile, 2 * U);
});

test('health info, alert configuration, timestamp, FW info, event records and policy', () => {
  const { host, regs, clock } = rig({ manualClock: true });
  const h = host.send(0x4200);
  assert.equal(h.rc, 0);
  assert.equal(h.out.length, 0x12);
  assert.equal(rd16(h.out, 4), 35);
  assert.equal(host.send(0x4202, Uint8Array.from([0x03, 0x03, 50, 0, 80, 0, 0, 0, 0, 0, 0, 0])).rc, 0);
  const a = host.send(0x4201);
  assert.equal(a.out[0], 3);
  assert.equal(a.out[1], 0x1f);
  assert.equal(a.out[3], 50);
  assert.equal(rd16(a.out, 8), 80);
  assert.equal(rd64(host.send(0x0300).out, 0), 0);
  assert.equal(host.send(0x0301, le64(1_700_000_000_000_000_000n)).rc, 0);
  clock.ns += 1000n;
  assert.equal(
    BigInt.asUintN(64, new DataView(host.send(0x0300).out.buffer).getBigUint64(0, true)),
    1_700_000_000_000_001_000n,
  );
  const fw = host.send(0x0200);
  assert.equal(fw.out.length, 0x50);
  assert.equal(fw.out[0], 2);
  assert.equal(fw.out[1]! & 7, 1);
  // Events: policy MSI on the warning log -> adding a record raises the INTx latch.
  assert.equal(host.send(0x0103, Uint8Array.from([0, 1, 0, 0])).rc, 0);
  // Get reports the mode and the vector the device chose for the log ([7:4]: warning = 3, T3_MSIX).
  assert.deepEqual([...host.send(0x0102).out], [0, 0x31, 0, 0, 0]);
  const rec = new Uint8Array(0x80);
  rec[0x30] = 0x42;
  const h1 = regs.state.addEvent(EventLog.Warning, rec);
  const h2 = regs.state.addEvent(EventLog.Warning, rec);
  assert.equal(host.r32(host.devStatus) & 0xf, 2);
  const g = host.send(0x0100, Uint8Array.from([1]));
  assert.equal(rd16(g.out, 0x14), 2);
  assert.equal(rd16(g.out, 0x20 + 0x14), h1);
  assert.equal(g.out[0x20 + 0x30], 0x42);
  assert.equal(g.out[0x20 + 0x10], 0x80);
  assert.equal(host.send(0x0101, Uint8Array.from([1, 0, 1, 0, 0, 0, h2 & 0xff, h2 >> 8])).rc, 0);
  assert.equal(rd16(host.send(0x0100, Uint8Array.from([1])).out, 0x14), 1);
  assert.equal(host.send(0x0101, Uint8Array.from([1, 0, 1, 0, 0, 0, h2 & 0xff, h2 >> 8])).rc, 0xe);
  assert.equal(host.send(0x0101, Uint8Array.from([1, 1, 0, 0, 0, 0])).rc, 0);
  assert.equal(host.r32(host.devStatus) & 0xf, 0);
});

test('scan media: background, results list the poisoned lines in range; abort', () => {
  const { host, clock } = rig({ manualClock: true });
  host.send(0x4301, le64(0x100));
  host.send(0x4301, le64(0x8000));
  const caps = host.send(0x4303, le64(0, 0x1000 / 64));
  assert.equal(caps.rc, 0);
  assert.equal(rd32(caps.out, 0), 1);
  assert.equal(host.send(0x4305).rc, 3); // no scan yet (QEMU: Unsupported)
  assert.equal(host.send(0x4304, cat(le64(0, 0x1000 / 64), [0])).rc, 1);
  assert.equal(host.send(0x4305).rc, 6);
  assert.equal(host.send(0x4300, le64(0, 1)).out[0]! & 4, 4); // scan in progress flag
  clock.ns = 10_000_000n;
  const res = host.send(0x4305);
  assert.equal(res.rc, 0);
  assert.equal(rd16(res.out, 0x12), 1);
  assert.equal(rd64(res.out, 0x20), 0x100 + 3);
  // The scan logged one General Media Event (failure log) for the error it found.
  const ev = host.send(0x0100, Uint8Array.from([2]));
  assert.equal(rd16(ev.out, 0x14), 1);
  assert.deepEqual([...ev.out.subarray(0x20, 0x24)], [0xfb, 0xcd, 0x0a, 0x77]);
  assert.equal(rd64(ev.out, 0x20 + 0x30), 0x100 + 1); // volatile partition
  assert.equal(ev.out[0x20 + 0x3a], 3);
  // Abort: a long scan stops with return code Aborted.
  assert.equal(host.send(0x4304, cat(le64(0, 2 ** 29 / 64), [0])).rc, 1);
  clock.ns += 1_000_000n;
  assert.equal(host.send(0x0005).rc, 0);
  assert.equal(host.bgStatus().rc, 0x12);
  assert.equal(host.bgRunning(), false);
});

test('coherence: device-internal writes invalidate code pages; poison and media-state changes flush the windows', async () => {
  const { connectMediaInvalidation } = await import('../../src/cxl/poison.js');
  const { host, topo, arena, as, clock } = rig({ manualClock: true });
  const dev = topo.memdevs[0]!;
  dev.volatileStore!.writeU32(0x3000, 1);
  dev.persistentStore!.writeU32(0x40, 1);
  const codePage = Math.floor(dev.volatileStore!.arenaOffset(0x3000) / 4096);
  const codePage2 = Math.floor(dev.persistentStore!.arenaOffset(0x40) / 4096);
  arena.codePages.mark(codePage);
  arena.codePages.mark(codePage2);
  const invalidated: number[] = [];
  arena.codePages.onInvalidate((p) => invalidated.push(p));
  const flushed: string[] = [];
  as.onChange((ranges) => ranges.forEach((r) => flushed.push(`${r.base.toString(16)}+${r.size.toString(16)}`)));
  const off = connectMediaInvalidation(topo);
  // Clear Poison writes its 64 bytes through the store: the code page over them is invalidated.
  assert.equal(host.send(0x4302, cat(le64(SZ_256M + 0x40), new Uint8Array(64).fill(9))).rc, 0);
  assert.deepEqual(invalidated, [codePage2]);
  assert.deepEqual(flushed, [], 'a data change needs no TLB flush');
  host.send(0x4301, le64(0x3000));
  const w = topo.windows[0]!;
  assert.deepEqual(flushed, [`${w.base.toString(16)}+${w.size.toString(16)}`]);
  // Sanitize: media-state off and on, poison cleared, and the zeroing invalidates the code page.
  flushed.length = 0;
  host.send(0x4400);
  clock.ns = 1n << 40n;
  host.bgStatus();
  assert.deepEqual(invalidated, [codePage2, codePage]);
  assert.equal(flushed.length, 3);
  off();
  host.send(0x4301, le64(0x3000));
  assert.equal(flushed.length, 3);
});

test('Set LSA on a file-backed LSA persists across a rebuild of the machine', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { Arena } = await import('../../src/memory/arena.js');
  const { AddressSpace } = await import('../../src/memory/address-space.js');
  const { CxlTopology } = await import('../../src/cxl/index.js');
  const { DeviceRegisters, DEVICE_REGS_SIZE } = await import('../../src/cxl/device-registers.js');
  const { HostMailbox, REGS_BASE } = await import('./mailbox-driver.js');
  const { hb, mem, win, WBASE, GiB } = await import('./fixtures.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cxlemu-lsa-'));
  const lsaFile = { path: path.join(dir, 'lsa.bin'), share: false };
  fs.writeFileSync(lsaFile.path, Buffer.alloc(64 * 1024));
  const arena = new Arena({ bytes: 32 * 2 ** 20 });
  const boot = () => {
    const as = new AddressSpace(arena);
    const topo = CxlTopology.build(
      {
        hostBridges: [hb('hb0', 0, [mem('mem0', { lsaBytes: 64 * 1024, lsaFile })])],
        windows: [win('w0', WBASE, GiB, ['hb0'])],
        xorMaps: [],
      },
      arena,
      as,
    );
    as.begin();
    as.mmio('regs', REGS_BASE, DEVICE_REGS_SIZE, new DeviceRegisters(topo.memdevs[0]!));
    as.commit();
    return { topo, host: new HostMailbox(as, REGS_BASE) };
  };
  try {
    const a = boot();
    const label = Uint8Array.from({ length: 256 }, (_, i) => i ^ 0x5a);
    assert.equal(a.host.send(0x4103, cat(new Uint8Array(new Uint32Array([0x800, 0]).buffer), label)).rc, 0);
    // On the file already (Set LSA flushes), before any close().
    assert.deepEqual(new Uint8Array(fs.readFileSync(lsaFile.path).subarray(0x800, 0x900)), label);
    a.topo.close();
    const b = boot();
    const g = b.host.send(0x4102, new Uint8Array(new Uint32Array([0x800, 256]).buffer));
    assert.equal(g.rc, 0);
    assert.deepEqual(g.out, label);
    b.topo.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('sanitize of file-backed media larger than the arena fails with Internal Error and keeps the media disabled', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { Arena } = await import('../../src/memory/arena.js');
  const { CxlTopology } = await import('../../src/cxl/index.js');
  const { DeviceRegisters } = await import('../../src/cxl/device-registers.js');
  const { hb, mem, win, WBASE, GiB } = await import('./fixtures.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cxlemu-san-'));
  const file = path.join(dir, 'pmem.bin');
  fs.writeFileSync(file, '');
  fs.truncateSync(file, SZ_256M);
  try {
    const arena = new Arena({ bytes: 8 * 2 ** 20 });
    const topo = CxlTopology.build(
      {
        hostBridges: [hb('hb0', 0, [mem('mem0', { persistentFile: { path: file, share: false } })])],
        windows: [win('w0', WBASE, GiB, ['hb0'])],
        xorMaps: [],
      },
      arena,
      null,
    );
    let t = 0n;
    const regs = new DeviceRegisters(topo.memdevs[0]!, { now: () => t });
    const mb = 0x1000;
    regs.write(mb + 8, 4, 0x4400);
    regs.write(mb + 0xc, 4, 0);
    regs.write(mb + 4, 4, 1);
    assert.equal(regs.read(mb + 0x14, 4) & 0xffff, 1);
    t = 1n << 40n;
    regs.tick();
    const bg = regs.read(mb + 0x18, 4);
    assert.equal((bg >>> 16) & 0x7f, 100);
    assert.equal(regs.read(mb + 0x1c, 4) & 0xffff, 4);
    assert.equal((regs.read(0x180, 4) >>> 2) & 3, 3, 'media stays disabled');
    (topo.memdevs[0]!.persistentStore as unknown as { closeDiscardingDirty(): void }).closeDiscardingDirty();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
