// The DMA copy engine (src/devices/dma-engine.ts). Oracles: the CXL layer's own HPA -> (memdev,
// DPA) translation (m.translateHpa, checked elsewhere against the spec and the simple decoder) for
// where copied bytes must land in device stores; the address space's AccessFault values for the
// error cases; the arena's code-page bitmap for invalidation; dtc for the device-tree node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessFault } from '../../src/memory/index.js';
import { DmaEngine, DmaReg, DmaStatus, DmaControl, DMA_ID, DMA_IRQ, DMA_SIZE } from '../../src/devices/dma-engine.js';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { boardOptionsForMachine, createBoard } from '../../src/machine/board.js';
import { DMA_BASE } from '../../src/machine/board-map.js';

const RAM = 0x8000_0000;
const R0 = 0x1_0000_0000; // default machine: 4-way, 256 B over mem0..mem3
const R1 = 0x2_0000_0000; // default machine: XOR window, 2-way

function machine(): Machine {
  return Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * 2 ** 20 });
}

/** An engine mapped at DMA_BASE on the machine's bus, driven through bus accesses as a guest would. */
function withEngine(m: Machine, irq?: (level: boolean) => void) {
  const space = m.addressSpace;
  const dma = new DmaEngine({ bus: space, ...(irq ? { irq } : {}) });
  space.mmio('dma', DMA_BASE, DMA_SIZE, dma);
  const w = (reg: number, v: number) => assert.equal(space.store(DMA_BASE + reg, 4, v), AccessFault.None);
  const r = (reg: number) => space.load(DMA_BASE + reg, 4);
  const copy = (src: number, dst: number, len: number, ctrl: number = DmaControl.Go) => {
    // 64-bit register writes, as a guest's sd does (the bus splits them low word first).
    assert.equal(space.store(DMA_BASE + DmaReg.SrcLo, 8, src % 2 ** 32, Math.floor(src / 2 ** 32)), AccessFault.None);
    assert.equal(space.store(DMA_BASE + DmaReg.DstLo, 8, dst % 2 ** 32, Math.floor(dst / 2 ** 32)), AccessFault.None);
    w(DmaReg.Len, len);
    w(DmaReg.Control, ctrl);
    assert.equal(space.fault, AccessFault.None, 'the GO write itself never faults');
    return r(DmaReg.Status);
  };
  return { space, dma, w, r, copy };
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Every byte of [hpa, hpa+len) sits in the memdev store and DPA the CXL layer's translation names. */
function assertPlacedPerSpec(m: Machine, hpa: number, expect: Uint8Array): void {
  for (let i = 0; i < expect.length; i += 97) {
    const t = m.translateHpa(hpa + i);
    assert.ok(t.ok, `HPA 0x${(hpa + i).toString(16)} translates`);
    const dev = m.cxl.memdev(t.value.memdev)!;
    const loc = dev.locate(t.value.dpa)!;
    assert.equal(
      loc.store.readU8(loc.offset),
      expect[i],
      `byte ${i} at ${t.value.memdev} DPA 0x${t.value.dpa.toString(16)}`,
    );
  }
}

test('ID, register read-back (64-bit halves above 4 GiB), reset status', () => {
  const m = machine();
  const { r, w, space } = withEngine(m);
  assert.equal(r(DmaReg.Id), DMA_ID);
  assert.equal(space.store(DMA_BASE + DmaReg.SrcLo, 8, 0x9abc_def0, 0x000f_1234), AccessFault.None);
  assert.equal(space.readU64(DMA_BASE + DmaReg.SrcLo), 0x000f_1234_9abc_def0n);
  w(DmaReg.DstHi, 0x2);
  w(DmaReg.DstLo, 0x100);
  assert.equal(space.readU64(DMA_BASE + DmaReg.DstLo), 0x2_0000_0100n);
  assert.equal(r(DmaReg.Status), 0);
  assert.equal(space.load(DMA_BASE + DmaReg.Id, 1), 0, '1-byte access: BadSize');
  assert.equal(space.fault, AccessFault.BadSize);
});

test('RAM -> 4-way 256 B CXL region: unaligned, across granules and pages, bytes land where the spec says', () => {
  const m = machine();
  const { copy, r, space } = withEngine(m);
  const data = pattern(10_007, 1);
  const src = RAM + 0x10_0123;
  const dst = R0 + 0x3_0f55; // not granule or page aligned
  assert.equal(space.writeBytes(src, data), AccessFault.None);
  assert.equal(copy(src, dst, data.length), DmaStatus.Done);
  assert.equal(r(DmaReg.DoneBytes), data.length);
  const back = new Uint8Array(data.length);
  assert.equal(space.readBytes(dst, back), AccessFault.None);
  assert.deepEqual(back, data);
  assertPlacedPerSpec(m, dst, data);
  // The bytes around the destination are untouched.
  assert.equal(space.load(dst - 1, 1), 0);
  assert.equal(space.load(dst + data.length, 1), 0);
});

test('CXL (XOR region) -> RAM and CXL -> CXL across windows', () => {
  const m = machine();
  const { copy, space } = withEngine(m);
  const data = pattern(3 * 4096 + 17, 2);
  assert.equal(space.writeBytes(R1 + 0x7_7f00, data), AccessFault.None);
  assertPlacedPerSpec(m, R1 + 0x7_7f00, data);
  assert.equal(copy(R1 + 0x7_7f00, RAM + 0x20_0001, data.length), DmaStatus.Done);
  const back = new Uint8Array(data.length);
  assert.equal(space.readBytes(RAM + 0x20_0001, back), AccessFault.None);
  assert.deepEqual(back, data);
  assert.equal(copy(R1 + 0x7_7f00, R0 + 0x1000_0000 - 5, data.length), DmaStatus.Done);
  assert.equal(space.readBytes(R0 + 0x1000_0000 - 5, back), AccessFault.None);
  assert.deepEqual(back, data);
  assertPlacedPerSpec(m, R0 + 0x1000_0000 - 5, data);
});

test('zero length: done at once, nothing moved', () => {
  const m = machine();
  const { copy, r } = withEngine(m);
  assert.equal(copy(0x2000_0000, 0x2000_0000, 0), DmaStatus.Done);
  assert.equal(r(DmaReg.DoneBytes), 0);
});

test('errors: unassigned source, unrouted destination, source running off the end of RAM (progress stops at a page)', () => {
  const m = machine();
  const { copy, r, space } = withEngine(m);
  // Source in the hole between the UART and the ECAM.
  let st = copy(0x2000_0000, RAM, 64);
  assert.equal(st & (DmaStatus.Done | DmaStatus.Error), DmaStatus.Error);
  assert.equal((st >>> DmaStatus.FaultShift) & 0xff, AccessFault.Unassigned);
  assert.equal(st & DmaStatus.ErrorOnWrite, 0);
  assert.equal(r(DmaReg.DoneBytes), 0);
  // Destination in window W0 beyond region R0 (1 GiB): no committed decode.
  st = copy(RAM, R0 + 2 ** 30 + 0x100, 64);
  assert.equal((st >>> DmaStatus.FaultShift) & 0xff, AccessFault.Unrouted);
  assert.ok((st & DmaStatus.ErrorOnWrite) !== 0, 'the fault was on the destination');
  // Source runs off the end of RAM (512 MiB): 5000 bytes copied (one partial page, one full), then the fault.
  const ramEnd = RAM + 512 * 2 ** 20;
  const data = pattern(5000, 3);
  assert.equal(space.writeBytes(ramEnd - 5000, data), AccessFault.None);
  st = copy(ramEnd - 5000, R0 + 0x4_0000, 9000);
  assert.equal((st >>> DmaStatus.FaultShift) & 0xff, AccessFault.Unassigned);
  assert.equal(r(DmaReg.DoneBytes), 5000);
  const back = new Uint8Array(5000);
  space.readBytes(R0 + 0x4_0000, back);
  assert.deepEqual(back, data, 'the bytes before the fault were copied');
  assert.equal(space.load(R0 + 0x4_0000 + 5000, 1), 0, 'nothing after it');
  // Destination in the hole between the UART and the ECAM.
  st = copy(RAM, 0x2000_0000, 8);
  assert.equal((st >>> DmaStatus.FaultShift) & 0xff, AccessFault.Unassigned);
  // Status is write-1-to-clear.
  space.store(DMA_BASE + DmaReg.Status, 4, DmaStatus.Error);
  assert.equal(r(DmaReg.Status), 0);
});

test('interrupt: raised on done/error while enabled, lowered by clearing status; board wires PLIC source 11', () => {
  const m = machine();
  const levels: boolean[] = [];
  const { copy, w } = withEngine(m, (l) => levels.push(l));
  copy(RAM, RAM + 0x1000, 16); // IE clear: no interrupt
  assert.deepEqual(levels, []);
  copy(RAM, RAM + 0x1000, 16, DmaControl.Go | DmaControl.InterruptEnable);
  assert.deepEqual(levels, [true]);
  w(DmaReg.Status, DmaStatus.Done);
  assert.deepEqual(levels, [true, false]);
  copy(0x2000_0000, RAM, 16, DmaControl.Go | DmaControl.InterruptEnable);
  assert.deepEqual(levels, [true, false, true], 'errors interrupt too');
  w(DmaReg.Control, 0); // IE off lowers the line
  assert.deepEqual(levels, [true, false, true, false]);
  assert.equal(DMA_IRQ, 11);
});

test('a DMA write into an arena page holding translated code invalidates it (RAM and a granule of a CXL page)', () => {
  const m = machine();
  const { copy, space } = withEngine(m);
  const cp = m.arena.codePages;
  const dropped: number[] = [];
  cp.onInvalidate((p) => dropped.push(p));
  // RAM page with "code".
  const codeHpa = RAM + 0x30_0000;
  const ramPage = m.addressSpace.resolvePage(codeHpa).arenaOffset / 4096;
  assert.ok(Number.isInteger(ramPage) && ramPage > 0);
  cp.mark(ramPage);
  // The arena page behind one 256 B granule of R0 (4-way 256 B pages are split per granule).
  const cxlHpa = R0 + 0x5_0300;
  const cxlArena = space.resolveRun(cxlHpa);
  assert.ok(cxlArena > 0);
  const cxlPage = Math.floor(cxlArena / 4096);
  cp.mark(cxlPage);
  assert.equal(cp.count, 2);
  // A copy elsewhere leaves both marked.
  assert.equal(copy(RAM, RAM + 0x40_0000, 4096), DmaStatus.Done);
  assert.deepEqual(dropped, []);
  // Into the RAM code page.
  assert.equal(copy(RAM, codeHpa + 8, 4), DmaStatus.Done);
  assert.deepEqual(dropped, [ramPage]);
  assert.equal(cp.has(ramPage), false);
  // Into the CXL granule.
  assert.equal(copy(RAM, cxlHpa + 0x10, 4), DmaStatus.Done);
  assert.deepEqual(dropped, [ramPage, cxlPage]);
  assert.equal(cp.count, 0);
});

test('the board maps the engine at 0x1000_9000 and describes it in the device tree (dtc accepts it)', () => {
  const m = machine();
  const board = createBoard(boardOptionsForMachine(m));
  assert.equal(board.addressSpace.load(DMA_BASE + DmaReg.Id, 4), DMA_ID);
  assert.deepEqual(board.description.dma, { base: DMA_BASE, size: DMA_SIZE, irq: DMA_IRQ });
  assert.ok(Buffer.from(board.fdt).includes(Buffer.from('cxlemu,dma-copy\0')));
  const dtc = spawnSync('dtc', ['--version']);
  if (dtc.status !== 0) {
    console.log('# SKIP dtc check: dtc not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-dma-'));
  try {
    writeFileSync(join(dir, 'b.dtb'), board.fdt);
    const out = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 'b.dtb')], { encoding: 'utf8' });
    assert.equal(out.stderr, '');
    assert.match(
      out.stdout,
      /dma@10009000 \{\s+interrupts = <0x0b>;\s+interrupt-parent = <0x01>;\s+reg = <0x00 0x10009000 0x00 0x1000>;\s+compatible = "cxlemu,dma-copy";/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // A guest-driven copy through the board's bus.
  const s = board.addressSpace;
  s.writeBytes(RAM + 0x1000, Uint8Array.of(1, 2, 3, 4));
  s.store(DMA_BASE + DmaReg.SrcLo, 4, RAM + 0x1000);
  s.store(DMA_BASE + DmaReg.DstLo, 4, 0);
  s.store(DMA_BASE + DmaReg.DstHi, 4, 1);
  s.store(DMA_BASE + DmaReg.Len, 4, 4);
  s.store(DMA_BASE + DmaReg.Control, 4, DmaControl.Go);
  assert.equal(s.load(R0, 4), 0x04030201);
});
