// Mem_Enable (PCIe DVSEC for CXL Devices, id 0, Control +0x0C bit 2; SPEC-NOTES 2.1) gates
// decoding: an endpoint with it clear does not decode, so its HPAs behave as unrouted, and
// firmware enumeration sets it on every endpoint. Driven through ECAM config accesses as a guest
// does. Oracles: the DVSEC field layout of SPEC-NOTES 2.1; the address space's Unrouted fault for
// a window address with no decode (CONTRACTS, src/memory); the bytes written before the bit was
// cleared are read back once it is set again (the media never changed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { findDvsec } from '../../src/pci/index.js';
import { AccessFault } from '../../src/memory/address-space.js';
import { HostDriver, CXL_VENDOR, type Fn } from './host-driver.js';

const MiB = 2 ** 20;

function endpointOf(m: Machine, d: HostDriver, name: string): Fn {
  const dev = m.cxl.memdevs.find((x) => x.name === name)!;
  return d.endpoints.find((e) => d.serialOf(e) === dev.serial)!;
}

test('firmware sets Mem_Enable on every endpoint; clearing it over ECAM makes the endpoint unrouted', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
  try {
    const d = new HostDriver(m).enumerate();
    assert.equal(d.endpoints.length, 4);
    for (const ep of d.endpoints) {
      const dv = findDvsec(ep.read, CXL_VENDOR, 0);
      assert.ok(dv, 'CXL device DVSEC');
      assert.equal(ep.read(dv + 0x0c, 2) & 4, 4, 'Mem_Enable set by firmware');
      assert.equal(ep.read(dv + 0x0a, 2) & 4, 4, 'Mem_Capable');
    }
    // R0 (W0, 4-way 256 B) position 0 = mem0: HPA 0x1_0000_0000 is mem0, +0x100 is mem2.
    const as = m.addressSpace;
    const A0 = 0x1_0000_0000;
    const A2 = 0x1_0000_0100;
    as.store(A0, 4, 0x11223344);
    as.store(A2, 4, 0x55667788);
    assert.equal(as.fault, AccessFault.None);
    const ep0 = endpointOf(m, d, 'mem0');
    const dv = findDvsec(ep0.read, CXL_VENDOR, 0);
    ep0.write(dv + 0x0c, 2, ep0.read(dv + 0x0c, 2) & ~4);
    assert.equal(ep0.read(dv + 0x0c, 2) & 4, 0);
    assert.equal(m.cxl.memdevs[0]!.hdm.memEnabled, false);
    // mem0's lines are unrouted (load and store), mem2's still decode.
    as.load(A0, 4);
    assert.equal(as.fault, AccessFault.Unrouted);
    as.store(A0, 4, 0xdeadbeef);
    assert.equal(as.fault, AccessFault.Unrouted);
    assert.equal(as.load(A2, 4) >>> 0, 0x55667788);
    assert.equal(as.fault, AccessFault.None);
    assert.equal(m.translateHpa(A0).ok, false);
    // Setting it again restores decoding, with the old data (the dropped store never landed).
    ep0.write(dv + 0x0c, 2, ep0.read(dv + 0x0c, 2) | 4);
    assert.equal(as.load(A0, 4) >>> 0, 0x11223344);
    assert.equal(as.fault, AccessFault.None);
    assert.equal(m.translateHpa(A0).ok, true);
  } finally {
    m.close();
  }
});

test('Mem_Enable survives FLR (CXL.mem state), like the HDM decoders', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
  try {
    const d = new HostDriver(m).enumerate();
    const ep0 = endpointOf(m, d, 'mem0');
    const dv = findDvsec(ep0.read, CXL_VENDOR, 0);
    const pe = m.cxlPci.endpoints.find((e) => e.device.name === 'mem0')!;
    pe.fn.config.reset();
    assert.equal(ep0.read(dv + 0x0c, 2) & 4, 4);
    assert.equal(m.addressSpace.load(0x1_0000_0000, 4) >>> 0, 0);
    assert.equal(m.addressSpace.fault, AccessFault.None);
  } finally {
    m.close();
  }
});
