// HDM decoder capability block: register image, write masks, commit checks, lock and uncommit.
// Oracle: SPEC-NOTES 2.3 (layout, masks, commit semantics) and 1.5 (rules); src/cxl-math/hdm-registers.ts
// for the offsets and write masks (declared once there, checked against our image here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HdmDecoderBlock, HDM, CTRL } from '../../src/cxl/index.js';
import type { HdmOwner } from '../../src/cxl/hdm-decoder.js';
import * as R from '../../src/cxl-math/hdm-registers.js';

const SZ = 2 ** 28;
const hbOwner: HdmOwner = {
  kind: 'hostBridge',
  name: 'host bridge hb0',
  portIds: [0, 1, 2, 3],
  volatileBytes: 0,
  persistentBytes: 0,
};
const epOwner: HdmOwner = {
  kind: 'endpoint',
  name: 'endpoint mem0',
  portIds: [],
  volatileBytes: SZ,
  persistentBytes: 4 * SZ,
};
const hbBlock = (caps = { count: 4, ways3_6_12: true, ways16: true }) => new HdmDecoderBlock(hbOwner, caps);
const epBlock = (caps = { count: 4, ways3_6_12: true, ways16: true }) => new HdmDecoderBlock(epOwner, caps);
const d = (n: number, reg: number) => HDM.DECODER0 + HDM.STRIDE * n + reg;
const CAPF = R.HDM_CAPABILITY.fields;

test('layout agrees with src/cxl-math/hdm-registers.ts', () => {
  assert.equal(HDM.DECODER0, R.DECODER0_OFFSET);
  assert.equal(HDM.STRIDE, R.DECODER_STRIDE);
  assert.equal(hbBlock().length, R.hdmCapabilityLength(4));
  assert.equal(R.registerOffset(R.HDM_CONTROL, 2), d(2, HDM.CTRL));
  assert.equal(R.registerOffset(R.HDM_TARGET_LIST_LOW, 1), d(1, HDM.TL_LO));
  assert.equal(R.writeMask(R.HDM_BASE_LOW), 0xf0000000);
  assert.equal(R.writeMask(R.HDM_CONTROL) & CTRL.WRITE_MASK, R.writeMask(R.HDM_CONTROL) & 0x13ff);
});

test('capability advertises count, target count, A11to8, A14to12, 3/6/12 and 16-way as configured', () => {
  const b = hbBlock({ count: 8, ways3_6_12: true, ways16: true });
  const cap = b.read(HDM.CAP, 4);
  assert.equal(cap & 0xf, 4); // 8 decoders -> encoding 4
  assert.equal((cap >>> 4) & 0xf, 8);
  assert.equal(R.encodingToDecoderCount(R.extractField(cap, CAPF.decoderCount)), 8);
  for (const fd of [CAPF.a11to8, CAPF.a14to12, CAPF.ways3_6_12, CAPF.ways16]) assert.equal(R.extractField(cap, fd), 1);
  assert.deepEqual(b.advertisedWays, { ways3_6_12: true, ways16: true });
  const q4 = hbBlock({ count: 4, ways3_6_12: false, ways16: false });
  const q = q4.read(HDM.CAP, 4);
  assert.equal(R.extractField(q, CAPF.ways3_6_12) + R.extractField(q, CAPF.ways16), 0);
  assert.deepEqual(q4.advertisedWays, { ways3_6_12: false, ways16: false });
  b.write(HDM.CAP, 4, 0);
  assert.equal(b.read(HDM.CAP, 4), cap, 'capability is read-only');
});

