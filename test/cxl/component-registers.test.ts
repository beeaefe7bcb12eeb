// The component register block of each kind of component: the CXL.cachemem capability array
// (SPEC-NOTES 2.2: header id 1, one header per capability with id/version/pointer) and which
// capabilities each component carries (USP and endpoint: HDM, RAS, Link; DSP and root port: RAS,
// Link; host bridge: HDM unless passthrough, RAS). Oracle: SPEC-NOTES 2.2 placement (QEMU r3.2
// Table 8-22) with the deviations docs/cxl-registers.md lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { CACHEMEM_BASE, CM_CAP, type ComponentRegisters } from '../../src/cxl/index.js';

function caps(b: ComponentRegisters): { id: number; version: number; pointer: number }[] {
  const h = b.read(CACHEMEM_BASE, 4);
  assert.equal(h & 0xffff, 1, 'array header id 1');
  assert.equal((h >>> 16) & 0xf, 1, 'version');
  const out = [];
  for (let i = 1; i <= h >>> 24; i++) {
    const x = b.read(CACHEMEM_BASE + 4 * i, 4);
    out.push({ id: x & 0xffff, version: (x >>> 16) & 0xf, pointer: x >>> 20 });
  }
  return out;
}

/** The default machine with hb0 as a passthrough bridge (one root port, no HDM decoders). */
function passthroughHb0() {
  const d = defaultDescriptionInput();
  d.cxl!.hostBridges![0]!.hdmForPassthrough = false;
  return d;
}

test('cache-mem capability array and placement per component kind (default machine; hb0 with and without HDM decoders)', () => {
  const withHdm = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * 2 ** 20 });
  try {
    const hb0 = caps(withHdm.cxlPci.hostBridges[0]!.component)
      .map((c) => c.id)
      .sort();
    assert.deepEqual(hb0, [CM_CAP.ras, CM_CAP.hdm].sort(), 'hb0 decodes (hdmForPassthrough in the default machine)');
  } finally {
    withHdm.close();
  }
  const m = Machine.build(passthroughHb0(), { arenaBytes: 256 * 2 ** 20 });
  try {
    const ids = (b: ComponentRegisters) =>
      caps(b)
        .map((c) => c.id)
        .sort();
    const p = m.cxlPci;
    assert.deepEqual(ids(p.hostBridges[0]!.component), [CM_CAP.ras], 'hb0 is passthrough: no HDM');
    assert.deepEqual(ids(p.hostBridges[1]!.component), [CM_CAP.ras, CM_CAP.hdm]);
    for (const [, port] of p.ports) assert.deepEqual(ids(port.component), [CM_CAP.ras, CM_CAP.link]);
    for (const [, usp] of p.upstreamPorts) assert.deepEqual(ids(usp.component), [CM_CAP.ras, CM_CAP.link, CM_CAP.hdm]);
    for (const e of p.endpoints) assert.deepEqual(ids(e.component), [CM_CAP.ras, CM_CAP.link, CM_CAP.hdm]);
    // The HDM structure is the decoder block: R0's committed decoder 0 of mem0 reads through it.
    const e0 = p.endpoints.find((e) => e.device.id === 'mem0')!;
    const hdm = caps(e0.component).find((c) => c.id === CM_CAP.hdm)!;
    const at = CACHEMEM_BASE + hdm.pointer;
    assert.equal(e0.component.read(at, 4), e0.device.hdm.capability);
    assert.equal(e0.component.read(at + 0x14, 4), 1, 'decoder 0 base high = 0x1_0000_0000 >> 32');
    assert.ok((e0.component.read(at + 0x20, 4) & (1 << 10)) !== 0, 'Committed');
    // Structures do not overlap and sit inside the cache-mem range.
    for (const b of p.componentBlocks()) {
      const list = caps(b.block);
      const lens: Record<number, number> = {
        [CM_CAP.ras]: 0x58,
        [CM_CAP.link]: 0x38,
        [CM_CAP.hdm]: b.block.hdm?.length ?? 0,
      };
      const spans = list.map((c) => [c.pointer, c.pointer + lens[c.id]!] as const).sort((x, y) => x[0] - y[0]);
      for (let i = 0; i + 1 < spans.length; i++)
        assert.ok(spans[i]![1] <= spans[i + 1]![0], `${b.name}: structures overlap`);
      assert.ok(
        spans.every(([a, z]) => a >= 4 * (list.length + 1) && z <= 0x1000),
        `${b.name}: inside 0x1000..0x1FFF`,
      );
      // CXL.io space and the implementation-specific range read 0.
      assert.equal(b.block.read(0, 4), 0);
      assert.equal(b.block.read(0x2000, 4), 0);
    }
  } finally {
    m.close();
  }
});

test('RAS: RW1C status, RW mask/severity, device-side reports set the first error pointer and header log', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * 2 ** 20 });
  try {
    const b = m.cxlPci.endpoints[0]!.component;
    const ras = CACHEMEM_BASE + caps(b).find((c) => c.id === CM_CAP.ras)!.pointer;
    assert.equal(b.read(ras + 0x08, 4), 0x1cfff, 'severity reset: all fatal');
    assert.ok(b.ras!.reportUncorrectable(3, [0xdeadbeef]));
    assert.ok(b.ras!.reportUncorrectable(5));
    assert.equal(b.read(ras, 4), 0x28);
    assert.equal(b.read(ras + 0x14, 4) & 0x3f, 3, 'first error pointer');
    assert.equal(b.read(ras + 0x18, 4), 0xdeadbeef);
    b.write(ras, 4, 0x8);
    assert.equal(b.read(ras, 4), 0x20, 'RW1C clears only the written bit');
    b.write(ras + 0x04, 4, 0xffffffff);
    assert.equal(b.read(ras + 0x04, 4), 0x1cfff, 'mask keeps implemented bits');
    assert.ok(!b.ras!.reportUncorrectable(12), 'bit 12 is reserved: refused, no throw');
    assert.ok(b.ras!.reportCorrectable(6));
    assert.equal(b.read(ras + 0x0c, 4), 0x40);
    b.write(ras + 0x14, 4, 0); // RO
    assert.equal(b.read(ras + 0x14, 4) & 0x3f, 3);
  } finally {
    m.close();
  }
});
