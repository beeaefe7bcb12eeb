// Oracles: SPEC-NOTES 1.1 encoding tables (eig, eiw, decoder count), the worked examples 1.6 (b),
// (c) and the 1.7 seed set, Linux cxl_translate.c's parameter table, and a second implementation
// (reference-bigint.ts: BigInt bit fields and the divide-by-3 form) on seeded random offsets,
// including offsets above 4 GiB and near 2^52.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VALID_GRANULARITIES,
  VALID_WAYS,
  decoderCountToEncoding,
  dpaOffsetOf,
  dpaToHpa,
  eigToGranularity,
  eiwToWays,
  encodingToDecoderCount,
  endpointDpaBase,
  granularityToEig,
  hpaOffsetOf,
  hpaToDpa,
  positionOf,
  waysToEiw,
  asHpa,
  asDpa,
  powerOfTwoPart,
  isThreeFamily,
} from '../../src/cxl-math/index.js';
import { linuxDecoderCount, translationParamsIssue, granuleRemaining } from '../helpers/cxl-oracles.js';
import { Prng } from '../helpers/prng.js';
import { cases } from '../helpers/scale.js';
import { refDpaOffset, refHpaOffset, refPosition } from './reference-bigint.js';

test('eig table: G = 256 << eig for eig 0..6; 7+ invalid', () => {
  const expected = [256, 512, 1024, 2048, 4096, 8192, 16384];
  expected.forEach((g, eig) => {
    assert.equal(eigToGranularity(eig), g);
    assert.equal(granularityToEig(g), eig);
  });
  for (const bad of [7, 8, 15, -1, 0.5]) assert.equal(eigToGranularity(bad), undefined);
  for (const bad of [0, 128, 300, 32768, 1 << 20]) assert.equal(granularityToEig(bad), undefined);
  assert.deepEqual([...VALID_GRANULARITIES], expected);
});

test('eiw table: 0..4 -> 1,2,4,8,16; 8,9,10 -> 3,6,12; 5-7 and >= 11 invalid; no 9-way', () => {
  const table: Array<[number, number]> = [
    [0, 1],
    [1, 2],
    [2, 4],
    [3, 8],
    [4, 16],
    [8, 3],
    [9, 6],
    [10, 12],
  ];
  for (const [eiw, w] of table) {
    assert.equal(eiwToWays(eiw), w);
    assert.equal(waysToEiw(w), eiw);
    assert.equal(w, eiw < 8 ? 1 << eiw : 3 << (eiw - 8));
  }
  for (const bad of [5, 6, 7, 11, 12, 15, 255]) assert.equal(eiwToWays(bad), undefined, `eiw ${bad}`);
  for (const bad of [0, 5, 7, 9, 10, 24, 32]) assert.equal(waysToEiw(bad), undefined, `ways ${bad}`);
  assert.deepEqual([...VALID_WAYS], [1, 2, 3, 4, 6, 8, 12, 16]);
  assert.deepEqual(VALID_WAYS.map(powerOfTwoPart), [0, 1, 0, 2, 1, 3, 2, 4]);
  assert.deepEqual(VALID_WAYS.filter(isThreeFamily), [3, 6, 12]);
});

test('decoder count encoding (QEMU cxl_decoder_count_enc) and where Linux disagrees', () => {
  const counts = [1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32];
  counts.forEach((c, enc) => {
    assert.equal(encodingToDecoderCount(enc), c);
    assert.equal(decoderCountToEncoding(c), enc);
  });
  assert.equal(encodingToDecoderCount(13), undefined);
  assert.equal(decoderCountToEncoding(3), undefined);
  assert.equal(decoderCountToEncoding(18), undefined);
  for (let enc = 0; enc <= 8; enc++) assert.equal(linuxDecoderCount(enc), encodingToDecoderCount(enc));
  for (let enc = 9; enc <= 12; enc++) assert.notEqual(linuxDecoderCount(enc), encodingToDecoderCount(enc));
});

