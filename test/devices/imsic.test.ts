// IMSIC interrupt files. Oracle: RISC-V AIA 1.0 chapter 3 (3.8 the registers behind *ireg, 3.9
// eidelivery/eithreshold/eip/eie, 3.10 *topei) and QEMU virt's layout (one 4 KiB page per hart,
// seteipnum_le at +0, seteipnum_be at +4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImsicFile, ImsicPages, ISELECT } from '../../src/devices/imsic.js';

function file(): { f: ImsicFile; levels: boolean[] } {
  const levels: boolean[] = [];
  return { f: new ImsicFile({ out: (l) => levels.push(l) }), levels };
}

const o = { lo: 0, hi: 0 };

test('a message sets a pending bit; eidelivery and the enable decide the output line', () => {
  const { f, levels } = file();
  const pages = new ImsicPages([f]);
  pages.write(0, 4, 37);
  assert.equal(f.pending(37), true);
  assert.equal(f.topei(), 0, 'pending but not enabled');
  assert.equal(f.write(ISELECT.eie0, 1 << 5, 1 << (37 - 32)), true);
  assert.equal(f.topei(), (37 << 16) | 37);
  assert.deepEqual(levels, [], 'eidelivery 0: the line stays low');
  f.write(ISELECT.eidelivery, 1, 0);
  assert.deepEqual(levels, [true]);
  f.claim();
  assert.equal(f.pending(37), false, 'a write to *topei clears the reported identity');
  assert.deepEqual(levels, [true, false]);
});

test('big-endian seteipnum, identity 0 and identities beyond num-ids are ignored; reads are zero', () => {
  const { f } = file();
  const pages = new ImsicPages([f]);
  pages.write(4, 4, 0x05000000); // 5, byte-swapped
  assert.equal(f.pending(5), true);
  pages.write(0, 4, 0);
  pages.write(0, 4, 256);
  pages.write(0, 4, 0xffffffff);
  f.read(ISELECT.eip0, o);
  assert.equal(o.lo, 1 << 5, 'only 5 pending; bit 0 (identity 0) never set');
  assert.equal(pages.read(), 0);
  f.write(ISELECT.eip0, -1, 0);
  f.read(ISELECT.eip0, o);
  assert.equal(o.lo >>> 0, 0xfffffffe, 'identity 0 is read-only zero');
});

test('the lowest identity wins; eithreshold hides identities at or above it', () => {
  const { f } = file();
  for (const id of [200, 64, 9]) f.setPending(id);
  f.write(ISELECT.eie0, -1, -1);
  f.write(ISELECT.eie0 + 2, -1, -1);
  f.write(ISELECT.eie0 + 6, -1, -1);
  assert.equal(f.topei() >>> 16, 9);
  f.write(ISELECT.eithreshold, 9, 0);
  assert.equal(f.topei(), 0, 'threshold 9: identity 9 and above are masked');
  f.write(ISELECT.eithreshold, 100, 0);
  assert.equal(f.topei() >>> 16, 9);
  f.claim();
  assert.equal(f.topei() >>> 16, 64);
  f.claim();
  assert.equal(f.topei(), 0, '200 is at or above the threshold');
  f.write(ISELECT.eithreshold, 0, 0);
  assert.equal(f.topei() >>> 16, 200);
  f.write(ISELECT.eithreshold, 0x1234, 0);
  f.read(ISELECT.eithreshold, o);
  assert.equal(o.lo, 0x34, 'eithreshold keeps as many bits as an identity of 255 needs');
});

test('RV64 register numbers: odd eip/eie and reserved selects do not exist; eip8..eip62 read zero', () => {
  const { f } = file();
  for (const sel of [ISELECT.eip0 + 1, ISELECT.eie0 + 3, 0x71, 0x73, 0x7f, 0x6f, 0x100])
    assert.equal(f.read(sel, o), false, `0x${sel.toString(16)}`);
  assert.equal(f.write(ISELECT.eip0 + 1, 1, 0), false);
  assert.equal(f.read(ISELECT.eip0 + 8, o), true);
  assert.deepEqual(o, { lo: 0, hi: 0 });
  f.write(ISELECT.eidelivery, 0x40000001, 0);
  f.read(ISELECT.eidelivery, o);
  assert.equal(o.lo, 1, 'eidelivery is WARL 0/1 (no APLIC direct mode)');
});

test('pages: one file per hart at a 4 KiB stride', () => {
  const a = file();
  const b = file();
  const pages = new ImsicPages([a.f, b.f]);
  assert.equal(pages.size, 0x2000);
  pages.write(0x1000, 4, 3);
  assert.equal(b.f.pending(3), true);
  assert.equal(a.f.pending(3), false);
  pages.write(0x1008, 4, 3); // not a register
  pages.write(0x3000, 4, 4); // beyond the files
  assert.equal(a.f.pending(4) || b.f.pending(4), false);
  assert.throws(() => new ImsicFile({ numIds: 100 }), /numIds must be 63, 127/);
});
