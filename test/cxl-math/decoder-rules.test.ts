// Oracle: SPEC-NOTES 1.5 (rules 1-9, what Linux and the spec require) and 2.3 (decoder ordering):
// one test per rule, satisfied (no issues) and violated (one issue whose code is the rule's and
// whose message names the rule and the values involved).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkAddressLimit,
  checkDecoderSize,
  checkEncodedGranularity,
  checkEncodedWays,
  checkEndpointDpa,
  checkCommitOrder,
  checkDecoderRangeOrder,
  checkEndpointSize,
  checkGranularity,
  checkGranularityChain,
  checkRangeAlignment,
  checkRegionGranularity,
  checkRegionSize,
  checkRegionWays,
  checkRootPosition,
  checkSwitchDecoderWays,
  checkWays,
  checkWaysAdvertised,
  checkTargetList,
  type RuleIssue,
} from '../../src/cxl-math/index.js';
import {
  checkAutoRegion,
  checkCommittedDecoders,
  checkDistance,
  checkThreeFamilyBase,
  checkXorMaps,
} from '../helpers/cxl-oracles.js';

const MiB256 = 256 * 2 ** 20;
const ALL = { ways3_6_12: true, ways16: true };
const NONE = { ways3_6_12: false, ways16: false };

function expectIssue(issues: RuleIssue[], code: string, ...patterns: RegExp[]): void {
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0]!.code, code);
  for (const p of patterns) assert.match(issues[0]!.message, p);
}

test('valid ways / granularity (SPEC-NOTES 1.1)', () => {
  for (const w of [1, 2, 3, 4, 6, 8, 12, 16]) assert.deepEqual(checkWays(w), []);
  expectIssue(checkWays(9), 'invalid-ways', /valid ways rule/, /ways 9/);
  for (const g of [256, 16384]) assert.deepEqual(checkGranularity(g), []);
  expectIssue(checkGranularity(32768), 'invalid-granularity', /valid granularity rule/, /32768/);
});

test('rule 1: commit order', () => {
  assert.deepEqual(checkCommitOrder(2, 2), []);
  expectIssue(
    checkCommitOrder(3, 1),
    'commit-order',
    /commit order rule/,
    /decoder 3/,
    /1 decoder\(s\) are committed/,
    /decoder 1 next/,
  );
  assert.deepEqual(
    checkCommittedDecoders([
      { committed: true, size: MiB256 },
      { committed: false, size: 0 },
    ]),
    [],
  );
  expectIssue(
    checkCommittedDecoders([
      { committed: false, size: 0 },
      { committed: true, size: MiB256 },
    ]),
    'committed-out-of-order',
    /commit order rule/,
    /decoder 1 is committed out of order/,
    /decoder 0 is not committed/,
  );
  expectIssue(
    checkCommittedDecoders([{ committed: true, size: 0 }]),
    'committed-zero-size',
    /commit order rule/,
    /decoder 0 .*zero size/,
  );
});

test('decoder ranges increase and do not overlap (SPEC-NOTES 2.3)', () => {
  assert.deepEqual(
    checkDecoderRangeOrder([
      { base: 0, size: MiB256 },
      { base: MiB256, size: MiB256 },
    ]),
    [],
  );
  expectIssue(
    checkDecoderRangeOrder([
      { base: MiB256, size: 2 * MiB256 },
      { base: 2 * MiB256, size: MiB256 },
    ]),
    'decoder-order-overlap',
    /decoder order rule/,
    /decoder 1 base 0x20000000/,
    /end 0x30000000 of decoder 0/,
  );
});

test('rule 2: region IG = root IG when the window interleaves host bridges', () => {
  assert.deepEqual(checkRegionGranularity(1024, 1024, 2), []);
  assert.deepEqual(checkRegionGranularity(4096, 256, 1), []); // 1-way window: any region IG
  expectIssue(
    checkRegionGranularity(512, 256, 2),
    'region-granularity',
    /region granularity rule/,
    /512/,
    /256/,
    /2 host bridges/,
  );
});

test('rule 3: region ways are a power-of-two multiple of root ways (3/6/12 included)', () => {
  for (const [r, w] of [
    [4, 2],
    [8, 4],
    [12, 12],
    [12, 3],
    [6, 3],
    [16, 1],
    [3, 3],
  ])
    assert.deepEqual(checkRegionWays(r!, w!), [], `${r}/${w}`);
  expectIssue(checkRegionWays(6, 4), 'region-ways', /region ways rule/, /region ways 6/, /root \(window\) ways 4/);
  expectIssue(checkRegionWays(12, 2), 'region-ways', /region ways 12/, /ways 2/); // 6 is not a power of two
  expectIssue(checkRegionWays(9, 3), 'invalid-ways', /region ways 9/);
});

