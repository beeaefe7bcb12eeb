// CPU access to a fine-interleaved window (2 ways, 256 B granules, the shape of a CXL region):
// loads, stores and instruction fetch through the per-chunk tables and chunk TLB, including code
// and data sharing device pages, self-modifying code, device-side (store.write) changes, and a
// 32-bit instruction spanning two granules. Oracle: the router's own formula (granule g of the
// window goes to device g % 2 at offset floor(g / 2) * 256), read back from the device stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace, Arena, BackingStore } from '../../src/memory/index.js';
import { CpuSlowPath, Hart } from '../../src/cpu/hart.js';
import { a, reg } from './asm.js';
import { runToPc, twoWayRouter } from './machine.js';

const WIN = 0x1_0000_0000;
const RAM = 0x8000_0000;

function machine() {
  const arena = new Arena({ bytes: 16 << 20 });
  const bus = new AddressSpace(arena);
  const devs = [
    new BackingStore(arena, { name: 'mem0', size: 1 << 20 }),
    new BackingStore(arena, { name: 'mem1', size: 1 << 20 }),
  ];
  const router = twoWayRouter(WIN, devs);
  bus.begin();
  bus.ram('ram', RAM, new BackingStore(arena, { name: 'ram', size: 1 << 20 }));
  bus.window('w0', WIN, 1 << 21, router);
  bus.commit();
  const hart = new Hart({ arena, bus, hartId: 0, resetPc: WIN });
  hart.mtvecLo = (RAM + 0x1000) | 0;
  const devByte = (hpa: number) => {
    const off = hpa - WIN;
    const g = Math.floor(off / 256);
    return devs[g % 2]!.readU8(Math.floor(g / 2) * 256 + (off % 256));
  };
  const put32 = (hpa: number, w: number) => {
    for (let i = 0; i < 4; i++) bus.store(hpa + i, 1, (w >>> (8 * i)) & 0xff);
  };
  return { arena, bus, devs, hart, devByte, put32 };
}

test('loads and stores in a 2-way 256 B window land on the devices the router names', () => {
  const { hart, devByte, put32 } = machine();
  // Stores across several granules, then read them back with loads (fast chunk TLB on repeats).
  put32(RAM, a.sd(reg.a2, reg.a1, 0));
  put32(RAM + 4, a.ld(reg.a3, reg.a1, 0));
  put32(RAM + 8, a.lbu(reg.a4, reg.a1, 7));
  for (const hpa of [WIN + 0x800, WIN + 0x908, WIN + 0xa10, WIN + 0x1ff8, WIN + 0x8f8]) {
    for (let k = 0; k < 2; k++) {
      const v = BigInt(hpa) * 0x10001n + BigInt(k);
      hart.writeReg(reg.a1, BigInt(hpa));
      hart.writeReg(reg.a2, v);
      hart.pc = RAM;
      hart.run(3);
      assert.equal(hart.readReg(reg.a3), v);
      assert.equal(hart.readReg(reg.a4), v >> 56n);
      for (let i = 0; i < 8; i++)
        assert.equal(devByte(hpa + i), Number((v >> BigInt(8 * i)) & 0xffn), `byte ${i} of 0x${hpa.toString(16)}`);
    }
  }
  // An access crossing a granule boundary (different devices) is split correctly.
  hart.writeReg(reg.a1, BigInt(WIN + 0x8fc));
  hart.writeReg(reg.a2, 0x1122334455667788n);
  hart.pc = RAM;
  hart.run(2);
  assert.equal(hart.readReg(reg.a3), 0x1122334455667788n);
  assert.equal(devByte(WIN + 0x8fc), 0x88);
  assert.equal(devByte(WIN + 0x900), 0x44);
});

test('code in the window runs; data stores sharing its device pages do not disturb it; code stores and device writes are seen', () => {
  const { hart, devs, put32 } = machine();
  // loop at WIN: addi a0,a0,1 ; sd a0,0(a1) (data in the next granule pair: same device pages) ; jal loop
  put32(WIN, a.addi(reg.a0, reg.a0, 1));
  put32(WIN + 4, a.sd(reg.a0, reg.a1, 0));
  put32(WIN + 8, a.jal(0, -8));
  hart.writeReg(reg.a1, BigInt(WIN + 0x200)); // granule 2: device 0, offset 256 (same device page as granule 0)
  hart.pc = WIN;
  hart.slowCounts = true;
  hart.run(300);
  assert.equal(hart.readReg(reg.a0), 100n);
  assert.equal(hart.slow[CpuSlowPath.FetchUncached], 0, 'code in the window is cached per chunk');
  assert.equal(hart.slow[CpuSlowPath.Mmio], 0, 'no access went through the bus callbacks');
  assert.equal(devs[0]!.readU32(256), 100);
  // Self-modifying: patch the addi through a store from the loop itself.
  hart.writeReg(reg.a1, BigInt(WIN));
  hart.writeReg(reg.a0, BigInt(a.addi(reg.a0, reg.a0, 5)) - 1n); // after +1 it is the new instruction
  hart.pc = WIN;
  hart.run(4); // addi (+1 -> the encoding), sd patches WIN, jal, new addi (+5)
  assert.equal(hart.readReg(reg.a0), BigInt(a.addi(reg.a0, reg.a0, 5)) + 5n);
  // The device's own bytes change (host/DMA write through the store): seen at the next fetch.
  const w = a.addi(reg.a0, 0, 42);
  devs[0]!.write(0, new Uint8Array([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]));
  hart.pc = WIN;
  hart.run(1);
  assert.equal(hart.readReg(reg.a0), 42n);
});