test('write masks: base/size low keep [31:28], control RW bits only, Committed/Error read-only', () => {
  const b = hbBlock();
  b.write(d(0, HDM.BASE_LO), 4, 0xffffffff);
  assert.equal(b.read(d(0, HDM.BASE_LO), 4), 0xf0000000);
  b.write(d(0, HDM.SIZE_LO), 4, 0x1234_5678);
  assert.equal(b.read(d(0, HDM.SIZE_LO), 4), 0x1000_0000);
  b.write(d(0, HDM.BASE_HI), 4, 0xdeadbeef);
  assert.equal(b.read(d(0, HDM.BASE_HI), 4), 0xdeadbeef);
  b.write(d(0, HDM.CTRL), 4, 0xffffffff & ~CTRL.COMMIT);
  assert.equal(b.read(d(0, HDM.CTRL), 4), 0x13ff & ~CTRL.COMMIT);
  b.write(d(0, HDM.TL_LO), 4, 0x03020100);
  assert.equal(b.read(d(0, HDM.TL_LO), 4), 0x03020100);
  // 8-byte and sub-dword access.
  b.write(d(1, HDM.BASE_LO), 8, 0x5_3000_0000);
  assert.equal(b.read(d(1, HDM.BASE_LO), 8), 0x5_3000_0000);
  assert.equal(b.read(d(0, HDM.TL_LO) + 1, 1), 0x01);
  assert.equal(b.read(b.length, 4), 0, 'out of block reads 0');
  const e = epBlock();
  e.write(d(0, HDM.TL_LO), 4, 0xffffffff);
  assert.equal(e.read(d(0, HDM.TL_LO), 4), 0xf0000000, 'endpoint DPA skip low keeps [31:28]');
});

function programHb(
  b: HdmDecoderBlock,
  n: number,
  base: number,
  size: number,
  eiw: number,
  eig: number,
  targets: number[],
) {
  b.program(n, { base, size, eiw, eig, targets });
}

test('commit sets Committed; listener hears commit and uncommit only', () => {
  const b = hbBlock();
  const events: string[] = [];
  b.onChange((_b, i, ev) => events.push(`${ev}${i}`));
  programHb(b, 0, 0x1_0000_0000, SZ, 1, 0, [0, 1]);
  assert.deepEqual(events, []);
  assert.deepEqual(b.commit(0), { kind: 'committed' });
  assert.ok(b.read(d(0, HDM.CTRL), 4) & CTRL.COMMITTED);
  // Registers are read-only while committed.
  b.write(d(0, HDM.BASE_LO), 4, 0x2000_0000);
  assert.equal(b.read(d(0, HDM.BASE_LO), 4), 0);
  assert.match(b.reasons[0]!, /is committed: clear Commit before reprogramming it/);
  assert.deepEqual(b.uncommit(0), { ok: true });
  assert.deepEqual(events, ['commit0', 'uncommit0']);
});

