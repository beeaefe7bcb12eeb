// Seeded fuzz of the mailbox through the register block: random opcodes (implemented and not),
// lengths (exact, short, long, beyond the payload), payloads (random and structured with DPAs near
// the device), random register writes, ticks and resets, including while background operations
// run. Oracle: nothing throws; every return code is one the spec defines; the doorbell always
// clears; and no byte outside the device's own state changes (the other memdev's stores and RAM
// hash the same and map no new pages). CXLEMU_FUZZ_ITER overrides the 10^5 iterations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Prng } from '../helpers/prng.js';
import type { BackingStore } from '../../src/memory/store.js';
import { CEL_UUID, MAILBOX_COMMANDS, RC } from '../../src/cxl/mailbox/index.js';
import { DEVREG, MBOX } from '../../src/cxl/device-registers.js';
import { mediaOf } from '../../src/cxl/poison.js';
import { rig } from './mailbox-driver.js';

const ITER = Number(process.env.CXLEMU_FUZZ_ITER ?? 100_000);
const SEED = 0xc0ffee;

function storeHash(st: BackingStore): string {
  const h = createHash('sha256');
  const pt = st.pageTable;
  for (let p = 0; p < pt.length; p++) {
    if (pt[p] === 0) continue;
    h.update(String(p));
    h.update(st.arena.u8.subarray(pt[p]! * 4096, pt[p]! * 4096 + 4096));
  }
  return `${st.touchedPages()}:${h.digest('hex')}`;
}

