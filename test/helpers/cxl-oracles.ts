// Test oracles of CXL math that production does not use: Linux's encoded-parameter forms of the
// translation (drivers/cxl/core/region.c, cxl_translate.c), XOR decode helpers, rules only Linux
// or firmware enforce (enumeration order, check_last_peer, auto regions, CXIMS map shapes), and
// the table checksum test. Moved out of src/cxl-math so that every export there has a production
// user; never imported by src/.

import {
  HDM_RANGE_UNIT,
  VALID_EIWS,
  checkGranularity,
  checkWays,
  dpaOffsetOf,
  eigToGranularity,
  eiwToWays,
  hpaOffsetOf,
  isPowerOfTwo,
  isThreeFamily,
  lowestSetBit,
  positionOf,
  type RuleIssue,
  xorMapsForHbiw,
  xorTransform,
} from '../../src/cxl-math/index.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
const issue = (code: RuleIssue['code'], message: string): RuleIssue[] => [{ code, message }];
const ok: RuleIssue[] = [];

// ---- Linux's encoded forms (interleave) ----

/** What Linux cxl_hdm_decoder_count() computes (enc ? 2*enc : 1); agrees with the spec up to enc 8. */
export function linuxDecoderCount(enc: number): number {
  return enc ? 2 * enc : 1;
}

/** Bytes from `off` to the end of its granule: the run that stays contiguous on one device. */
export function granuleRemaining(off: number, gran: number): number {
  return gran - (off % gran);
}

/** Position from encoded eiw/eig (Linux cxl_calculate_position); eiw/eig must be valid. */
export function positionOfEncoded(off: number, eiw: number, eig: number): number {
  return positionOf(off, eiwToWays(eiw) ?? NaN, eigToGranularity(eig) ?? NaN);
}

/** DPA offset from encoded eiw/eig (Linux cxl_calculate_dpa_offset); eiw/eig must be valid. */
export function dpaOffsetOfEncoded(off: number, eiw: number, eig: number): number {
  return dpaOffsetOf(off, eiwToWays(eiw) ?? NaN, eigToGranularity(eig) ?? NaN);
}

/** HPA offset from encoded eiw/eig (Linux cxl_calculate_hpa_offset); eiw/eig must be valid. */
export function hpaOffsetOfEncoded(dpaOffset: number, position: number, eiw: number, eig: number): number {
  return hpaOffsetOf(dpaOffset, position, eiwToWays(eiw) ?? NaN, eigToGranularity(eig) ?? NaN);
}

/**
 * Linux cxl_validate_translation_params: undefined when (eiw, eig, pos) is usable, else a message
 * naming the bad value (eiw 5-7 or >= 11, eig > 6, pos outside [0, W)).
 */
export function translationParamsIssue(eiw: number, eig: number, pos: number): string | undefined {
  const ways = eiwToWays(eiw);
  if (ways === undefined) return `invalid eiw ${eiw}: valid encodings are ${VALID_EIWS.join(', ')}`;
  if (eigToGranularity(eig) === undefined) return `invalid eig ${eig}: valid encodings are 0..6`;
  if (!Number.isInteger(pos) || pos < 0 || pos >= ways) {
    return `invalid position ${pos}: must be in [0, ${ways}) for ${ways}-way interleave`;
  }
  return undefined;
}

// ---- XOR decode ----

/** XOR decode: A = T(hpa), then the modulo DPA offset of A - base. */
export function xorDpaOffsetOf(
  hpa: number,
  base: number,
  ways: number,
  gran: number,
  maps: ArrayLike<number>,
  count: number,
): number {
  return dpaOffsetOf(xorTransform(hpa, maps, count) - base, ways, gran);
}

// ---- Rules Linux or firmware enforce ----

/**
 * Rule 1 at enumeration (Linux init_hdm_decoder): committed decoders must be a prefix 0..k-1
 * ("Committed out of order") and none may have zero size ("Committed with zero size").
 */
export function checkCommittedDecoders(
  decoders: ReadonlyArray<{ readonly committed: boolean; readonly size: number }>,
): RuleIssue[] {
  const out: RuleIssue[] = [];
  let seenUncommitted = -1;
  decoders.forEach((d, i) => {
    if (!d.committed) {
      if (seenUncommitted < 0) seenUncommitted = i;
      return;
    }
    if (seenUncommitted >= 0) {
      out.push({
        code: 'committed-out-of-order',
        message: `commit order rule: decoder ${i} is committed out of order (decoder ${seenUncommitted} is not committed)`,
      });
    }
    if (d.size === 0) {
      out.push({ code: 'committed-zero-size', message: `commit order rule: decoder ${i} is committed with zero size` });
    }
  });
  return out;
}

/**
 * Rule 6, distance (Linux check_last_peer): an endpoint at `pos` reusing a dport at a port with
 * peer distance `distance` must share it with the endpoint at pos - distance.
 * `peerDport` is the dport used at this port by the endpoint at pos - distance (undefined if none).
 */
