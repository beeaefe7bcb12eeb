// The layer's public surface. Oracle: the API promised in docs/pci.md (each name a caller of
// src/pci/index.ts relies on exists with the documented kind).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pci from '../../src/pci/index.js';

test('index.ts exports the documented API', () => {
  const fns = [
    'buildType0Header',
    'buildType1Header',
    'masksOf',
    'writtenBits',
    'addCapability',
    'addExtendedCapability',
    'findCapability',
    'findExtendedCapability',
    'findDvsec',
    'addPcieCapability',
    'addAer',
    'addDsn',
    'addDvsec',
    'addDoe',
    'declareBar',
    'bridgeForwards',
    'ecamOffset',
    'decodeEcamOffset',
    'swizzlePin',
    'enumerate',
  ];
  for (const f of fns) assert.equal(typeof (pci as Record<string, unknown>)[f], 'function', f);
  const classes = [
    'ConfigSpace',
    'DoeMailbox',
    'Bar',
    'BarMapper',
    'PciFunction',
    'PciBus',
    'PciHostBridge',
    'Ecam',
    'IntxRouter',
    'PciConfigError',
    'PciBugError',
  ];
  for (const c of classes) assert.equal(typeof (pci as Record<string, unknown>)[c], 'function', c);
  assert.equal(pci.ECAM_BASE, 0x3000_0000);
  assert.equal(pci.ECAM_SIZE, 0x1000_0000);
  assert.deepEqual(pci.PCIE_MMIO_WINDOW, { base: 0x4000_0000, size: 0x4000_0000 });
  assert.equal(pci.PCIE_INTX_IRQ_BASE, 32);
  assert.deepEqual(pci.ExtCapId, { Aer: 1, Dsn: 3, Dvsec: 0x23, Doe: 0x2e });
});