test(`mailbox fuzz: ${ITER} seeded iterations never throw and never touch other devices or RAM`, () => {
  const rng = new Prng(SEED);
  const { as, host, regs, other, topo, ram } = rig();
  const otherRegs = () => Array.from({ length: (0x1020 + 256) / 4 }, (_, i) => other.read(4 * i, 4));
  const mem0 = topo.memdevs[0]!;
  const mem1 = topo.memdevs[1]!;
  // Give the bystanders some content.
  for (let i = 0; i < 64; i++) {
    ram.writeU32(rng.below(ram.size / 4) * 4, rng.u32());
    mem1.persistentStore!.writeU32(rng.below(mem1.persistentBytes / 4) * 4, rng.u32());
    mem1.lsaStore!.writeU32(rng.below(1024) * 4, rng.u32());
  }
  const others = [ram, mem1.persistentStore!, mem1.lsaStore!];
  const before = others.map(storeHash);
  const otherBefore = otherRegs();
  const known = new Set(Object.values(RC).filter((v): v is number => typeof v === 'number'));
  const ops = MAILBOX_COMMANDS.map((c) => c.opcode);
  const inLen = new Map(MAILBOX_COMMANDS.map((c) => [c.opcode, typeof c.input === 'number' ? c.input : c.input.min]));
  const hist = new Map<number, number>();
  const okOps = new Set<number>();
  const base = host.base;
  const mbox = host.mbox;
  const pay = new Uint8Array(4096);
  const dv = new DataView(pay.buffer);
  let bgSeen = 0;
  for (let it = 0; it < ITER; it++) {
    const k = rng.below(100);
    if (k < 2) {
      // Random register write anywhere in the block (may ring the doorbell with whatever is there).
      const size = [1, 2, 4][rng.below(3)] as 1 | 2 | 4;
      const off = rng.below(0x10000 / size) * size;
      regs.write(off, size, rng.u32() >>> (32 - 8 * size));
      continue;
    }
    if (k < 3) {
      regs.tick();
      continue;
    }
    if (k === 3 && rng.below(20) === 0) {
      regs.reset();
      continue;
    }
    if (k < 6) {
      as.store(base + mbox + MBOX.CTRL, 4, rng.below(8) & 6);
      continue;
    }
    const op = rng.below(10) < 8 ? ops[rng.below(ops.length)]! : rng.u32() & 0xffff;
    const mode = rng.below(10);
    let len: number;
    if (mode < 5) len = inLen.get(op) ?? 0;
    else if (mode < 8) len = rng.below(0x60);
    else if (mode < 9) len = rng.below(2048 + 16);
    else len = rng.below(2 ** 21);
    const wlen = Math.min(len, 2048);
    for (let i = 0; i < wlen; i += 4) dv.setUint32(i, rng.u32(), true);
    if (mode < 5 && wlen >= 6) {
      // Structured: a DPA near the device (aligned or not), a small line count.
      const pick = rng.below(4);
      const dpa =
        pick === 0
          ? mem0.capacity - 256 + 64 * rng.below(8)
          : pick === 1
            ? rng.below(mem0.capacity + 4096)
            : rng.below(mem0.capacity / 64) * 64;
      dv.setUint32(0, dpa % 2 ** 32, true);
      dv.setUint32(4, Math.floor(dpa / 2 ** 32), true);
      if (wlen >= 16) {
        dv.setUint32(8, rng.below(64), true);
        dv.setUint32(12, 0, true);
      }
      if (op === 0x0101 || op === 0x0103 || (op === 0x4202 && rng.below(2))) pay.fill(0, 0, wlen);
      if (op === 0x0101 && rng.below(2)) pay[1] = 1;
      if (op === 0x0401) {
        pay.set(CEL_UUID);
        dv.setUint32(16, rng.below(64), true);
        dv.setUint32(20, rng.below(64), true);
      }
      if (op === 0x4101) {
        dv.setUint32(0, rng.below(3), true);
        dv.setUint32(4, 0, true);
        pay[8] = rng.below(4) === 0 ? 1 : 0;
      }
      if (op === 0x4102 || op === 0x4103) {
        dv.setUint32(0, rng.below(140 * 1024), true);
        dv.setUint32(4, op === 0x4102 ? rng.below(3000) : rng.below(4) === 0 ? 1 : 0, true);
      }
    }
    for (let i = 0; i < wlen; i += 8)
      as.store(base + mbox + MBOX.PAYLOAD + i, 8, dv.getUint32(i, true), dv.getUint32(i + 4, true));
    as.store(base + mbox + MBOX.CMD, 8, (op | ((len & 0xffff) << 16)) >>> 0, len >>> 16);
    as.store(base + mbox + MBOX.CTRL, 4, as.load(base + mbox + MBOX.CTRL, 4) | 1);
    assert.equal(as.load(base + mbox + MBOX.CTRL, 4) & 1, 0, 'doorbell cleared');
    as.load(base + mbox + MBOX.STATUS, 8);
    const rc = as.hi & 0xffff;
    assert.ok(known.has(rc), `return code ${rc} for opcode ${op.toString(16)} at iteration ${it} (seed ${SEED})`);
    hist.set(rc, (hist.get(rc) ?? 0) + 1);
    if (rc === 0 || rc === 1) okOps.add(op);
    if (rc === 1) bgSeen++;
    const outLen = (as.load(base + mbox + MBOX.CMD, 8) >>> 16) | ((as.hi & 0x1f) << 16);
    assert.ok(outLen <= 2048, 'output fits the payload');
    if (outLen) as.load(base + mbox + MBOX.PAYLOAD, 8);
    as.load(base + DEVREG.MEMDEV_STATUS, 4);
  }
  assert.deepEqual(others.map(storeHash), before, 'bytes outside mem0 changed');
  assert.deepEqual(otherRegs(), otherBefore, 'mem1 registers changed');
  assert.equal(mediaOf(mem1).poisonCount, 0);
  assert.equal(mediaOf(mem1).mediaDisabled, false);
  // The fuzz reached the interesting places.
  assert.ok(bgSeen > 10, `background operations started: ${bgSeen}`);
  for (const rc of [0, 1, 2, 3, 6, 7, 0xf, 0x16]) assert.ok((hist.get(rc) ?? 0) > 0, `return code ${rc} never seen`);
  assert.equal(okOps.size, ops.length, `opcodes that succeeded: ${[...okOps].map((o) => o.toString(16)).join(' ')}`);
  topo.close();
});
