// Every decoder-programming rule of SPEC-NOTES 1.5 as a pure check. Owns the rule text; never
// holds decoders (callers pass plain numbers) and never throws for a violation: each check returns
// the issues it found (empty when satisfied). Messages name the rule and the values involved.

import { MAX_ADDRESS } from './addresses.js';
import { HDM_RANGE_UNIT, TARGET_LIST_SLOTS } from './hdm-registers.js';
import {
  isThreeFamily,
  isValidGranularity,
  isValidWays,
  VALID_EIGS,
  VALID_EIWS,
  VALID_GRANULARITIES,
  VALID_WAYS,
} from './interleave.js';
import { childGranularity, isChainGranularityValid, rootTargetIndexForPosition } from './routing.js';
import { isPowerOfTwo } from './bits.js';

export type RuleCode =
  | 'invalid-ways'
  | 'invalid-granularity'
  | 'iw-invalid'
  | 'ig-invalid'
  | 'zero-size'
  | 'range'
  | 'dpa-capacity'
  | 'dpa-partition'
  | 'target-duplicate'
  | 'commit-order'
  | 'committed-out-of-order'
  | 'committed-zero-size'
  | 'region-granularity'
  | 'region-ways'
  | 'decoder-ways-over-8'
  | 'decoder-ways-over-targets'
  | 'ways-not-advertised'
  | 'granularity-chain'
  | 'distance'
  | 'root-position'
  | 'alignment-base'
  | 'alignment-size'
  | 'endpoint-size-ways'
  | 'region-size'
  | 'auto-region-mismatch'
  | 'decoder-order-overlap'
  | 'three-family-base'
  | 'target-list'
  | 'xor-maps';

/** A broken rule: `code` for programs, `message` for people (names rule and values). */
export interface RuleIssue {
  readonly code: RuleCode;
  readonly message: string;
}

const MiB = 1024 * 1024;
const hex = (n: number): string => `0x${n.toString(16)}`;
const issue = (code: RuleCode, message: string): RuleIssue[] => [{ code, message }];
const ok: RuleIssue[] = [];

/** Interleave ways must be one of 1, 2, 3, 4, 6, 8, 12, 16 (SPEC-NOTES 1.1). */
export function checkWays(ways: number, what = 'interleave ways'): RuleIssue[] {
  return isValidWays(ways)
    ? ok
    : issue('invalid-ways', `valid ways rule: ${what} ${ways} is not one of ${VALID_WAYS.join(', ')}`);
}

/** Granularity must be 256 B .. 16 KiB, a power of two (SPEC-NOTES 1.1). */
export function checkGranularity(gran: number, what = 'interleave granularity'): RuleIssue[] {
  return isValidGranularity(gran)
    ? ok
    : issue(
        'invalid-granularity',
        `valid granularity rule: ${what} ${gran} is not one of ${VALID_GRANULARITIES.join(', ')}`,
      );
}

/**
 * Rule 1: decoder n may commit only when exactly n decoders (0..n-1) are committed. Committed
 * decoders always form a prefix (un-commit goes from the highest down), so `committedCount` is
 * also the index of the first decoder that is not committed.
 */
export function checkCommitOrder(index: number, committedCount: number): RuleIssue[] {
  return index === committedCount
    ? ok
    : issue(
        'commit-order',
        `commit order rule: decoder ${index} cannot commit while ${committedCount} decoder(s) are committed: ` +
          `decoder ${committedCount} is not committed (decoders commit in increasing index order; decoder ${committedCount} next)`,
      );
}

/**
 * Decoders hold increasing, non-overlapping ranges in index order (SPEC-NOTES 2.3). `decoders[k]`
 * is decoder `firstIndex + k` (messages name the real indexes).
 */
export function checkDecoderRangeOrder(
  decoders: ReadonlyArray<{ readonly base: number; readonly size: number }>,
  firstIndex = 0,
): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (let i = 1; i < decoders.length; i++) {
    const prev = decoders[i - 1]!;
    const cur = decoders[i]!;
    if (cur.size === 0 || prev.size === 0) continue;
    if (cur.base < prev.base + prev.size) {
      const n = firstIndex + i;
      out.push({
        code: 'decoder-order-overlap',
        message:
          `decoder order rule: decoder ${n} base ${hex(cur.base)} lies below the end ${hex(prev.base + prev.size)} ` +
          `of decoder ${n - 1}; decoders hold increasing, non-overlapping ranges`,
      });
    }
  }
  return out;
}

/** Rule 2: with root ways > 1, region granularity must equal the root's (window HBIG). */
export function checkRegionGranularity(regionG: number, rootG: number, rootWays: number): RuleIssue[] {
  if (rootWays <= 1 || regionG === rootG) return ok;
  return issue(
    'region-granularity',
    `region granularity rule: region granularity ${regionG} must equal the root (window) granularity ${rootG} ` +
      `when the window interleaves ${rootWays} host bridges`,
  );
}

