// The machine's wiring of the memory-device mailboxes (docs/mailbox.md "Machine wiring"): the
// board's mtime is the mailboxes' clock and the run loop ticks them, so a background completion
// interrupt reaches the PLIC without the guest touching the device; poison changes flush routes;
// a device reset applies a pending repartition, and a saved description carries the split.
// Oracles: the PLIC pending register (QEMU virt INTx map, source 32 for mem2); Get Partition Info
// (SPEC-NOTES 2.5) before and after reset; the duration rule of docs/mailbox.md (>= 1 ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { boardOptionsForMachine, createBoard, runBoard } from '../../src/machine/board.js';
import { PLIC_BASE } from '../../src/machine/board-map.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { DeviceRegisters, mediaOf, sendMailboxCommand, decodeMailboxOutput } from '../../src/cxl/index.js';

const MiB = 2 ** 20;
const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const emptyState = () => ({ ...(defaultDescriptionInput() as object), state: { regions: [] } });

test('src/cxl exports DeviceRegisters and mediaOf; the machine builds one per endpoint', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
  try {
    assert.ok(m.deviceRegisters('mem2') instanceof DeviceRegisters);
    assert.equal(m.allDeviceRegisters.length, 4);
    assert.equal(mediaOf(m.cxl.memdevs[2]!).mediaDisabled, false);
    assert.throws(() => m.deviceRegisters('mem9'), /mem9/);
  } finally {
    m.close();
  }
});

test('board: Scan Media completes on mtime and its interrupt reaches the PLIC with no guest access', async () => {
  const m = Machine.build(emptyState(), { arenaBytes: 256 * MiB });
  try {
    const board = createBoard(boardOptionsForMachine(m));
    board.loadKernel(Uint8Array.from([0x6f, 0, 0, 0])); // j .
    const regs = m.deviceRegisters('mem2');
    regs.write(0x1004, 4, 1 << 2); // background-done IRQ enable
    const r = sendMailboxCommand(regs, 0x4304, cat(u64(0), u64(4096 / 64), Uint8Array.of(0)));
    assert.equal(r.rc, 1, 'Background Operation Started');
    const pending = () => board.addressSpace.load(PLIC_BASE + 0x1000 + 4, 4) & 1; // source 32
    assert.equal(pending(), 0);
    // With mtime frozen (no instructions), nothing completes however often it is ticked.
    for (let i = 0; i < 100; i++) board.afterSliceDevices();
    assert.equal(pending(), 0);
    // 1 ms at 10 MHz = 10^4 ticks = 10^5 instructions; run 3 x 10^5 in short slices.
    await runBoard(board, { maxInstructions: 300_000, sliceInstructions: 20_000 });
    assert.equal(pending(), 1, 'background completion raised INTx');
    assert.ok(board.clint.mtime() >= 10_000);
  } finally {
    m.close();
  }
});

test('poison changes flush the routes of windows reaching the device (connectMediaInvalidation)', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
  try {
    const calls: number[] = [];
    const orig = m.addressSpace.invalidateRoutes.bind(m.addressSpace);
    m.addressSpace.invalidateRoutes = (base: number, size: number) => {
      calls.push(base);
      return orig(base, size);
    };
    const r = sendMailboxCommand(m.deviceRegisters('mem2'), 0x4301, u64(0x1000));
    assert.equal(r.rc, 0);
    assert.deepEqual([...new Set(calls)].sort(), [0x1_0000_0000, 0x2_0000_0000]);
  } finally {
    m.close();
  }
});

test('repartition: pending until reset; resetDevice (FLR path) applies it; describe() carries the split', () => {
  const m = Machine.build(emptyState(), { arenaBytes: 256 * MiB });
  try {
    const regs = m.deviceRegisters('mem2');
    assert.equal(sendMailboxCommand(regs, 0x4101, cat(u64(1), Uint8Array.of(0))).rc, 0);
    const before = decodeMailboxOutput(0x4100, sendMailboxCommand(regs, 0x4100).out)!;
    assert.deepEqual(before, {
      activeVolatileBytes: 512 * MiB,
      activePersistentBytes: 0,
      nextVolatileBytes: 256 * MiB,
      nextPersistentBytes: 256 * MiB,
    });
    // A saved description already carries the pending split (a rebuild is the reset that applies it).
    const d = m.describe() as unknown as {
      cxl: {
        hostBridges: { rootPorts: { child?: { volatile?: { size: number }; persistent?: { size: number } } }[] }[];
      };
    };
    const mem2 = d.cxl.hostBridges[1]!.rootPorts[0]!.child!;
    assert.deepEqual([mem2.volatile?.size, mem2.persistent?.size], [256 * MiB, 256 * MiB]);
    m.resetDevice('mem2');
    const after = decodeMailboxOutput(0x4100, sendMailboxCommand(regs, 0x4100).out)!;
    assert.deepEqual(after, {
      activeVolatileBytes: 256 * MiB,
      activePersistentBytes: 256 * MiB,
      nextVolatileBytes: 0,
      nextPersistentBytes: 0,
    });
    // Rebuilt from the saved description: the device has the new split from the start.
    const m2 = Machine.build(m.describe(), { arenaBytes: 256 * MiB });
    try {
      const dev = m2.cxl.memdevs[2]!;
      assert.deepEqual([dev.volatileBytes, dev.persistentBytes], [256 * MiB, 256 * MiB]);
      const p = decodeMailboxOutput(0x4100, sendMailboxCommand(m2.deviceRegisters('mem2'), 0x4100).out)!;
      assert.equal(p.activeVolatileBytes, 256 * MiB);
    } finally {
      m2.close();
    }
  } finally {
    m.close();
  }
});

test('repartition under a firmware region that needs the old split: the rebuild fails naming the region', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
  try {
    // R0 and R1 each take 256 MiB of mem2's volatile partition; 0 volatile leaves no room.
    assert.equal(sendMailboxCommand(m.deviceRegisters('mem2'), 0x4101, cat(u64(0), Uint8Array.of(0))).rc, 0);
    assert.throws(() => Machine.build(m.describe(), { arenaBytes: 256 * MiB }), /state\.regions\[0\]/);
  } finally {
    m.close();
  }
});
