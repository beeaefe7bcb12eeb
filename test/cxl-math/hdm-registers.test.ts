// Oracles: SPEC-NOTES 2.3 (HDM decoder capability structure: offsets, fields, 256 MiB units,
// length 0x10 + 0x20*count), QEMU's write masks for the same registers (base/size low 0xF0000000,
// control 0x13FF), and a seeded extract/deposit round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DECODER_STRIDE,
  HDM_BASE_HIGH,
  HDM_BASE_LOW,
  HDM_CAPABILITY,
  HDM_CONTROL,
  HDM_DPA_SKIP_HIGH,
  HDM_DPA_SKIP_LOW,
  HDM_GLOBAL_CONTROL,
  HDM_REGISTERS,
  HDM_SIZE_HIGH,
  HDM_SIZE_LOW,
  HDM_TARGET_LIST_HIGH,
  HDM_TARGET_LIST_LOW,
  applyMaskedWrite,
  writeMasks,
  decoderCountToEncoding,
  depositField,
  encodingToDecoderCount,
  extractField,
  fieldMask,
  hdmCapabilityLength,
  rangeFromRegisters,
  rangeHighWord,
  rangeLowWord,
  registerAt,
  registerOffset,
  targetListEntry,
  targetListWords,
  writeMask,
  type FieldDef,
} from '../../src/cxl-math/index.js';
import { Prng } from '../helpers/prng.js';

test('register offsets and the +0x20n decoder stride', () => {
  assert.equal(HDM_CAPABILITY.offset, 0x00);
  assert.equal(HDM_GLOBAL_CONTROL.offset, 0x04);
  const expected: Array<[string, number]> = [
    ['Decoder Base Low', 0x10],
    ['Decoder Base High', 0x14],
    ['Decoder Size Low', 0x18],
    ['Decoder Size High', 0x1c],
    ['Decoder Control', 0x20],
    ['Decoder Target List Low', 0x24],
    ['Decoder Target List High', 0x28],
    ['Decoder DPA Skip Low', 0x24],
    ['Decoder DPA Skip High', 0x28],
  ];
  for (const [name, off] of expected) {
    const def = HDM_REGISTERS.find((r) => r.name === name)!;
    assert.equal(def.offset, off, name);
    assert.equal(def.perDecoder, true);
    assert.equal(registerOffset(def, 3), off + 3 * 0x20);
  }
  assert.equal(DECODER_STRIDE, 0x20);
  assert.equal(registerOffset(HDM_GLOBAL_CONTROL, 5), 0x04);
  assert.equal(hdmCapabilityLength(1), 0x30);
  assert.equal(hdmCapabilityLength(4), 0x90);
  assert.equal(hdmCapabilityLength(32), 0x410);
});

test('fields: inside 31..0, no overlap within a register, capability bits where SPEC-NOTES puts them', () => {
  for (const def of HDM_REGISTERS) {
    let used = 0;
    for (const fd of Object.values(def.fields) as FieldDef[]) {
      assert.ok(fd.lo >= 0 && fd.hi <= 31 && fd.lo <= fd.hi, `${def.name}`);
      assert.equal((used & fieldMask(fd)) >>> 0, 0, `${def.name} overlap`);
      used = (used | fieldMask(fd)) >>> 0;
    }
  }
  const c = HDM_CAPABILITY.fields;
  assert.deepEqual([c.decoderCount.hi, c.decoderCount.lo], [3, 0]);
  assert.deepEqual([c.targetCount.hi, c.targetCount.lo], [7, 4]);
  assert.deepEqual(
    [c.a11to8.lo, c.a14to12.lo, c.poisonOnDecodeErrorCap.lo, c.ways3_6_12.lo, c.ways16.lo, c.uio.lo],
    [8, 9, 10, 11, 12, 13],
  );
  assert.deepEqual(
    [c.uioDecoderCount.hi, c.uioDecoderCount.lo, c.memDataNxm.lo, c.coherencyModels.hi, c.coherencyModels.lo],
    [19, 16, 20, 22, 21],
  );
  assert.equal(HDM_GLOBAL_CONTROL.fields.hdmDecoderEnable.lo, 1);
  const k = HDM_CONTROL.fields;
  assert.deepEqual([k.ig.hi, k.ig.lo, k.iw.hi, k.iw.lo], [3, 0, 7, 4]);
  assert.deepEqual(
    [k.lockOnCommit.lo, k.commit.lo, k.committed.lo, k.errorNotCommitted.lo, k.targetRangeType.lo],
    [8, 9, 10, 11, 12],
  );
  assert.equal(k.committed.access, 'RO');
  assert.equal(k.errorNotCommitted.access, 'RO');
});