/** Rule 3: region ways = root ways * 2^k (3/6/12 included). */
export function checkRegionWays(regionWays: number, rootWays: number): RuleIssue[] {
  const bad = checkWays(regionWays, 'region ways');
  if (bad.length) return bad;
  const m = regionWays / rootWays;
  if (Number.isInteger(m) && isPowerOfTwo(m)) return ok;
  return issue(
    'region-ways',
    `region ways rule: region ways ${regionWays} must be a power-of-two multiple of the root (window) ways ${rootWays}`,
  );
}

/** What a component's HDM Decoder Capability advertises (SPEC-NOTES 2.3). */
export interface WaysCaps {
  readonly ways3_6_12: boolean;
  readonly ways16: boolean;
}

/**
 * Rule 4 (all decoders): 3/6/12 only when advertised; 16 only when advertised. The one place the
 * advertised-ways rule lives: commit (hdm-decoder.ts) and region creation (region.ts) both call it.
 */
export function checkWaysAdvertised(ways: number, caps: WaysCaps, what = 'decoder'): RuleIssue[] {
  if (isThreeFamily(ways) && !caps.ways3_6_12) {
    return issue(
      'ways-not-advertised',
      `advertised ways rule: ${what} does not advertise 3, 6, 12 way interleave: ` +
        `${ways}-way interleave needs the 3/6/12-way capability (HDM Decoder Capability bit 11)`,
    );
  }
  if (ways === 16 && !caps.ways16) {
    return issue(
      'ways-not-advertised',
      `advertised ways rule: ${what} does not advertise 16 way interleave: ` +
        `16-way interleave needs the 16-way capability (HDM Decoder Capability bit 12)`,
    );
  }
  return ok;
}

/** Rule 4: a host bridge / switch decoder has W <= 8 and W <= its Target Count, and advertised W. */
export function checkSwitchDecoderWays(
  ways: number,
  targetCount: number,
  caps: WaysCaps,
  what = 'switch decoder',
): RuleIssue[] {
  const out: RuleIssue[] = [...checkWays(ways, `${what} ways`)];
  if (out.length) return out;
  if (ways > TARGET_LIST_SLOTS) {
    out.push({
      code: 'decoder-ways-over-8',
      message:
        `target list rule: ${what} ways ${ways}: ${ways}-way interleave exceeds the ${TARGET_LIST_SLOTS}-entry target list ` +
        `(host bridge and switch decoders allow W <= ${TARGET_LIST_SLOTS})`,
    });
  }
  if (ways > targetCount) {
    out.push({
      code: 'decoder-ways-over-targets',
      message: `target count rule: ${what} ways ${ways} exceeds its Target Count ${targetCount}`,
    });
  }
  out.push(...checkWaysAdvertised(ways, caps, what));
  return out;
}

/**
 * Rule 5: the granularity chain (SPEC-NOTES 1.3). Starting from the region G and W_root, each level
 * below the root gets G = G_parent * W_parent (W_root/3 for 3/6/12); each result must be <= 16 KiB.
 * levelWays[i] is the ways of level i (0 = host bridge).
 */
export function checkGranularityChain(regionG: number, rootWays: number, levelWays: readonly number[]): RuleIssue[] {
  const out: RuleIssue[] = [];
  let g = childGranularity(regionG, rootWays);
  let parentG = regionG;
  let parentW = rootWays;
  for (let i = 0; i < levelWays.length; i++) {
    if (!isChainGranularityValid(g)) {
      out.push({
        code: 'granularity-chain',
        message:
          `granularity chain rule: level ${i} below the root needs granularity ${parentG} x ${parentW}` +
          `${isThreeFamily(parentW) ? '/3' : ''} = ${g}, above the 16384 (16 KiB) maximum`,
      });
      break;
    }
    parentG = g;
    parentW = levelWays[i]!;
    g = childGranularity(g, parentW);
  }
  return out;
}

/** Rule 7: the endpoint at `pos` must sit below root target pos mod W_root. */
export function checkRootPosition(pos: number, rootWays: number, rootTargetIndex: number): RuleIssue[] {
  const want = rootTargetIndexForPosition(pos, rootWays);
  if (want === rootTargetIndex) return ok;
  return issue(
    'root-position',
    `root position rule: endpoint at position ${pos} sits below root target ${rootTargetIndex}, ` +
      `but position ${pos} mod root ways ${rootWays} = ${want}`,
  );
}

