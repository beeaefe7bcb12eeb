// Oracle: the 102 public address-translation vectors of pmem/ndctl test/cxl-translate.sh (see
// cxl-translate-vectors.ts), applied as Linux tools/testing/cxl/test/cxl_translate.c applies them:
// DPA,pos -> HPA (modulo, then T with the first xorMapsForHbiw(HBIW) maps for XOR) and back
// HPA -> DPA and HPA -> pos, with the four maps 0x2020900, 0x4041200, 0x1010400, 0x800.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  eiwToWays,
  eigToGranularity,
  xorHpaOf,
  xorMapsForHbiw,
  xorPositionOf,
  xorTransform,
} from '../../src/cxl-math/index.js';
import {
  dpaOffsetOfEncoded,
  hpaOffsetOfEncoded,
  positionOfEncoded,
  xorDpaOffsetOf,
  translationParamsIssue,
} from '../helpers/cxl-oracles.js';
import { TRANSLATE_VECTORS, TRANSLATE_XOR_MAPS, type TranslateVector } from './cxl-translate-vectors.js';

const MAPS = TRANSLATE_XOR_MAPS;

function describe(v: TranslateVector): string {
  return `${v.set}: dpa ${v.dpa} pos ${v.pos} r_eiw ${v.rEiw} r_eig ${v.rEig} hb_eiw ${v.hbEiw}`;
}

function mapsUsed(v: TranslateVector): number {
  const hbiw = eiwToWays(v.hbEiw);
  assert.ok(hbiw !== undefined, `hb_eiw ${v.hbEiw} must be valid`);
  const n = xorMapsForHbiw(hbiw);
  assert.ok(n !== undefined);
  return n;
}

test('there are exactly 102 vectors, split as in cxl-translate.sh', () => {
  assert.equal(TRANSLATE_VECTORS.length, 102);
  const bySet = new Map<string, number>();
  for (const v of TRANSLATE_VECTORS) bySet.set(v.set, (bySet.get(v.set) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(bySet), {
    Sample_4R_4H: 12,
    Sample_12R_12H: 24,
    XOR_Table_4R_4H: 19,
    XOR_Table_8R_4H: 22,
    XOR_Table_12R_12H: 25,
  });
  const expectations = TRANSLATE_VECTORS.reduce((n, v) => n + 1 + (v.modulo === undefined ? 0 : 1), 0);
  assert.equal(expectations, 138);
  for (const v of TRANSLATE_VECTORS)
    assert.equal(translationParamsIssue(v.rEiw, v.rEig, v.pos), undefined, describe(v));
});

test('modulo vectors: DPA,pos -> HPA and HPA -> DPA,pos', () => {
  let checked = 0;
  for (const v of TRANSLATE_VECTORS) {
    if (v.modulo === undefined) continue;
    const hpa = hpaOffsetOfEncoded(v.dpa, v.pos, v.rEiw, v.rEig);
    assert.equal(hpa, v.modulo, `to HPA, ${describe(v)}`);
    assert.equal(dpaOffsetOfEncoded(v.modulo, v.rEiw, v.rEig), v.dpa, `to DPA, ${describe(v)}`);
    assert.equal(positionOfEncoded(v.modulo, v.rEiw, v.rEig), v.pos, `to pos, ${describe(v)}`);
    checked++;
  }
  assert.equal(checked, 36);
});

test('XOR vectors: DPA,pos -> SPA = T(modulo HPA) and SPA -> A = T(SPA) -> DPA,pos', () => {
  let checked = 0;
  for (const v of TRANSLATE_VECTORS) {
    const ways = eiwToWays(v.rEiw)!;
    const gran = eigToGranularity(v.rEig)!;
    const n = mapsUsed(v);
    const spa = xorHpaOf(v.dpa, v.pos, 0, ways, gran, MAPS, n);
    assert.equal(spa, v.xor, `to SPA, ${describe(v)}`);
    // the Linux form: modulo first, then T
    assert.equal(xorTransform(hpaOffsetOfEncoded(v.dpa, v.pos, v.rEiw, v.rEig), MAPS, n), v.xor, describe(v));
    assert.equal(xorDpaOffsetOf(v.xor, 0, ways, gran, MAPS, n), v.dpa, `to DPA, ${describe(v)}`);
    assert.equal(xorPositionOf(v.xor, 0, ways, gran, MAPS, n), v.pos, `to pos, ${describe(v)}`);
    checked++;
  }
  assert.equal(checked, 102);
});

test('XOR vectors hold at a window base above 4 GiB (parity on the absolute HPA, base 256 MiB aligned)', () => {
  // Every map's bits lie below bit 28, so a 256 MiB aligned base adds no parity: SPA = base + vector.
  const base = 0x3_4000_0000;
  for (const v of TRANSLATE_VECTORS) {
    const ways = eiwToWays(v.rEiw)!;
    const gran = eigToGranularity(v.rEig)!;
    const n = mapsUsed(v);
    assert.equal(xorHpaOf(v.dpa, v.pos, base, ways, gran, MAPS, n), base + v.xor, describe(v));
    assert.equal(xorDpaOffsetOf(base + v.xor, base, ways, gran, MAPS, n), v.dpa, describe(v));
    assert.equal(xorPositionOf(base + v.xor, base, ways, gran, MAPS, n), v.pos, describe(v));
  }
});

test('the vectors can fail: a wrong map count breaks at least one XOR vector', () => {
  let mismatches = 0;
  for (const v of TRANSLATE_VECTORS) {
    const ways = eiwToWays(v.rEiw)!;
    const gran = eigToGranularity(v.rEig)!;
    if (xorHpaOf(v.dpa, v.pos, 0, ways, gran, MAPS, 0) !== v.xor) mismatches++;
  }
  assert.ok(mismatches > 0);
});