test('Linux cxl_translate.c parameter table: valid and rejected (eiw, eig, pos)', () => {
  const valid: Array<[number, number, number]> = [
    [0, 0, 0],
    [0, 3, 0],
    [0, 6, 0],
    [1, 0, 0],
    [1, 3, 1],
    [1, 6, 1],
    [2, 0, 0],
    [2, 3, 3],
    [2, 6, 3],
    [3, 0, 0],
    [3, 3, 7],
    [3, 6, 7],
    [4, 0, 0],
    [4, 3, 15],
    [4, 6, 15],
    [8, 0, 0],
    [8, 3, 2],
    [8, 6, 2],
    [9, 0, 0],
    [9, 3, 5],
    [9, 6, 5],
    [10, 0, 0],
    [10, 3, 11],
    [10, 6, 11],
  ];
  for (const [eiw, eig, pos] of valid) assert.equal(translationParamsIssue(eiw, eig, pos), undefined);
  const invalid: Array<[number, number, number, RegExp]> = [
    [5, 0, 0, /eiw 5/],
    [7, 0, 0, /eiw 7/],
    [0xb, 0, 0, /eiw 11/],
    [0xff, 0, 0, /eiw 255/],
    [1, 7, 0, /eig 7/],
    [2, 0x10, 0, /eig 16/],
    [3, 0xffff, 0, /eig 65535/],
    [1, 0, -1, /position -1/],
    [1, 0, 2, /position 2/],
    [2, 0, 4, /position 4/],
    [3, 0, 8, /position 8/],
    [4, 0, 16, /position 16/],
    [8, 0, 3, /position 3/],
    [9, 0, 6, /position 6/],
    [10, 0, 12, /position 12/],
  ];
  for (const [eiw, eig, pos, re] of invalid) assert.match(translationParamsIssue(eiw, eig, pos) ?? '', re);
});

test('SPEC-NOTES 1.6 (b): 2 HB x 2 RP, 4-way, G = 256, off 0x1234 -> pos 2, DPAoff 0x434', () => {
  const off = 0x1234;
  assert.equal(Math.floor(off / 256), 18);
  assert.equal(positionOf(off, 4, 256), 2);
  assert.equal(positionOf(off, 2, 256), 0); // hb: bit 8
  assert.equal(positionOf(off, 2, 512), 1); // rp: bit 9 (HB IG 512)
  assert.equal(dpaOffsetOf(off, 4, 256), 0x434);
  assert.equal(hpaOffsetOf(0x434, 2, 4, 256), 0x1234);
});

test('SPEC-NOTES 1.6 (c): G = 256, off 0x1234 for W = 3, 6, 12, 16', () => {
  const rows: Array<[number, number, number, number]> = [
    [3, 0, 6, 0x634],
    [6, 0, 3, 0x334],
    [12, 6, 1, 0x134],
    [16, 2, 1, 0x134],
  ];
  for (const [w, pos, q, dpa] of rows) {
    assert.equal(positionOf(0x1234, w, 256), pos, `W ${w} pos`);
    assert.equal(Math.floor(18 / w), q, `W ${w} q`);
    assert.equal(dpaOffsetOf(0x1234, w, 256), dpa, `W ${w} DPAoff`);
    assert.equal(hpaOffsetOf(dpa, pos, w, 256), 0x1234, `W ${w} reverse`);
  }
});

test('SPEC-NOTES 1.7 seed set (modulo columns)', () => {
  const rows: Array<[number, number, number, number[]]> = [
    [256, 4, 0, [1024, 1280, 1536, 1792]],
    [2048, 4, 0, [8192, 8448, 8704, 8960]],
    [0, 12, 8, [2048, 2304, 2560, 2816]],
    [512, 12, 0, [6144, 6400, 6656, 6912]],
  ];
  for (const [dpa, w, pos0, hpas] of rows) {
    hpas.forEach((hpa, i) => {
      assert.equal(hpaOffsetOf(dpa, pos0 + i, w, 256), hpa);
      assert.equal(dpaOffsetOf(hpa, w, 256), dpa);
      assert.equal(positionOf(hpa, w, 256), pos0 + i);
    });
  }
});

test('branded hop helpers: hpaToDpa / dpaToHpa through a decoder above 4 GiB', () => {
  const base = asHpa(0x1_1000_0000);
  const dpaBase = asDpa(0x1000_0000);
  const hpa = asHpa(0x1_1020_1000);
  const dpa = hpaToDpa(hpa, base, 2, 4096, dpaBase);
  assert.equal(dpa, 0x1000_0000 + 0x10_0000);
  assert.equal(dpaToHpa(dpa, dpaBase, positionOf(hpa - base, 2, 4096), base, 2, 4096), hpa);
});

test('endpoint DPA base: sum of skip + size/W of earlier decoders, plus own skip', () => {
  const MiB256 = 256 * 1024 * 1024;
  const d = [
    { skip: 0, size: 4 * MiB256, ways: 2 },
    { skip: MiB256, size: 3 * MiB256, ways: 3 },
    { skip: 2 * MiB256, size: MiB256, ways: 1 },
  ];
  assert.equal(endpointDpaBase(d, 0), 0);
  assert.equal(endpointDpaBase(d, 1), 2 * MiB256 + MiB256);
  assert.equal(endpointDpaBase(d, 2), 2 * MiB256 + MiB256 + MiB256 + 2 * MiB256);
});