/** Rule 8: window (CFMWS) or decoder base and size are 256 MiB aligned. */
export function checkRangeAlignment(base: number, size: number, what = 'window'): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (base % HDM_RANGE_UNIT !== 0) {
    out.push({
      code: 'alignment-base',
      message: `alignment rule: ${what} base ${hex(base)} is not a multiple of 256 MiB`,
    });
  }
  if (size % HDM_RANGE_UNIT !== 0 || size <= 0) {
    out.push({
      code: 'alignment-size',
      message: `alignment rule: ${what} size ${hex(size)} is not a positive multiple of 256 MiB`,
    });
  }
  return out;
}

/** Rule 8: a committed endpoint decoder's size must be divisible by its ways. */
export function checkEndpointSize(size: number, ways: number): RuleIssue[] {
  if (size % ways === 0) return ok;
  return issue(
    'endpoint-size-ways',
    `alignment rule: endpoint decoder size ${hex(size)} is not a multiple of the ${ways} interleave ways ` +
      `(endpoint size mod W must be 0)`,
  );
}

/** Rule 8: region size must be a positive multiple of 256 MiB * W (region.c alloc_hpa; verify). */
export function checkRegionSize(size: number, ways: number): RuleIssue[] {
  const unit = HDM_RANGE_UNIT * ways;
  if (size > 0 && size % unit === 0) return ok;
  return issue(
    'region-size',
    `region size rule: region size ${hex(size)} must be a positive multiple of 256 MiB x ${ways} ways = ` +
      `${unit / MiB} MiB`,
  );
}

/**
 * Target-list validity: each of the first W entries names a port that exists below the component,
 * and no port is named twice (each way needs its own port).
 */
export function checkTargetList(
  targets: readonly number[],
  ways: number,
  portIds: readonly number[],
  what = 'decoder',
): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (targets.length < ways) {
    out.push({
      code: 'target-list',
      message: `target list rule: ${what} has ${targets.length} target list entries for ${ways} ways`,
    });
    return out;
  }
  for (let i = 0; i < ways; i++) {
    const t = targets[i]!;
    if (!portIds.includes(t)) {
      out.push({
        code: 'target-list',
        message:
          `target list rule: ${what} target list entry ${i} names port ${t}, which is not a downstream port ` +
          `of this component (ports: ${portIds.join(', ') || 'none'})`,
      });
    } else if (targets.indexOf(t) < i) {
      out.push({
        code: 'target-duplicate',
        message: `target list rule: ${what} target list entry ${i} repeats port ${t} (each way needs a distinct port)`,
      });
    }
  }
  return out;
}

// ---- What a decoder's own registers must satisfy at commit (CXL r3.1 8.2.4.20.12) ----

/** The IW field must hold a valid encoding (0-4, 8-10). */
export function checkEncodedWays(eiw: number): RuleIssue[] {
  return (VALID_EIWS as readonly number[]).includes(eiw)
    ? ok
    : issue('iw-invalid', `interleave ways encoding IW=${eiw} is invalid (valid: 0-4, 8-10)`);
}

/** The IG field must hold a valid encoding (0-6). */
export function checkEncodedGranularity(eig: number): RuleIssue[] {
  return (VALID_EIGS as readonly number[]).includes(eig)
    ? ok
    : issue('ig-invalid', `interleave granularity encoding IG=${eig} is invalid (valid: 0-6, 256 B..16 KiB)`);
}

/** A decoder that commits needs a non-zero size. */
export function checkDecoderSize(size: number): RuleIssue[] {
  return size !== 0 ? ok : issue('zero-size', 'size is 0 (a committed decoder needs a non-zero size)');
}

/** A decoder range ends at or below 2^52 (every address cxlemu models fits in 52 bits). */
export function checkAddressLimit(base: number, size: number): RuleIssue[] {
  return base + size <= MAX_ADDRESS ? ok : issue('range', `range ${hex(base)}+${hex(size)} ends above 2^52`);
}

/**
 * An endpoint decoder maps `len` bytes of DPA from `dpa`: inside the device's capacity and inside
 * one partition (volatile first, then persistent).
 */
export function checkEndpointDpa(
  dpa: number,
  len: number,
  volatileBytes: number,
  persistentBytes: number,
): RuleIssue[] {
  const capacity = volatileBytes + persistentBytes;
  const range = `DPA ${hex(dpa)}-${hex(dpa + len - 1)}`;
  if (dpa + len > capacity) {
    return issue('dpa-capacity', `${range} exceeds the device capacity ${hex(capacity)}`);
  }
  if (dpa < volatileBytes && dpa + len > volatileBytes) {
    return issue(
      'dpa-partition',
      `${range} crosses the volatile/persistent partition boundary at ${hex(volatileBytes)} (a decoder maps one partition)`,
    );
  }
  return ok;
}