test('write masks derived from the table match QEMU and SPEC-NOTES 2.3', () => {
  assert.equal(writeMask(HDM_CAPABILITY), 0);
  assert.equal(writeMask(HDM_GLOBAL_CONTROL), 0x3);
  assert.equal(writeMask(HDM_BASE_LOW), 0xf0000000);
  assert.equal(writeMask(HDM_BASE_HIGH), 0xffffffff);
  assert.equal(writeMask(HDM_SIZE_LOW), 0xf0000000);
  assert.equal(writeMask(HDM_SIZE_HIGH), 0xffffffff);
  assert.equal(writeMask(HDM_CONTROL), 0x13ff);
  assert.equal(writeMask(HDM_TARGET_LIST_LOW), 0xffffffff);
  assert.equal(writeMask(HDM_TARGET_LIST_HIGH), 0xffffffff);
  assert.equal(writeMask(HDM_DPA_SKIP_LOW), 0xf0000000);
  assert.equal(writeMask(HDM_DPA_SKIP_HIGH), 0xffffffff);
});

test('masked writes keep RO bits (Committed, Error-Not-Committed) and reserved bits', () => {
  const committed = depositField(0, HDM_CONTROL.fields.committed, 1);
  const after = applyMaskedWrite(writeMasks(HDM_CONTROL), committed, 0xffffffff);
  assert.equal(extractField(after, HDM_CONTROL.fields.committed), 1);
  assert.equal(extractField(after, HDM_CONTROL.fields.errorNotCommitted), 0);
  assert.equal(after, (0x13ff | committed) >>> 0);
  assert.equal(applyMaskedWrite(writeMasks(HDM_CONTROL), after, 0), committed);
  assert.equal(applyMaskedWrite(writeMasks(HDM_BASE_LOW), 0, 0x1234_5678), 0x1000_0000);
  assert.equal(applyMaskedWrite(writeMasks(HDM_CAPABILITY), 0x1234, 0), 0x1234);
});

test('extract/deposit round trip on random values (seeded)', () => {
  const rng = new Prng(0x4d4d);
  for (let i = 0; i < 5000; i++) {
    const def = rng.pick(HDM_REGISTERS);
    const fds = Object.values(def.fields) as FieldDef[];
    const fd = rng.pick(fds);
    const reg = rng.u32();
    const width = fd.hi - fd.lo + 1;
    const v = rng.below(2 ** width);
    const r2 = depositField(reg, fd, v);
    assert.equal(extractField(r2, fd), v, `${def.name} [${fd.hi}:${fd.lo}]`);
    assert.equal((r2 & ~fieldMask(fd)) >>> 0, (reg & ~fieldMask(fd)) >>> 0);
  }
  const ctrl = depositField(depositField(0, HDM_CONTROL.fields.ig, 2), HDM_CONTROL.fields.iw, 8);
  assert.equal(ctrl, 0x82);
});

test('registerAt resolves offsets by component kind and decoder count', () => {
  assert.equal(registerAt(0x00, 4, 'switch')?.def, HDM_CAPABILITY);
  assert.equal(registerAt(0x04, 4, 'endpoint')?.def, HDM_GLOBAL_CONTROL);
  assert.equal(registerAt(0x08, 4, 'switch'), undefined);
  assert.deepEqual(registerAt(0x24 + 3 * 0x20, 4, 'switch'), { def: HDM_TARGET_LIST_LOW, decoder: 3 });
  assert.deepEqual(registerAt(0x24 + 3 * 0x20, 4, 'endpoint'), { def: HDM_DPA_SKIP_LOW, decoder: 3 });
  assert.deepEqual(registerAt(0x20 + 0x20, 2, 'endpoint'), { def: HDM_CONTROL, decoder: 1 });
  assert.equal(registerAt(0x10 + 4 * 0x20, 4, 'switch'), undefined);
  assert.equal(registerAt(0x2c, 4, 'switch'), undefined); // +0x1C of decoder 0 region past 0x28
});

test('64-bit ranges in 256 MiB units: low word keeps [31:28] only', () => {
  assert.equal(rangeFromRegisters(0xf123_4567, 0x1), 0x1_f000_0000);
  const v = 0x3_4000_0000 + 2 ** 48;
  assert.equal(rangeFromRegisters(rangeLowWord(v), rangeHighWord(v)), v);
  assert.equal(rangeLowWord(0x1_1000_0000), 0x1000_0000);
  assert.equal(rangeHighWord(0x1_1000_0000), 1);
});

test('target list: byte i = port id of way i (0-3 low, 4-7 high)', () => {
  const { low, high } = targetListWords([1, 0, 7, 0xff, 4, 5, 6, 2]);
  assert.equal(low, 0xff07_0001);
  assert.equal(high, 0x0206_0504);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => targetListEntry(low, high, i)),
    [1, 0, 7, 0xff, 4, 5, 6, 2],
  );
});

test('decoder count encoding is reachable from hdm-registers', () => {
  assert.equal(encodingToDecoderCount(9), 20);
  assert.equal(decoderCountToEncoding(32), 12);
});