test('rule 4: HB/switch W <= 8, <= Target Count, 3/6/12 and 16 only when advertised', () => {
  assert.deepEqual(checkSwitchDecoderWays(8, 8, ALL), []);
  assert.deepEqual(checkSwitchDecoderWays(3, 4, ALL), []);
  expectIssue(
    checkSwitchDecoderWays(16, 16, ALL),
    'decoder-ways-over-8',
    /target list rule/,
    /ways 16/,
    /8-entry target list/,
  );
  expectIssue(
    checkSwitchDecoderWays(4, 2, ALL),
    'decoder-ways-over-targets',
    /target count rule/,
    /ways 4/,
    /Target Count 2/,
  );
  expectIssue(
    checkSwitchDecoderWays(6, 8, NONE, 'HB decoder'),
    'ways-not-advertised',
    /advertised ways rule/,
    /HB decoder does not advertise 3, 6, 12 way/,
    /6-way interleave needs/,
    /3, 6, 12 way/,
  );
  assert.deepEqual(checkWaysAdvertised(16, ALL), []);
  assert.deepEqual(checkWaysAdvertised(4, NONE), []);
  expectIssue(
    checkWaysAdvertised(16, NONE, 'endpoint decoder'),
    'ways-not-advertised',
    /endpoint decoder does not advertise 16 way/,
    /16 way/,
  );
});

test('rule 5: granularity chain <= 16 KiB', () => {
  assert.deepEqual(checkGranularityChain(256, 2, [2]), []);
  assert.deepEqual(checkGranularityChain(4096, 4, [2]), []); // HB 16 KiB
  assert.deepEqual(checkGranularityChain(16384, 1, [2]), []); // 1-way window: G_hb = G_region
  expectIssue(
    checkGranularityChain(8192, 4, [2]),
    'granularity-chain',
    /granularity chain rule/,
    /8192 x 4 = 32768/,
    /16384/,
  );
  expectIssue(checkGranularityChain(4096, 4, [2, 2]), 'granularity-chain', /level 1/, /16384 x 2 = 32768/);
  expectIssue(checkGranularityChain(8192, 12, [2]), 'granularity-chain', /8192 x 12\/3 = 32768/);
  assert.deepEqual(checkGranularityChain(4096, 12, [2]), []);
});

test('rule 6: distance (check_last_peer)', () => {
  assert.deepEqual(checkDistance(3, 2, 7, 7), []);
  expectIssue(
    checkDistance(3, 2, 7, 8),
    'distance',
    /distance rule/,
    /position 3 uses dport 7/,
    /position 1/,
    /distance 2/,
    /dport 8/,
  );
  expectIssue(checkDistance(1, 2, 7, undefined), 'distance', /distance rule/, /position 1 < distance 2/);
});

test('rule 7: endpoint sits below root target pos mod W_root', () => {
  assert.deepEqual(checkRootPosition(5, 2, 1), []);
  expectIssue(
    checkRootPosition(5, 2, 0),
    'root-position',
    /root position rule/,
    /position 5/,
    /root target 0/,
    /mod root ways 2 = 1/,
  );
});

test('rule 8: alignment of window/decoder ranges, endpoint size, region size', () => {
  assert.deepEqual(checkRangeAlignment(0x1_1000_0000, 4 * 2 ** 30), []);
  expectIssue(
    checkRangeAlignment(0x1_1000_1000, MiB256, 'CFMWS 0'),
    'alignment-base',
    /alignment rule/,
    /CFMWS 0 base 0x110001000/,
    /256 MiB/,
  );
  expectIssue(checkRangeAlignment(0x1_1000_0000, MiB256 + 4096), 'alignment-size', /alignment rule/, /size 0x10001000/);
  assert.equal(checkRangeAlignment(1, 1).length, 2);
  assert.deepEqual(checkEndpointSize(3 * MiB256, 3), []);
  expectIssue(checkEndpointSize(MiB256, 3), 'endpoint-size-ways', /alignment rule/, /0x10000000/, /3 interleave ways/);
  assert.deepEqual(checkRegionSize(2 * 4 * MiB256, 4), []);
  expectIssue(
    checkRegionSize(2 * MiB256, 4),
    'region-size',
    /region size rule/,
    /0x20000000/,
    /256 MiB x 4 ways = 1024 MiB/,
  );
  expectIssue(checkRegionSize(0, 2), 'region-size', /region size 0x0/);
});

