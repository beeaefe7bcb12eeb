// Function Level Reset and Secondary Bus Reset. Oracle: PCIe r6.0 §6.6.2 (FLR returns the
// function's configuration to its initial state; BARs and Command clear, so decode stops) and
// PCI-to-PCI Bridge 1.2 §3.2.5.17 (Secondary Bus Reset resets everything below the bridge, never
// the bridge itself), observed through ECAM reads and guest loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { AccessFault, AddressSpace } from '../../src/memory/address-space.js';
import { addDoe, addPcieCapability } from '../../src/pci/capabilities.js';
import { ecamOffset } from '../../src/pci/ecam.js';
import { PciFunction } from '../../src/pci/topology.js';
import { assignBusNumbers, buildTopology, RegFile } from './fixtures.js';

test('FLR: config returns to its built image, BARs unmap, DOE goes idle, INTx drops', () => {
  const space = new AddressSpace(new Arena({ bytes: 1 << 20 }));
  const t = buildTopology({ space });
  const f = new PciFunction({
    name: 'flr',
    header: { type: 0, vendorId: 0x1234, deviceId: 0x11, classCode: 0x050210, interruptPin: 1 },
    bars: [{ index: 0, kind: 'mem32', size: 0x1000, ops: new RegFile(0x700) }],
  });
  const pcie = addPcieCapability(f.config, { portType: 'endpoint', flr: true, onFlr: () => f.reset() });
  const doe = addDoe(f.config);
  t.ecam.hostFor(0)!.rootBus.attach(9, 0, f);
  const wr = (off: number, size: 1 | 2 | 4, v: number) => t.ecam.write(ecamOffset(0, 9, 0, off), size, v);
  const rd = (off: number, size: 1 | 2 | 4) => t.ecam.read(ecamOffset(0, 9, 0, off), size);
  wr(0x10, 4, 0x4000_0000);
  wr(0x04, 2, 0x0002);
  wr(0x0c, 1, 0x10);
  assert.equal(space.load(0x4000_0004, 4), 0x704);
  wr(doe.offset + 0x10, 4, 0x007f_1e98); // half a DOE request
  f.setIntx(true);
  assert.equal(f.intxLevel, true);
  wr(pcie.offset + 8, 2, 0x8000 | rd(pcie.offset + 8, 2));
  assert.equal(rd(0x10, 4), 0, 'BAR cleared');
  assert.equal(rd(0x04, 2), 0, 'Command cleared');
  assert.equal(rd(0x0c, 1), 0, 'Cache Line Size cleared');
  assert.equal(rd(0x00, 4), 0x00111234, 'identity kept');
  space.load(0x4000_0004, 4);
  assert.equal(space.fault, AccessFault.Unassigned, 'decode stopped');
  assert.equal(doe.state.requestDwords, 0, 'DOE request dropped');
  assert.equal(f.intxLevel, false);
  assert.equal(rd(0x06, 2) & 0x8, 0, 'Interrupt Status clear');
});

test('Secondary Bus Reset resets everything below the bridge and not the bridge itself', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  t.mem1.config.write(0x0c, 1, 0x20);
  t.rp1.config.write(0x0c, 1, 0x40);
  assert.equal(t.ecam.read(ecamOffset(4, 0, 0), 4), 0x0d938086);
  t.rp1.config.write(0x3e, 2, 0x0040);
  t.rp1.config.write(0x3e, 2, 0x0000);
  assert.equal(t.usp.secondary, 0, 'switch bus numbers reset');
  assert.equal(t.dsp0.secondary, 0);
  assert.equal(t.mem1.config.read(0x0c, 1), 0);
  assert.equal(t.ecam.read(ecamOffset(4, 0, 0), 4), 0xffffffff, 'bus 4 unreachable until renumbered');
  assert.equal(t.rp1.secondary, 2, 'the bridge keeps its own configuration');
  assert.equal(t.rp1.config.read(0x0c, 1), 0x40);
  assert.equal(t.ecam.read(ecamOffset(2, 0, 0), 4), 0x707619e5, 'the USP answers again at bus 2');
  assert.equal(t.rp0.secondary, 1);
});

test('after restoring saved state, a reset still returns to the built image', () => {
  const a = buildTopology();
  assignBusNumbers(a);
  const snap = a.ecam.snapshotState();
  const b = buildTopology();
  b.ecam.restoreState(snap);
  assert.equal(b.rp1.secondary, 2);
  b.rp1.reset();
  assert.equal(b.rp1.secondary, 0);
});