export function checkDistance(
  pos: number,
  distance: number,
  dport: number,
  peerDport: number | undefined,
): RuleIssue[] {
  if (pos < distance) {
    return issue(
      'distance',
      `distance rule: endpoint at position ${pos} reuses dport ${dport} but position ${pos} < distance ${distance}, ` +
        `so no peer at position ${pos} - ${distance} can share it`,
    );
  }
  if (peerDport !== dport) {
    return issue(
      'distance',
      `distance rule: endpoint at position ${pos} uses dport ${dport} but its peer at position ${pos - distance} ` +
        `(distance ${distance}) uses dport ${peerDport === undefined ? 'none' : String(peerDport)}`,
    );
  }
  return ok;
}

/** Rule 9: a firmware-committed (auto) region must match the expected iw, ig and range exactly. */
export function checkAutoRegion(
  expected: { readonly ways: number; readonly granularity: number; readonly base: number; readonly size: number },
  found: { readonly ways: number; readonly granularity: number; readonly base: number; readonly size: number },
  what = 'auto region decoder',
): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const k of ['ways', 'granularity', 'base', 'size'] as const) {
    if (expected[k] !== found[k]) {
      const fmt = k === 'base' || k === 'size' ? hex : String;
      out.push({
        code: 'auto-region-mismatch',
        message: `auto region rule: ${what} ${k} ${fmt(found[k])} does not match the expected ${fmt(expected[k])}`,
      });
    }
  }
  return out;
}

/**
 * DESIGN "Decode basis": a 3/6/12-way window (or decoder) decodes the same on absolute HPAs and on
 * offsets only when its base is a multiple of 768 MiB (3 x 256 MiB, SPEC-NOTES 1.3), so cxlemu
 * places such windows there.
 */
export function checkThreeFamilyBase(base: number, ways: number, what = 'window'): RuleIssue[] {
  const unit = 3 * HDM_RANGE_UNIT;
  if (!isThreeFamily(ways) || base % unit === 0) return ok;
  return issue(
    'three-family-base',
    `3-family placement rule: ${what} base ${hex(base)} of a ${ways}-way interleave must be a multiple of 768 MiB ` +
      `(3 x 256 MiB) so absolute-HPA and offset decode agree`,
  );
}

/**
 * XOR maps (CXIMS) usable for a window with HBIW targets at granularity HBIG: the window uses the
 * first xorMapsForHbiw(HBIW) maps; each must be non-zero and below 2^52, their lowest set bits must
 * be exactly the position bits log2(HBIG) .. log2(HBIG)+n-1 (in any order), and no map may cover
 * another map's lowest bit unless that map is a single bit (which T never changes). Under these
 * conditions T is an involution and only permutes position bits (SPEC-NOTES 1.4).
 */
export function checkXorMaps(maps: readonly number[], hbiw: number, hbig: number, what = 'XOR window'): RuleIssue[] {
  const n = xorMapsForHbiw(hbiw);
  if (n === undefined) return checkWays(hbiw, `${what} HBIW`);
  if (!isPowerOfTwo(hbig)) return checkGranularity(hbig, `${what} HBIG`);
  const out: RuleIssue[] = [];
  if (maps.length < n) {
    return issue('xor-maps', `XOR map rule: ${what} with ${hbiw} host bridges needs ${n} XOR maps, got ${maps.length}`);
  }
  const g = Math.round(Math.log2(hbig));
  const lowest: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = maps[i]!;
    if (!Number.isInteger(m) || m <= 0 || m >= 2 ** 52) {
      out.push({
        code: 'xor-maps',
        message: `XOR map rule: ${what} map ${i} (${String(m)}) must be a non-zero integer below 2^52`,
      });
      return out;
    }
    lowest.push(lowestSetBit(m));
  }
  const want = Array.from({ length: n }, (_, i) => g + i);
  if ([...lowest].sort((a, b) => a - b).join() !== want.join()) {
    out.push({
      code: 'xor-maps',
      message:
        `XOR map rule: ${what} maps' lowest bits are ${lowest.join(', ')} but must be the position bits ` +
        `${want.join(', ')} for granularity ${hbig}`,
    });
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j || maps[j]! === 2 ** lowest[j]!) continue;
      if (Math.floor(maps[i]! / 2 ** lowest[j]!) % 2 === 1) {
        out.push({
          code: 'xor-maps',
          message:
            `XOR map rule: ${what} map ${i} (${hex(maps[i]!)}) covers bit ${lowest[j]!}, the position bit map ${j} ` +
            `(${hex(maps[j]!)}) sets, so the transform would not be an involution`,
        });
      }
    }
  }
  return out;
}

// ---- Checksums ----

/** True when bytes[start, end) sums to 0 mod 256. */
export function isChecksumValid(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  let s = 0;
  for (let i = start; i < end; i++) s += bytes[i]!;
  return s % 256 === 0;
}