/** Offsets spread over small, above 4 GiB and near 2^52. */
function randomOffset(rng: Prng): number {
  switch (rng.below(4)) {
    case 0:
      return rng.below(1 << 20);
    case 1:
      return 2 ** 32 + rng.below(2 ** 36);
    case 2:
      return 2 ** 52 - 1 - rng.below(2 ** 40);
    default:
      return rng.below(2 ** 52);
  }
}

test('property: round trips for every ways x granularity (seeded), offsets up to 2^52', () => {
  const rng = new Prng(0x5eed1);
  for (const w of VALID_WAYS) {
    for (const g of VALID_GRANULARITIES) {
      for (let i = 0; i < cases(400); i++) {
        const off = randomOffset(rng);
        const pos = positionOf(off, w, g);
        const dpa = dpaOffsetOf(off, w, g);
        const ctx = `seed ${rng.seed} W ${w} G ${g} off ${off}`;
        assert.ok(pos >= 0 && pos < w, ctx);
        assert.ok(dpa <= off && Number.isSafeInteger(dpa), ctx);
        assert.equal(hpaOffsetOf(dpa, pos, w, g), off, ctx);
        // and from the device side: any (dpa, pos) maps to an HPA that maps back
        const d2 = rng.below(Math.floor((2 ** 52 - 1) / w));
        const p2 = rng.below(w);
        const h2 = hpaOffsetOf(d2, p2, w, g);
        assert.ok(h2 < 2 ** 52, ctx);
        assert.equal(positionOf(h2, w, g), p2, ctx);
        assert.equal(dpaOffsetOf(h2, w, g), d2, ctx);
      }
    }
  }
});

test('property: a granule is contiguous on one device, consecutive granules rotate positions', () => {
  const rng = new Prng(0x5eed2);
  for (const w of VALID_WAYS) {
    for (const g of VALID_GRANULARITIES) {
      const start = Math.floor(randomOffset(rng) / g) * g;
      if (start + 2 * g * w >= 2 ** 52) continue;
      const pos0 = positionOf(start, w, g);
      const dpa0 = dpaOffsetOf(start, w, g);
      assert.equal(positionOf(start + g - 1, w, g), pos0);
      assert.equal(dpaOffsetOf(start + g - 1, w, g), dpa0 + g - 1);
      assert.equal(positionOf(start + g, w, g), (pos0 + 1) % w);
      assert.equal(positionOf(start + g * w, w, g), pos0);
      assert.equal(dpaOffsetOf(start + g * w, w, g), dpa0 + g);
    }
  }
});

test('second implementation (BigInt bit fields, divide-by-3 form) agrees on random offsets', () => {
  const rng = new Prng(0x5eed3);
  for (let i = 0; i < cases(20000); i++) {
    const w = rng.pick(VALID_WAYS);
    const g = rng.pick(VALID_GRANULARITIES);
    const off = randomOffset(rng);
    const ctx = `seed ${rng.seed} iter ${i} W ${w} G ${g} off ${off}`;
    assert.equal(positionOf(off, w, g), refPosition(BigInt(off), w, g), ctx);
    assert.equal(positionOf(off, w, g), Number((BigInt(off) / BigInt(g)) % BigInt(w)), ctx);
    const dpa = dpaOffsetOf(off, w, g);
    assert.equal(BigInt(dpa), refDpaOffset(BigInt(off), w, g), ctx);
    const pos = rng.below(w);
    const d2 = rng.below(2 ** 46);
    assert.equal(BigInt(hpaOffsetOf(d2, pos, w, g)), refHpaOffset(BigInt(d2), pos, w, g), ctx);
  }
});

test('granuleRemaining: bytes to the end of the granule, above 4 GiB too', () => {
  assert.equal(granuleRemaining(0, 256), 256);
  assert.equal(granuleRemaining(0x1234, 256), 0xcc);
  assert.equal(granuleRemaining(2 ** 40 + 4095, 4096), 1);
  const rng = new Prng(0x5eed4);
  for (let i = 0; i < cases(2000); i++) {
    const g = rng.pick(VALID_GRANULARITIES);
    const w = rng.pick(VALID_WAYS);
    const off = randomOffset(rng);
    const run = granuleRemaining(off, g);
    if (off + run >= 2 ** 52) continue;
    assert.equal(positionOf(off + run - 1, w, g), positionOf(off, w, g));
    assert.equal(dpaOffsetOf(off + run - 1, w, g), dpaOffsetOf(off, w, g) + run - 1);
    if (w > 1) assert.notEqual(positionOf(off + run, w, g), positionOf(off, w, g));
  }
});