test('rule 9: auto (firmware) regions must match iw, ig and range exactly', () => {
  const want = { ways: 2, granularity: 4096, base: 0x1_1000_0000, size: 0x2000_0000 };
  assert.deepEqual(checkAutoRegion(want, { ...want }), []);
  expectIssue(
    checkAutoRegion(want, { ...want, granularity: 256 }),
    'auto-region-mismatch',
    /auto region rule/,
    /granularity 256/,
    /expected 4096/,
  );
  const two = checkAutoRegion(want, { ...want, ways: 4, base: 0x1_2000_0000 });
  assert.deepEqual(
    two.map((i) => i.code),
    ['auto-region-mismatch', 'auto-region-mismatch'],
  );
  assert.match(two[1]!.message, /base 0x120000000 does not match the expected 0x110000000/);
});

test('3-family windows sit at multiples of 768 MiB (DESIGN, decode basis)', () => {
  assert.deepEqual(checkThreeFamilyBase(6 * MiB256, 12), []);
  assert.deepEqual(checkThreeFamilyBase(MiB256, 4), []); // power of two: any 256 MiB base
  expectIssue(
    checkThreeFamilyBase(0x1_1000_0000, 3),
    'three-family-base',
    /3-family placement rule/,
    /0x110000000/,
    /3-way/,
    /768 MiB/,
  );
});

test('target list entries name existing ports', () => {
  assert.deepEqual(checkTargetList([1, 0, 9], 2, [0, 1]), []); // entries beyond W are ignored
  expectIssue(
    checkTargetList([1, 4], 2, [0, 1], 'HB0 decoder 0'),
    'target-list',
    /target list rule/,
    /HB0 decoder 0 target list entry 1 names port 4/,
    /0, 1/,
  );
  expectIssue(checkTargetList([1], 2, [0, 1]), 'target-list', /1 target list entries for 2 ways/);
  expectIssue(checkTargetList([1, 1], 2, [0, 1]), 'target-duplicate', /entry 1 repeats port 1/);
});

test('decoder registers at commit: encodings, size, 2^52 limit, endpoint DPA inside one partition', () => {
  for (const e of [0, 4, 8, 10]) assert.deepEqual(checkEncodedWays(e), []);
  expectIssue(checkEncodedWays(5), 'iw-invalid', /IW=5 is invalid \(valid: 0-4, 8-10\)/);
  assert.deepEqual(checkEncodedGranularity(6), []);
  expectIssue(checkEncodedGranularity(7), 'ig-invalid', /IG=7 is invalid/);
  assert.deepEqual(checkDecoderSize(MiB256), []);
  expectIssue(checkDecoderSize(0), 'zero-size', /size is 0/);
  assert.deepEqual(checkAddressLimit(2 ** 52 - MiB256, MiB256), []);
  expectIssue(checkAddressLimit(2 ** 52, MiB256), 'range', /ends above 2\^52/);
  assert.deepEqual(checkEndpointDpa(MiB256, MiB256, MiB256, MiB256), []);
  expectIssue(
    checkEndpointDpa(MiB256, 2 * MiB256, MiB256, MiB256),
    'dpa-capacity',
    /exceeds the device capacity 0x20000000/,
  );
  expectIssue(checkEndpointDpa(0, 2 * MiB256, MiB256, MiB256), 'dpa-partition', /partition boundary at 0x10000000/);
});

test("XOR maps: lowest bits are the position bits, no map covers another's changing bit", () => {
  const linux = [0x2020900, 0x4041200, 0x1010400, 0x800];
  for (const hbiw of [1, 2, 3, 4, 6, 8, 12, 16]) assert.deepEqual(checkXorMaps(linux, hbiw, 256), [], `HBIW ${hbiw}`);
  assert.deepEqual(checkXorMaps([0x404100, 0x808200], 4, 256), []); // cxl_test mock maps
  expectIssue(
    checkXorMaps(linux, 4, 1024),
    'xor-maps',
    /XOR map rule/,
    /lowest bits are 8, 9/,
    /10, 11/,
    /granularity 1024/,
  );
  expectIssue(checkXorMaps([0x100], 8, 256), 'xor-maps', /8 host bridges needs 3 XOR maps, got 1/);
  expectIssue(checkXorMaps([0x300, 0x600], 4, 256), 'xor-maps', /map 0 \(0x300\) covers bit 9/, /map 1 \(0x600\)/);
  assert.deepEqual(checkXorMaps([0x300, 0x200], 4, 256), []); // a single-bit map never changes its bit
  expectIssue(checkXorMaps([0, 0x200], 4, 256), 'xor-maps', /map 0 \(0\) must be a non-zero integer/);
});