test('a 32-bit instruction spanning two granules (two devices) executes and is re-decoded when either half changes', () => {
  const { hart, put32, bus } = machine();
  const at = WIN + 0x1fe; // last halfword of granule 1 (device 1), next granule on device 0
  put32(at, a.addi(reg.a0, 0, 7));
  put32(at + 4, a.jal(0, -4));
  hart.pc = at;
  hart.run(1);
  assert.equal(hart.readReg(reg.a0), 7n);
  bus.store(at + 2, 2, a.addi(reg.a0, 0, 0x123) >>> 16); // upper half only (device 0)
  hart.pc = at;
  hart.run(1);
  assert.equal(hart.readReg(reg.a0), 0x123n);
});

test('cbo.zero in a fine-interleaved window clears exactly its 64-byte block on the device the router names', () => {
  const { bus, hart, devByte, put32 } = machine();
  // cbo.zero (a1): M mode, so no envcfg enable is needed.
  put32(RAM, (4 << 20) | (11 << 15) | (2 << 12) | 0x0f);
  for (let i = 0; i < 0x400; i++) bus.store(WIN + i, 1, 0xa5);
  // The last block of granule 0 (device 0), the first of granule 1 (device 1), one inside granule 2.
  for (const hpa of [WIN + 0xc0 + 0x17, WIN + 0x100, WIN + 0x27f]) {
    hart.writeReg(reg.a1, BigInt(hpa));
    hart.pc = RAM;
    hart.run(1);
    assert.equal(hart.pc, RAM + 4, `no trap at 0x${hpa.toString(16)}`);
  }
  const zeroed = (x: number) => (x >= 0xc0 && x < 0x140) || (x >= 0x240 && x < 0x280);
  for (let x = 0; x < 0x400; x++)
    assert.equal(devByte(WIN + x), zeroed(x) ? 0 : 0xa5, `byte 0x${x.toString(16)} on its device`);
});

test('code and data in one 256 B chunk of the window: data stores invalidate nothing (both engines), a store into the code does', () => {
  for (const jit of [false, true]) {
    const { arena, bus, devs } = machine();
    const hart = new Hart({ arena, bus, hartId: 0, resetPc: WIN, jit, jitThreshold: 1, noWarmUp: true });
    hart.mtvecLo = (RAM + 0x1000) | 0;
    const put32 = (hpa: number, w: number) => {
      for (let i = 0; i < 4; i++) bus.store(hpa + i, 1, (w >>> (8 * i)) & 0xff);
    };
    // loop at WIN (granules 0..1): a0 += 1; sd a0, 0x40(s1) and sd a0, 0x88(s1) (granules 4 and 8 of
    // the same chunk, device 0); a1 += 1; bne a1, a2, loop; ebreak.
    const prog = [
      a.addi(reg.a0, reg.a0, 1),
      a.sd(reg.a0, reg.s1, 0x40),
      a.sd(reg.a0, reg.s1, 0x88),
      a.addi(reg.a1, reg.a1, 1),
      a.bne(reg.a1, reg.a2, -16),
      a.ebreak(),
    ];
    prog.forEach((w, k) => put32(WIN + 4 * k, w));
    hart.writeReg(reg.s1, BigInt(WIN));
    hart.writeReg(reg.a2, 3000n);
    hart.pc = WIN;
    hart.slowCounts = true;
    runToPc(hart, WIN + 20, 40, 2000);
    const what = jit ? 'JIT' : 'interpreter';
    assert.equal(hart.readReg(reg.a0), 3000n, what);
    assert.equal(devs[0]!.readU32(0x40), 3000, `${what}: the data words, on device 0`);
    assert.equal(devs[0]!.readU32(0x88), 3000, what);
    assert.equal(hart.slow[CpuSlowPath.CodeInvalidate], 0, `${what}: no data store invalidated the loop`);
    if (hart.jit !== null) {
      // (CXLEMU_JIT=0 keeps the interpreter even when asked for the JIT.)
      const s = hart.jitStats!;
      assert.equal(s.invalidatedBlocks, 0);
      assert.ok(s.instructions > 10_000, `the loop ran translated (${s.instructions})`);
      assert.ok(s.exits.slow < 20, `its stores took the checked entry (${s.exits.slow} slow exits)`);
    }
    // A store into the code granule (the addi at WIN) is seen: addi a0, a0, 5 from now on.
    hart.writeReg(reg.t0, BigInt(a.addi(reg.a0, reg.a0, 5)));
    put32(RAM, a.sw(reg.t0, reg.s1, 0));
    put32(RAM + 4, a.ebreak());
    hart.pc = RAM;
    hart.run(2);
    hart.writeReg(reg.a0, 0n);
    hart.writeReg(reg.a1, 0n);
    hart.writeReg(reg.a2, 10n);
    hart.pc = WIN;
    for (let k = 0; k < 10 && hart.pc !== WIN + 20; k++) hart.run(1000);
    assert.equal(hart.readReg(reg.a0), 50n, `${what}: the patched instruction runs`);
  }
});