interface Case {
  name: string;
  setup: (hb: HdmDecoderBlock, ep: HdmDecoderBlock) => HdmDecoderBlock;
  index: number;
  code: string;
  text: RegExp;
}
const cases: Case[] = [
  {
    name: 'out of order',
    index: 1,
    code: 'commit-order',
    text: /decoder 1 of host bridge hb0: commit order rule: decoder 1 cannot commit while 0 decoder\(s\) are committed: decoder 0 is not committed \(decoders commit in increasing index order/,
    setup: (hb) => {
      programHb(hb, 1, 0, SZ, 0, 0, [0]);
      return hb;
    },
  },
  {
    name: 'zero size',
    index: 0,
    code: 'zero-size',
    text: /decoder 0 of host bridge hb0: size is 0/,
    setup: (hb) => {
      programHb(hb, 0, 0, 0, 0, 0, [0]);
      return hb;
    },
  },
  {
    name: 'invalid IW',
    index: 0,
    code: 'iw-invalid',
    text: /interleave ways encoding IW=5 is invalid \(valid: 0-4, 8-10\)/,
    setup: (hb) => {
      programHb(hb, 0, 0, SZ, 5, 0, [0]);
      return hb;
    },
  },
  {
    name: 'invalid IG',
    index: 0,
    code: 'ig-invalid',
    text: /interleave granularity encoding IG=7 is invalid/,
    setup: (hb) => {
      programHb(hb, 0, 0, SZ, 0, 7, [0]);
      return hb;
    },
  },
  {
    name: '3-way not advertised',
    index: 0,
    code: 'ways-not-advertised',
    text: /3-way interleave needs the 3\/6\/12-way capability \(HDM Decoder Capability bit 11\)/,
    setup: () => {
      const b = hbBlock({ count: 4, ways3_6_12: false, ways16: true });
      programHb(b, 0, 0, 3 * SZ, 8, 0, [0, 1, 2]);
      return b;
    },
  },
  {
    name: '16-way not advertised',
    index: 0,
    code: 'ways-not-advertised',
    text: /16-way interleave needs the 16-way capability \(HDM Decoder Capability bit 12\)/,
    setup: () => {
      const b = new HdmDecoderBlock(epOwner, { count: 4, ways3_6_12: true, ways16: false });
      b.program(0, { base: 0, size: 16 * SZ, eiw: 4, eig: 0 });
      return b;
    },
  },
  {
    name: 'HB 16-way exceeds the target list',
    index: 0,
    code: 'decoder-ways-over-8',
    text: /16-way interleave exceeds the 8-entry target list/,
    setup: (hb) => {
      programHb(hb, 0, 0, 16 * SZ, 4, 0, [0, 1, 2, 3]);
      return hb;
    },
  },
  {
    name: 'range above 2^52',
    index: 0,
    code: 'range',
    text: /ends above 2\^52/,
    setup: (hb) => {
      programHb(hb, 0, 2 ** 52, SZ, 0, 0, [0]);
      return hb;
    },
  },
  {
    name: 'overlap with decoder n-1',
    index: 1,
    code: 'decoder-order-overlap',
    text: /decoder 1 of host bridge hb0: decoder order rule: decoder 1 base 0x100000000 lies below the end 0x120000000 of decoder 0; decoders hold increasing, non-overlapping ranges/,
    setup: (hb) => {
      programHb(hb, 0, 0x1_0000_0000, 2 * SZ, 0, 0, [0]);
      hb.commit(0);
      programHb(hb, 1, 0x1_0000_0000, SZ, 0, 0, [1]);
      return hb;
    },
  },
  {
    name: 'target names a missing port',
    index: 0,
    code: 'target-list',
    text: /target list entry 1 names port 9, which is not a downstream port of this component \(ports: 0, 1, 2, 3\)/,
    setup: (hb) => {
      programHb(hb, 0, 0, SZ, 1, 0, [0, 9]);
      return hb;
    },
  },
  {
    name: 'target repeated',
    index: 0,
    code: 'target-duplicate',
    text: /target list entry 1 repeats port 2/,
    setup: (hb) => {
      programHb(hb, 0, 0, SZ, 1, 0, [2, 2]);
      return hb;
    },
  },
  {
    name: 'endpoint size not divisible by W',
    index: 0,
    code: 'endpoint-size-ways',
    text: /decoder 0 of endpoint mem0: alignment rule: endpoint decoder size 0x10000000 is not a multiple of the 3 interleave ways \(endpoint size mod W must be 0\)/,
    setup: (_h, ep) => {
      ep.program(0, { base: 0, size: SZ, eiw: 8, eig: 0 });
      return ep;
    },
  },
  {
    name: 'endpoint DPA beyond capacity',
    index: 0,
    code: 'dpa-capacity',
    text: /DPA 0x0-0x5fffffff exceeds the device capacity 0x50000000/,
    setup: (_h, ep) => {
      ep.program(0, { base: 0, size: 6 * SZ, eiw: 0, eig: 0 });
      return ep;
    },
  },
  {
    name: 'endpoint DPA crosses the partition boundary',
    index: 0,
    code: 'dpa-partition',
    text: /crosses the volatile\/persistent partition boundary at 0x10000000/,
    setup: (_h, ep) => {
      ep.program(0, { base: 0, size: 2 * SZ, eiw: 0, eig: 0 });
      return ep;
    },
  },
];

for (const c of cases) {
  test(`commit error: ${c.name} -> Error-Not-Committed with a reason`, () => {
    const b = c.setup(hbBlock(), epBlock());
    const r = b.commit(c.index);
    assert.equal(r.kind, 'error');
    if (r.kind !== 'error') return;
    assert.equal(r.code, c.code);
    assert.match(r.reason, c.text);
    const ctrl = b.read(d(c.index, HDM.CTRL), 4);
    assert.ok(ctrl & CTRL.ERROR, 'Error-Not-Committed set');
    assert.equal(ctrl & CTRL.COMMITTED, 0);
    // Clearing Commit clears the error.
    b.write(d(c.index, HDM.CTRL), 4, ctrl & ~CTRL.COMMIT);
    assert.equal(b.read(d(c.index, HDM.CTRL), 4) & CTRL.ERROR, 0);
  });
}

test('lock-on-commit: registers read-only, Commit cannot be cleared, uncommit refused', () => {
  const b = hbBlock();
  b.program(0, { base: 0x1_0000_0000, size: SZ, eiw: 0, eig: 0, targets: [1], lock: true });
  assert.equal(b.commit(0).kind, 'committed');
  assert.ok(b.isLocked(0));
  b.write(d(0, HDM.CTRL), 4, 0);
  assert.ok(b.isCommitted(0));
  assert.match(
    b.reasons[0]!,
    /decoder 0 of host bridge hb0 is locked \(Lock-on-Commit\): registers are read-only until reset/,
  );
  const u = b.uncommit(0);
  assert.equal(u.ok, false);
  if (!u.ok) assert.match(u.reason, /is locked \(Lock-on-Commit\) and cannot be un-committed until reset/);
  b.reset();
  assert.equal(b.isCommitted(0), false);
});

test('uncommit goes from the highest committed decoder down', () => {
  const b = hbBlock();
  b.program(0, { base: 0x1_0000_0000, size: SZ, eiw: 0, eig: 0, targets: [0] });
  b.commit(0);
  b.program(1, { base: 0x1_1000_0000, size: SZ, eiw: 0, eig: 0, targets: [1] });
  b.commit(1);
  const u = b.uncommit(0);
  assert.equal(u.ok, false);
  if (!u.ok)
    assert.match(
      u.reason,
      /cannot be un-committed while decoder 1 is committed \(reset from the highest committed decoder\)/,
    );
  assert.ok(b.uncommit(1).ok);
  assert.ok(b.uncommit(0).ok);
  assert.equal(b.read(d(0, HDM.BASE_LO), 4) + b.read(d(0, HDM.BASE_HI), 4), 0, 'base zeroed as Linux does');
});

test('endpoint DPA base sums skip + size/W of earlier decoders (SPEC-NOTES 1.2)', () => {
  const e = epBlock();
  e.program(0, { base: 0x1_0000_0000, size: 2 * SZ, eiw: 1, eig: 0, skip: 0 }); // DPA 0..256M (volatile)
  assert.equal(e.commit(0).kind, 'committed');
  e.program(1, { base: 0x2_0000_0000, size: 4 * SZ, eiw: 2, eig: 0, skip: 0 });
  assert.equal(e.dpaBase(1), SZ);
  assert.equal(e.commit(1).kind, 'committed');
  e.program(2, { base: 0x3_0000_0000, size: SZ, eiw: 0, eig: 0, skip: 2 * SZ });
  assert.equal(e.dpaBase(2), 4 * SZ);
  assert.equal(e.commit(2).kind, 'committed');
});

test('random 1/2/4/8-byte accesses never throw and keep RO fields', () => {
  const b = hbBlock({ count: 8, ways3_6_12: true, ways16: true });
  const cap = b.read(0, 4);
  let s = 12345;
  const rnd = (n: number) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s % n;
  };
  for (let i = 0; i < 20000; i++) {
    const size = ([1, 2, 4, 8] as const)[rnd(4)]!;
    const off = rnd(b.length + 16);
    if (rnd(2)) b.write(off, size, rnd(2 ** 31) * 2 + rnd(2));
    else b.read(off, size);
  }
  assert.equal(b.read(0, 4), cap);
});

test('one write path: every register takes the masked write of its table entry (RO/reserved bits keep theirs)', () => {
  let s = 0x5eed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s;
  };
  for (const [b, kind] of [
    [hbBlock(), 'switch'],
    [epBlock(), 'endpoint'],
  ] as const) {
    for (let off = 0; off < b.length; off += 4) {
      const at = R.registerAt(off, b.count, kind);
      const v = rnd();
      const old = b.read(off, 4);
      // Control with Commit set would run the commit checks: the table part is checked without it.
      const value = at?.def === R.HDM_CONTROL ? v & ~CTRL.COMMIT : v;
      b.write(off, 4, value);
      const want = at === undefined ? old : R.applyMaskedWrite(R.writeMasks(at.def), old, value);
      assert.equal(b.read(off, 4), want, `${kind} offset 0x${off.toString(16)} (${at?.def.name ?? 'reserved'})`);
    }
  }
});
